"""Orders and returns: customers, orders, order_lines, return_requests.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ORDER_STATUS_CHECK = "status IN ('processing', 'shipped', 'delivered', 'returned', 'cancelled')"
RETURN_STATUS_CHECK = "status IN ('requested', 'approved', 'received', 'refunded', 'rejected')"
RETURN_REASON_CHECK = "reason IN ('changed_mind', 'defective', 'wrong_item', 'damaged')"
RETURN_KIND_CHECK = "kind IN ('return', 'warranty')"
# Names are wrapped in op.f(): they are final, the metadata naming convention must not apply.


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    referred, referred_column = target.split(".")
    return sa.ForeignKeyConstraint(
        [column], [target], name=op.f(f"fk_{table}_{column}_{referred}"), ondelete="CASCADE"
    )


def _create_customers_and_orders() -> None:
    op.create_table(
        "customers",
        sa.Column("id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_customers")),
        sa.UniqueConstraint("email", name=op.f("uq_customers_email")),
    )
    op.create_table(
        "orders",
        sa.Column("number", sa.String(16), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        _timestamp("placed_at"),
        _timestamp("shipped_at", nullable=True),
        _timestamp("delivered_at", nullable=True),
        _timestamp("cancelled_at", nullable=True),
        sa.Column("carrier", sa.String(64), server_default=sa.text("''"), nullable=False),
        sa.Column("tracking_number", sa.String(64), server_default=sa.text("''"), nullable=False),
        sa.Column("payment_method", sa.String(64), nullable=False),
        sa.Column("currency", sa.String(3), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_orders")),
        _fk("orders", "customer_id", "customers.id"),
        sa.CheckConstraint(ORDER_STATUS_CHECK, name=op.f("ck_orders_status")),
    )
    op.create_index(op.f("ix_orders_customer_id"), "orders", ["customer_id"])
    op.create_table(
        "order_lines",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("order_number", sa.String(16), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.String(64), nullable=False),
        sa.Column("title", sa.String(1000), nullable=False),
        sa.Column("category", sa.String(64), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.Numeric(12, 2), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_lines")),
        _fk("order_lines", "order_number", "orders.number"),
        sa.UniqueConstraint(
            "order_number", "line_number", name=op.f("uq_order_lines_order_number_line_number")
        ),
    )


def _create_return_requests() -> None:
    op.create_table(
        "return_requests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("rma", sa.String(40), nullable=False),
        sa.Column("order_number", sa.String(16), nullable=False),
        sa.Column("line_number", sa.Integer(), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("opened", sa.Boolean(), nullable=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("staff_note", sa.Text(), server_default=sa.text("''"), nullable=False),
        sa.Column("decided_by", sa.String(64), nullable=True),
        sa.Column("refund_amount", sa.Numeric(12, 2), nullable=True),
        _timestamp("requested_at"),
        _timestamp("approved_at", nullable=True),
        _timestamp("received_at", nullable=True),
        _timestamp("refunded_at", nullable=True),
        _timestamp("rejected_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_requests")),
        _fk("return_requests", "order_number", "orders.number"),
        _fk("return_requests", "customer_id", "customers.id"),
        sa.UniqueConstraint("rma", name=op.f("uq_return_requests_rma")),
        sa.UniqueConstraint(
            "order_number",
            "line_number",
            name=op.f("uq_return_requests_order_number_line_number"),
        ),
        sa.CheckConstraint(RETURN_STATUS_CHECK, name=op.f("ck_return_requests_status")),
        sa.CheckConstraint(RETURN_REASON_CHECK, name=op.f("ck_return_requests_reason")),
        sa.CheckConstraint(RETURN_KIND_CHECK, name=op.f("ck_return_requests_kind")),
    )
    op.create_index(op.f("ix_return_requests_customer_id"), "return_requests", ["customer_id"])
    op.create_index(op.f("ix_return_requests_status"), "return_requests", ["status"])


def upgrade() -> None:
    """Upgrade schema."""
    _create_customers_and_orders()
    _create_return_requests()


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table("return_requests")
    op.drop_table("order_lines")
    op.drop_table("orders")
    op.drop_table("customers")
