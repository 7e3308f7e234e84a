"""Initial schema: products, chat_sessions, turns, impressions, events.

Revision ID: 0001
Revises:
Create Date: 2025-11-27
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCE_CHECK = "source IN ('live', 'simulated')"
# Names are wrapped in op.f(): they are final, the metadata naming convention must not apply.


def _timestamp(name: str) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def _session_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["session_id"],
        ["chat_sessions.id"],
        name=op.f(f"fk_{table}_session_id_chat_sessions"),
        ondelete="CASCADE",
    )


def _product_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["product_id"], ["products.id"], name=op.f(f"fk_{table}_product_id_products")
    )


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table(
        "products",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(1000), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("brand", sa.String(200), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("price", sa.Numeric(12, 2), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.Column("color", sa.String(100), nullable=False),
        sa.Column("attributes", sa.JSON(), nullable=False),
        sa.Column("image_url", sa.String(2000), nullable=False),
        sa.Column("source", sa.String(32), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
    )
    op.create_index(op.f("ix_products_brand"), "products", ["brand"])
    op.create_index(op.f("ix_products_category"), "products", ["category"])

    op.create_table(
        "chat_sessions",
        sa.Column("id", sa.String(36), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
        sa.Column("state", sa.JSON(), server_default=sa.text("'{}'"), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_sessions")),
    )

    op.create_table(
        "turns",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("turn_number", sa.Integer(), nullable=False),
        sa.Column("user_message", sa.Text(), nullable=False),
        sa.Column("reply", sa.Text(), nullable=False),
        sa.Column("intent", sa.String(64), nullable=False),
        sa.Column("filters", sa.JSON(), nullable=False),
        _timestamp("created_at"),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_turns")),
        _session_fk("turns"),
        sa.UniqueConstraint(
            "session_id", "turn_number", name=op.f("uq_turns_session_id_turn_number")
        ),
    )

    op.create_table(
        "impressions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("turn_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("product_id", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("source", sa.String(16), server_default=sa.text("'live'"), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_impressions")),
        sa.ForeignKeyConstraint(
            ["turn_id"], ["turns.id"], name=op.f("fk_impressions_turn_id_turns"), ondelete="CASCADE"
        ),
        _session_fk("impressions"),
        _product_fk("impressions"),
        sa.CheckConstraint(SOURCE_CHECK, name=op.f("ck_impressions_source")),
    )
    op.create_index(op.f("ix_impressions_session_id"), "impressions", ["session_id"])
    op.create_index(op.f("ix_impressions_product_id"), "impressions", ["product_id"])

    op.create_table(
        "events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_id", sa.String(36), nullable=False),
        sa.Column("product_id", sa.String(64), nullable=False),
        sa.Column("turn_id", sa.Integer(), nullable=True),
        sa.Column("type", sa.String(16), nullable=False),
        sa.Column("source", sa.String(16), server_default=sa.text("'live'"), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_events")),
        _session_fk("events"),
        _product_fk("events"),
        sa.ForeignKeyConstraint(
            ["turn_id"], ["turns.id"], name=op.f("fk_events_turn_id_turns"), ondelete="SET NULL"
        ),
        sa.CheckConstraint(
            "type IN ('click', 'add_to_cart', 'purchase')", name=op.f("ck_events_type")
        ),
        sa.CheckConstraint(SOURCE_CHECK, name=op.f("ck_events_source")),
    )
    op.create_index(op.f("ix_events_session_id"), "events", ["session_id"])
    op.create_index(op.f("ix_events_product_id"), "events", ["product_id"])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("events")
    op.drop_table("impressions")
    op.drop_table("turns")
    op.drop_table("chat_sessions")
    op.drop_table("products")
