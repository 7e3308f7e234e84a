"""In-memory stand-ins for the SQL conversation store and the retriever (unit tests only)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from db.records import NewTurn, SessionRecord, TurnRecord
from retrieval.catalog.product import Product
from retrieval.search import Candidate, Candidates, SearchQuery


class MemoryConversations:
    """Keeps sessions and turns in dicts, with the same validation of records as SQL."""

    def __init__(self) -> None:
        self.sessions: dict[str, SessionRecord] = {}
        self.turns: list[TurnRecord] = []

    def create_session(
        self, state: dict[str, Any] | None = None, api_key_id: int | None = None
    ) -> SessionRecord:
        now = datetime.now(UTC)
        record = SessionRecord(
            id=str(uuid.uuid4()),
            created_at=now,
            updated_at=now,
            state=state or {},
            api_key_id=api_key_id,
        )
        self.sessions[record.id] = record
        return record

    def get_session(self, session_id: str) -> SessionRecord | None:
        return self.sessions.get(session_id)

    def set_customer(self, session_id: str, customer_id: str) -> SessionRecord:
        session = self.sessions[session_id]
        if session.customer_id is None:
            session = session.model_copy(update={"customer_id": customer_id})
            self.sessions[session_id] = session
        return session

    def record_turn(self, turn: NewTurn) -> TurnRecord:
        session = self.sessions[turn.session_id]
        self.sessions[session.id] = session.model_copy(update={"state": turn.state})
        record = TurnRecord(
            id=len(self.turns) + 1,
            session_id=session.id,
            turn_number=1 + sum(t.session_id == session.id for t in self.turns),
            user_message=turn.user_message,
            reply=turn.reply,
            intent=turn.intent,
            filters=turn.filters,
            created_at=datetime.now(UTC),
            products=turn.products,
        )
        self.turns.append(record)
        return record


class CatalogRetriever:
    """Filters a product list like the vector store's where clause; keeps list order."""

    def __init__(self, products: Sequence[Product]) -> None:
        self.products = list(products)
        self.queries: list[SearchQuery] = []

    def retrieve(self, query: SearchQuery) -> Candidates:
        self.queries.append(query)
        f = query.filters
        found = [
            p
            for p in self.products
            if (f.category is None or p.category == f.category)
            and (not f.brands or p.brand in f.brands)
            and p.brand not in f.exclude_brands
            and (f.price_min is None or p.price >= f.price_min)
            and (f.price_max is None or p.price <= f.price_max)
        ][: query.k]
        items = [Candidate(product=p, score=0.5, rank=i) for i, p in enumerate(found, start=1)]
        return Candidates(query=query, items=items)

    def get_many(self, ids: Sequence[str]) -> dict[str, Product]:
        return {p.id: p for p in self.products if p.id in set(ids)}
