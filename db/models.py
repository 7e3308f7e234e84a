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
    Integer,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
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
