"""Customer service desk: handoffs, staff_users, staff_tokens, staff_messages.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HANDOFF_STATUS_CHECK = "status IN ('open', 'closed')"
STAFF_ROLE_CHECK = "role IN ('agent', 'viewer')"
OPEN_ONLY = sa.text("status = 'open'")
# Names are wrapped in op.f(): they are final, the metadata naming convention must not apply.


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _session_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["session_id"],
        ["chat_sessions.id"],
        name=op.f(f"fk_{table}_session_id_chat_sessions"),
        ondelete="CASCADE",
    )


def _create_handoffs() -> None:
    op.create_table(
        "handoffs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("order_number", sa.String(40), nullable=True),
        sa.Column("customer_id", sa.String(64), nullable=True),
        _timestamp("created_at"),
        _timestamp("closed_at", nullable=True),
        sa.Column("closed_by", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_handoffs")),
        _session_fk("handoffs"),
        sa.CheckConstraint(HANDOFF_STATUS_CHECK, name=op.f("ck_handoffs_status")),
    )
    op.create_index(op.f("ix_handoffs_session_id"), "handoffs", ["session_id"])
    op.create_index(op.f("ix_handoffs_status"), "handoffs", ["status"])
    op.create_index(
        op.f("uq_handoffs_open_session"),
        "handoffs",
        ["session_id"],
        unique=True,
        sqlite_where=OPEN_ONLY,
        postgresql_where=OPEN_ONLY,
    )


def _create_staff() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        # sa.true(): DEFAULT 1 on SQLite (unchanged DDL), DEFAULT true on PostgreSQL.
        sa.Column("active", sa.Boolean(), server_default=sa.true(), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_users_username")),
        sa.CheckConstraint(STAFF_ROLE_CHECK, name=op.f("ck_staff_users_role")),
    )
    op.create_table(
        "staff_tokens",
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        _timestamp("created_at"),
        _timestamp("expires_at"),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_staff_tokens")),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_users.id"],
            name=op.f("fk_staff_tokens_staff_id_staff_users"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(op.f("ix_staff_tokens_staff_id"), "staff_tokens", ["staff_id"])
    op.create_table(
        "staff_messages",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("staff_username", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_messages")),
        _session_fk("staff_messages"),
    )
    op.create_index(op.f("ix_staff_messages_session_id"), "staff_messages", ["session_id"])


def upgrade() -> None:
    """Upgrade schema."""
    _create_handoffs()
    _create_staff()


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("staff_messages")
    op.drop_table("staff_tokens")
    op.drop_table("staff_users")
    op.drop_table("handoffs")
