"""Developer API: api_keys, chat_sessions.api_key_id, openai_threads.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None
# Names are wrapped in op.f(): they are final, the metadata naming convention must not apply.


def _create_api_keys() -> None:
    op.create_table(
        "api_keys",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("prefix", sa.String(16), nullable=False),
        sa.Column("key_hash", sa.String(64), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("rate_limit_per_minute", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_keys")),
        sa.UniqueConstraint("prefix", name=op.f("uq_api_keys_prefix")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_keys_key_hash")),
    )


def _create_openai_threads() -> None:
    op.create_table(
        "openai_threads",
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("digest", name=op.f("pk_openai_threads")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["chat_sessions.id"],
            name=op.f("fk_openai_threads_session_id_chat_sessions"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(op.f("ix_openai_threads_session_id"), "openai_threads", ["session_id"])


def upgrade() -> None:
    """Upgrade schema."""
    _create_api_keys()
    with op.batch_alter_table("chat_sessions") as batch:
        batch.add_column(sa.Column("api_key_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_chat_sessions_api_key_id_api_keys"), "api_keys", ["api_key_id"], ["id"]
        )
        batch.create_index(op.f("ix_chat_sessions_api_key_id"), ["api_key_id"])
    _create_openai_threads()


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("openai_threads")
    with op.batch_alter_table("chat_sessions") as batch:
        batch.drop_index(op.f("ix_chat_sessions_api_key_id"))
        batch.drop_constraint(op.f("fk_chat_sessions_api_key_id_api_keys"), type_="foreignkey")
        batch.drop_column("api_key_id")
    op.drop_table("api_keys")
