"""SQLAlchemy 2 ORM tables: the catalog, chat sessions, turns, impressions and events.

Impressions and events are append-only logs for the CTR model; nothing updates them.
Rows never leave the db package: repositories convert them into :mod:`db.records` models.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from db.column_types import UTCDateTime, utcnow

# Deterministic constraint names, so that migrations can refer to them (and SQLite batch
# migrations can recreate them).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

SOURCE_CHECK = "source IN ('live', 'simulated')"
EVENT_TYPE_CHECK = "type IN ('click', 'add_to_cart', 'purchase')"


class Base(DeclarativeBase):
    """Declarative base holding the shared metadata."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class ProductRow(Base):
    """One catalog product; ``content_hash`` is ``Product.content_hash()`` of the row."""

    __tablename__ = "products"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(1000))
    description: Mapped[str] = mapped_column(Text)
    brand: Mapped[str] = mapped_column(String(200), index=True)
    category: Mapped[str] = mapped_column(String(64), index=True)
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    currency: Mapped[str] = mapped_column(String(3))
    color: Mapped[str] = mapped_column(String(100))
    attributes: Mapped[dict[str, Any]]
    image_url: Mapped[str] = mapped_column(String(2000))
    source: Mapped[str] = mapped_column(String(32))
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChatSessionRow(Base):
    """One conversation; ``state`` is the serialised dialogue state after the last turn."""

    __tablename__ = "chat_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'"))
    customer_id: Mapped[str | None] = mapped_column(String(64))
    # The developer API key that created the session (None: the chat page or no keys in use);
    # a key only sees its own sessions.
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id"), index=True)


class TurnRow(Base):
    """One shopper message and the assistant's reply; ``turn_number`` is 1-based per session."""

    __tablename__ = "turns"
    # The unique index leads with session_id, so it also serves "turns of a session" lookups.
    __table_args__ = (UniqueConstraint("session_id", "turn_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("chat_sessions.id", ondelete="CASCADE")
    )
    turn_number: Mapped[int] = mapped_column(Integer)
    user_message: Mapped[str] = mapped_column(Text)
    reply: Mapped[str] = mapped_column(Text)
    intent: Mapped[str] = mapped_column(String(64))
    filters: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    latency_ms: Mapped[float | None] = mapped_column(Float)


class ImpressionRow(Base):
    """A product shown at a 1-based position in a turn (append-only)."""

    __tablename__ = "impressions"
    __table_args__ = (CheckConstraint(SOURCE_CHECK, name="source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    turn_id: Mapped[int] = mapped_column(ForeignKey("turns.id", ondelete="CASCADE"))
    session_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("chat_sessions.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[str] = mapped_column(String(64), ForeignKey("products.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    query: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), default="live", server_default=text("'live'"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Retrieval scores/ranks and model score at serving time, so training sees what serving saw.
    signals: Mapped[dict[str, Any]] = mapped_column(default=dict, server_default=text("'{}'"))
    # Which ranker ordered the list ("diversified", "ctr:<model version>"), for experiments.
    ranker: Mapped[str] = mapped_column(String(64), default="", server_default=text("''"))


class EventRow(Base):
    """A shopper action on a product: click, add to cart or purchase (append-only)."""

    __tablename__ = "events"
    __table_args__ = (
        CheckConstraint(EVENT_TYPE_CHECK, name="type"),
        CheckConstraint(SOURCE_CHECK, name="source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("chat_sessions.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[str] = mapped_column(String(64), ForeignKey("products.id"), index=True)
    turn_id: Mapped[int | None] = mapped_column(ForeignKey("turns.id", ondelete="SET NULL"))
    type: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(16), default="live", server_default=text("'live'"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- Orders and returns (issue 6, ORDERS) -------------------------------------------------

ORDER_STATUS_CHECK = "status IN ('processing', 'shipped', 'delivered', 'returned', 'cancelled')"
RETURN_STATUS_CHECK = "status IN ('requested', 'approved', 'received', 'refunded', 'rejected')"
RETURN_REASON_CHECK = "reason IN ('changed_mind', 'defective', 'wrong_item', 'damaged')"
RETURN_KIND_CHECK = "kind IN ('return', 'warranty')"


class CustomerRow(Base):
    """A shopper with an account; ``id`` is the stable key tokens are signed over."""

    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrderRow(Base):
    """An order of one customer; the dates record each status change."""

    __tablename__ = "orders"
    __table_args__ = (CheckConstraint(ORDER_STATUS_CHECK, name="status"),)

    number: Mapped[str] = mapped_column(String(16), primary_key=True)
    customer_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    placed_at: Mapped[datetime]
    shipped_at: Mapped[datetime | None]
    delivered_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    carrier: Mapped[str] = mapped_column(String(64), default="", server_default=text("''"))
    tracking_number: Mapped[str] = mapped_column(String(64), default="", server_default=text("''"))
    payment_method: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))


class OrderLineRow(Base):
    """One item of an order; title and category are snapshots taken when the order was placed."""

    __tablename__ = "order_lines"
    __table_args__ = (UniqueConstraint("order_number", "line_number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    order_number: Mapped[str] = mapped_column(
        String(16), ForeignKey("orders.number", ondelete="CASCADE")
    )
    line_number: Mapped[int] = mapped_column(Integer)
    # No foreign key to products: the store's catalog may drop a product an order still holds.
    product_id: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(1000))
    category: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(Numeric(12, 2))


class ReturnRequestRow(Base):
    """A return (or warranty claim) of one order line; at most one per line."""

    __tablename__ = "return_requests"
    __table_args__ = (
        UniqueConstraint("order_number", "line_number"),
        CheckConstraint(RETURN_STATUS_CHECK, name="status"),
        CheckConstraint(RETURN_REASON_CHECK, name="reason"),
        CheckConstraint(RETURN_KIND_CHECK, name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rma: Mapped[str] = mapped_column(String(40), unique=True)
    order_number: Mapped[str] = mapped_column(
        String(16), ForeignKey("orders.number", ondelete="CASCADE")
    )
    line_number: Mapped[int] = mapped_column(Integer)
    customer_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(16))
    opened: Mapped[bool | None]
    status: Mapped[str] = mapped_column(String(16), index=True)
    staff_note: Mapped[str] = mapped_column(Text, default="", server_default=text("''"))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    refund_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    requested_at: Mapped[datetime]
    approved_at: Mapped[datetime | None]
    received_at: Mapped[datetime | None]
    refunded_at: Mapped[datetime | None]
    rejected_at: Mapped[datetime | None]


# --- Customer service desk: handoffs, staff accounts and tokens, staff messages (issue 6, DESK) ---

HANDOFF_STATUS_CHECK = "status IN ('open', 'closed')"
STAFF_ROLE_CHECK = "role IN ('agent', 'viewer')"


class HandoffRow(Base):
    """A conversation flagged for staff; at most one open handoff per chat session."""

    __tablename__ = "handoffs"
    __table_args__ = (
        CheckConstraint(HANDOFF_STATUS_CHECK, name="status"),
        # One open handoff per session: a second flag returns the open one (no duplicates).
        Index(
            "uq_handoffs_open_session",
            "session_id",
            unique=True,
            sqlite_where=text("status = 'open'"),
            postgresql_where=text("status = 'open'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("chat_sessions.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), index=True)
    reason: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    order_number: Mapped[str | None] = mapped_column(String(40))
    customer_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    closed_by: Mapped[str | None] = mapped_column(String(64))


class StaffUserRow(Base):
    """A staff account; ``password_hash`` is an scrypt hash with its own salt and parameters."""

    __tablename__ = "staff_users"
    __table_args__ = (CheckConstraint(STAFF_ROLE_CHECK, name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    # true() renders 1 on SQLite and true on PostgreSQL (a boolean column refuses DEFAULT 1).
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StaffTokenRow(Base):
    """A staff login token, stored as its SHA-256 (the token itself is only given out once)."""

    __tablename__ = "staff_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    staff_id: Mapped[int] = mapped_column(
        ForeignKey("staff_users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class StaffMessageRow(Base):
    """A message a staff member wrote into a shopper's conversation."""

    __tablename__ = "staff_messages"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    session_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("chat_sessions.id", ondelete="CASCADE"), index=True
    )
    staff_username: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- Developer API (issue 7) ---------------------------------------------------------------


class ApiKeyRow(Base):
    """A developer API key, stored as its SHA-256; ``prefix`` is the public, listable part."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # Requests per minute for this key (None: the settings' default).
    rate_limit_per_minute: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class OpenAIThreadRow(Base):
    """Maps an OpenAI-style message history (its digest) to the assistant session continuing it.

    OpenAI clients resend the whole conversation each time; the digest of the history up to and
    including the assistant's last reply finds the session that produced that reply.
    """

    __tablename__ = "openai_threads"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(
        String(36), ForeignKey("chat_sessions.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
