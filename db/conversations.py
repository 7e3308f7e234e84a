"""Chat sessions, their turns with the products shown (impressions), and shopper events."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import Any, cast

from pydantic import TypeAdapter
from sqlalchemy import (
    CompoundSelect,
    CursorResult,
    bindparam,
    case,
    func,
    insert,
    literal_column,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session, sessionmaker

from db.column_types import utcnow
from db.errors import InvalidReferenceError, NotFoundError
from db.models import ChatSessionRow, EventRow, ImpressionRow, ProductRow, TurnRow
from db.records import (
    EventRecord,
    JsonObject,
    NewEvent,
    NewTurn,
    SessionActivity,
    SessionRecord,
    ShownProduct,
    TrafficSource,
    TurnRecord,
)
from db.transactions import check_session_factory, read_connection, read_scope, write_scope

_JSON_OBJECT: TypeAdapter[JsonObject] = TypeAdapter(JsonObject)


def _session_record(row: ChatSessionRow) -> SessionRecord:
    return SessionRecord(
        id=row.id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        state=row.state,
        customer_id=row.customer_id,
        api_key_id=row.api_key_id,
    )


def _turn_record(row: TurnRow, products: list[ShownProduct]) -> TurnRecord:
    return TurnRecord(
        id=row.id,
        session_id=row.session_id,
        turn_number=row.turn_number,
        user_message=row.user_message,
        reply=row.reply,
        intent=row.intent,
        filters=row.filters,
        created_at=row.created_at,
        latency_ms=row.latency_ms,
        products=sorted(products, key=lambda shown: shown.position),
    )


def _event_record(row: EventRow) -> EventRecord:
    return EventRecord.model_validate(row, from_attributes=True)


def _store_state_locking_session(session: Session, turn: NewTurn, now: datetime) -> None:
    """Update the session's state as the transaction's first statement, taking its lock."""
    result = cast(
        CursorResult[Any],
        session.execute(
            update(ChatSessionRow)
            .where(ChatSessionRow.id == turn.session_id)
            .values(state=turn.state, updated_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount == 0:
        raise NotFoundError("session", turn.session_id)


def _require_session(session: Session, session_id: str) -> None:
    if session.scalar(select(ChatSessionRow.id).where(ChatSessionRow.id == session_id)) is None:
        raise NotFoundError("session", session_id)


def _require_products(session: Session, product_ids: set[str]) -> None:
    if not product_ids:
        return
    statement = select(ProductRow.id).where(ProductRow.id.in_(sorted(product_ids)))
    missing = product_ids - set(session.scalars(statement))
    if missing:
        raise NotFoundError("product", min(missing))


# A session's activity in one statement (read on every ranked turn, so one round trip):
# its events (kind 0, ordered by time and id) and its impressions (kind 1, by turn id and
# position), each with the product's facts.
_SESSION_ACTIVITY = cast("CompoundSelect[Any]", union_all(
    select(literal_column("0").label("kind"), EventRow.created_at.label("at"),
           EventRow.id.label("seq"), EventRow.product_id, ProductRow.brand, ProductRow.category,
           ProductRow.price, EventRow.type.label("event"), literal_column("0").label("position"))
    .join(ProductRow, ProductRow.id == EventRow.product_id)
    .where(EventRow.session_id == bindparam("session_id")),
    select(literal_column("1"), null(), ImpressionRow.turn_id,
           ImpressionRow.product_id, ProductRow.brand, ProductRow.category, ProductRow.price,
           literal_column("''"), ImpressionRow.position)
    .join(ProductRow, ProductRow.id == ImpressionRow.product_id)
    .where(ImpressionRow.session_id == bindparam("session_id")),
)).order_by("kind", "at", "seq", "position")  # fmt: skip


class ConversationRepository:
    """Stores conversations for replay, analytics and CTR training.

    Example:
        >>> repo = ConversationRepository(make_session_factory(engine))
        >>> chat = repo.create_session()
        >>> turn = repo.record_turn(NewTurn(session_id=chat.id, user_message="hi",
        ...                                 reply="Hello!", intent="greeting"))
        >>> turn.turn_number
        1
    """

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = check_session_factory(session_factory)

    def create_session(
        self, state: dict[str, Any] | None = None, api_key_id: int | None = None
    ) -> SessionRecord:
        """Start a chat session with a random UUID4 id and an initial dialogue state.

        ``api_key_id`` is the developer API key that starts it (it alone may use it later).

        Raises:
            pydantic.ValidationError: ``state`` is not JSON-compatible.
        """
        initial_state = _JSON_OBJECT.validate_python(state or {})
        now = utcnow()
        row = ChatSessionRow(
            id=str(uuid.uuid4()),
            created_at=now,
            updated_at=now,
            state=initial_state,
            api_key_id=api_key_id,
        )
        with write_scope(self._sessions) as session:
            session.add(row)
        return _session_record(row)

    def set_customer(self, session_id: str, customer_id: str) -> SessionRecord:
        """Tie an anonymous session to a customer; a session already tied keeps its customer.

        Returns the session as stored, so the caller can check who owns it.

        Raises:
            NotFoundError: Unknown session.
        """
        with write_scope(self._sessions) as session:
            session.execute(
                update(ChatSessionRow)
                .where(ChatSessionRow.id == session_id, ChatSessionRow.customer_id.is_(None))
                .values(customer_id=customer_id)
                .execution_options(synchronize_session=False)
            )
            row = session.get(ChatSessionRow, session_id)
            if row is None:
                raise NotFoundError("session", session_id)
            return _session_record(row)

    def get_session(self, session_id: str) -> SessionRecord | None:
        """The session with this id, or None."""
        with read_scope(self._sessions) as session:
            row = session.get(ChatSessionRow, session_id)
            return _session_record(row) if row is not None else None

    def record_turn(self, turn: NewTurn) -> TurnRecord:
        """Store a turn, one impression per shown product, and the session's new state.

        All in one transaction. The first statement updates the session row, which takes
        the write lock (SQLite, waiting up to busy_timeout, like ``BEGIN IMMEDIATE``) or the
        row lock (PostgreSQL) before the next turn number is read, so concurrent turns of
        one session are numbered 1, 2, 3... without gaps or collisions.

        Raises:
            NotFoundError: Unknown session (``entity="session"``) or shown product
                (``entity="product"``); nothing is stored.
        """
        now = utcnow()
        with write_scope(self._sessions) as session:
            _store_state_locking_session(session, turn, now)
            _require_products(session, {shown.product_id for shown in turn.products})
            last_number = session.scalar(
                select(func.max(TurnRow.turn_number)).where(TurnRow.session_id == turn.session_id)
            )
            row = TurnRow(
                session_id=turn.session_id,
                turn_number=(last_number or 0) + 1,
                user_message=turn.user_message,
                reply=turn.reply,
                intent=turn.intent,
                filters=turn.filters,
                created_at=now,
                latency_ms=turn.latency_ms,
            )
            session.add(row)
            session.flush()
            if turn.products:
                session.execute(insert(ImpressionRow), self._impressions(turn, row.id, now))
        return _turn_record(row, list(turn.products))

    def set_turn_reply(self, turn_id: int, reply: str) -> None:
        """Replace a stored turn's reply with the text the shopper was shown (a streamed wording).

        Raises:
            NotFoundError: Unknown turn; nothing is changed.
        """
        with write_scope(self._sessions) as session:
            updated = cast(
                CursorResult[Any],
                session.execute(
                    update(TurnRow)
                    .where(TurnRow.id == turn_id)
                    .values(reply=reply)
                    .execution_options(synchronize_session=False)
                ),
            )
            if updated.rowcount == 0:
                raise NotFoundError("turn", str(turn_id))

    @staticmethod
    def _impressions(turn: NewTurn, turn_id: int, now: datetime) -> list[dict[str, Any]]:
        return [
            {
                "turn_id": turn_id,
                "session_id": turn.session_id,
                "product_id": shown.product_id,
                "position": shown.position,
                "score": shown.score,
                "query": turn.query,
                "source": turn.source,
                "created_at": now,
                "signals": shown.signals,
                "ranker": shown.ranker,
            }
            for shown in turn.products
        ]

    def list_turns(self, session_id: str) -> list[TurnRecord]:
        """The session's turns in order, each with its shown products by position.

        Raises:
            NotFoundError: Unknown session.
        """
        with read_scope(self._sessions) as session:
            _require_session(session, session_id)
            turns = session.scalars(
                select(TurnRow)
                .where(TurnRow.session_id == session_id)
                .order_by(TurnRow.turn_number)
            ).all()
            impressions = session.execute(
                select(
                    ImpressionRow.turn_id,
                    ImpressionRow.product_id,
                    ImpressionRow.position,
                    ImpressionRow.score,
                    ImpressionRow.signals,
                    ImpressionRow.ranker,
                ).where(ImpressionRow.session_id == session_id)
            ).tuples()
            shown_by_turn: defaultdict[int, list[ShownProduct]] = defaultdict(list)
            for turn_id, product_id, position, score, signals, ranker in impressions:
                shown_by_turn[turn_id].append(
                    ShownProduct(
                        product_id=product_id,
                        position=position,
                        score=score,
                        signals=signals or {},
                        ranker=ranker or "",
                    )
                )
            return [_turn_record(row, shown_by_turn[row.id]) for row in turns]

    def record_event(self, new_event: NewEvent) -> EventRecord:
        """Store a click, add-to-cart or purchase.

        Raises:
            NotFoundError: Unknown session, product or turn.
            InvalidReferenceError: The turn belongs to another session.
        """
        row = EventRow(
            session_id=new_event.session_id,
            product_id=new_event.product_id,
            turn_id=new_event.turn_id,
            type=new_event.type,
            source=new_event.source,
            created_at=utcnow(),
        )
        with write_scope(self._sessions) as session:
            _require_session(session, new_event.session_id)
            _require_products(session, {new_event.product_id})
            if new_event.turn_id is not None:
                turn_session_id = session.scalar(
                    select(TurnRow.session_id).where(TurnRow.id == new_event.turn_id)
                )
                if turn_session_id is None:
                    raise NotFoundError("turn", new_event.turn_id)
                if turn_session_id != new_event.session_id:
                    raise InvalidReferenceError(
                        f"turn {new_event.turn_id} belongs to another session"
                    )
            session.add(row)
            session.flush()
        return _event_record(row)

    def list_events(self, session_id: str) -> list[EventRecord]:
        """The session's events, oldest first.

        Raises:
            NotFoundError: Unknown session.
        """
        with read_scope(self._sessions) as session:
            _require_session(session, session_id)
            rows = session.scalars(
                select(EventRow).where(EventRow.session_id == session_id).order_by(EventRow.id)
            )
            return [_event_record(row) for row in rows]

    def session_activity(self, session_id: str) -> SessionActivity:
        """What a session did so far, for CTR features: its events oldest first as
        ``(product_id, brand, category, price, type)``, and its impressions in order as
        ``(product_id, brand, price, position)``. An unknown session has neither."""
        # Read on every ranked turn: one statement, built once (its cache key too).
        with read_connection(self._sessions) as connection:
            rows = connection.execute(_SESSION_ACTIVITY, {"session_id": session_id}).all()
        events = [(r[3], r[4], r[5], r[6], r[7]) for r in rows if r[0] == 0]
        shown = [(r[3], r[4], r[6], int(r[8])) for r in rows if r[0] == 1]
        return SessionActivity(events=events, shown=shown)

    def impression_outcomes(
        self, source: TrafficSource | None = None
    ) -> dict[str, tuple[str, int, int]]:
        """Per shown product: ``(category, impressions, positive impressions)``.

        An impression is positive when the session clicked, carted or bought that product
        on that turn's results (an event naming the impression's turn). ``source`` limits
        the count to ``live`` or ``simulated`` traffic.
        """
        acted = (
            select(EventRow.turn_id, EventRow.product_id)
            .where(EventRow.turn_id.is_not(None))
            .distinct()
            .subquery()
        )
        positive = case((acted.c.turn_id.is_not(None), 1), else_=0)
        statement = (
            select(ImpressionRow.product_id, ProductRow.category, func.count(), func.sum(positive))
            .join(ProductRow, ProductRow.id == ImpressionRow.product_id)
            .outerjoin(
                acted,
                (acted.c.turn_id == ImpressionRow.turn_id)
                & (acted.c.product_id == ImpressionRow.product_id),
            )
            .group_by(ImpressionRow.product_id, ProductRow.category)
        )
        if source is not None:
            statement = statement.where(ImpressionRow.source == source)
        with read_scope(self._sessions) as session:
            rows = session.execute(statement).tuples().all()
        return {pid: (cat, int(n), int(pos or 0)) for pid, cat, n, pos in rows}
