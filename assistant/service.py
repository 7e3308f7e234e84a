"""One assistant turn end to end: parse, update state, retrieve, rank, reply, persist."""

from __future__ import annotations

import logging
import time
from typing import Any, Literal, Protocol

from pydantic import BaseModel, Field

from assistant.dialogue import DialogueState, advance
from assistant.errors import InvalidMessageError, UnknownSessionError
from assistant.parser import Intent, ParsedTurn, TurnParser
from assistant.replies import ProductCard, cards_for, non_search_reply, search_reply
from db.records import NewTurn, SessionRecord, ShownProduct, TurnRecord
from ranking.rerank import RankedProducts, Ranker, RankingContext
from retrieval.catalog.taxonomy import category_label
from retrieval.filters import SearchFilters
from retrieval.search import Candidates, SearchQuery

log = logging.getLogger(__name__)


class Retriever(Protocol):
    def retrieve(self, query: SearchQuery) -> Candidates: ...


class ConversationStore(Protocol):
    def create_session(self, state: dict[str, Any] | None = None) -> SessionRecord: ...

    def get_session(self, session_id: str) -> SessionRecord | None: ...

    def record_turn(self, turn: NewTurn) -> TurnRecord: ...


class ChatResult(BaseModel):
    """The assistant's answer to one message (the body of ``POST /api/v1/chat``)."""

    session_id: str
    turn_id: int
    intent: Intent
    filters: SearchFilters
    reply: str
    products: list[ProductCard]
    sources: list[dict[str, str]] = Field(default_factory=list)


class ShoppingAssistant:
    """Handles a shopper's turn and keeps the conversation in SQL.

    Example:
        >>> result = assistant.chat(None, "thin and light laptop under 800 dollars")
        >>> result.intent, result.filters.category, len(result.products)
        ('search', 'laptop', 5)
    """

    def __init__(
        self,
        parser: TurnParser,
        retriever: Retriever,
        ranker: Ranker,
        conversations: ConversationStore,
        *,
        candidates_k: int = 50,
        results_k: int = 5,
        max_message_chars: int = 2000,
    ) -> None:
        if candidates_k <= 0 or results_k <= 0:
            raise ValueError("candidates_k and results_k must be positive")
        if results_k > candidates_k:
            raise ValueError("results_k cannot exceed candidates_k")
        self._parser = parser
        self._retriever = retriever
        self._ranker = ranker
        self._conversations = conversations
        self.candidates_k = candidates_k
        self.results_k = results_k
        self.max_message_chars = max_message_chars

    def chat(
        self,
        session_id: str | None,
        message: str,
        source: Literal["live", "simulated"] = "live",
    ) -> ChatResult:
        started = time.perf_counter()
        text = message.strip()
        if not text:
            raise InvalidMessageError("message must not be empty")
        if len(text) > self.max_message_chars:
            raise InvalidMessageError(f"message is longer than {self.max_message_chars} characters")
        session = self._load_session(session_id)
        state = DialogueState.from_stored(session.state)
        turn = self._parser.parse(text, has_results=bool(state.shown_ids))
        new_state = advance(state, turn, self.results_k)
        ranked, reply, query = self._respond(turn, new_state)
        cards = cards_for(ranked, new_state.filters, query)
        if ranked.items:
            new_state = new_state.model_copy(
                update={
                    "shown_ids": [c.id for c in cards],
                    "shown_prices": [c.price for c in cards],
                }
            )
        record = self._conversations.record_turn(
            NewTurn(
                session_id=session.id,
                user_message=text,
                reply=reply,
                intent=turn.intent,
                filters=new_state.filters.model_dump(mode="json"),
                state=new_state.model_dump(mode="json"),
                query=query,
                products=[
                    ShownProduct(product_id=c.id, position=i, score=c.score)
                    for i, c in enumerate(cards, start=1)
                ],
                latency_ms=(time.perf_counter() - started) * 1000,
                source=source,
            )
        )
        log.info(
            "turn session=%s turn=%s intent=%s products=%d ms=%.1f",
            session.id, record.id, turn.intent, len(cards), (time.perf_counter() - started) * 1000,
        )  # fmt: skip
        return ChatResult(
            session_id=session.id,
            turn_id=record.id,
            intent=turn.intent,
            filters=new_state.filters,
            reply=reply,
            products=cards,
        )

    def search(self, text: str, filters: SearchFilters, k: int) -> list[ProductCard]:
        """Stateless product search (``POST /api/v1/search``), ranked like chat results."""
        query = SearchQuery(text=text, filters=filters, k=max(k, self.candidates_k))
        ranked = self._ranker.rank(self._retriever.retrieve(query), RankingContext(), k)
        return cards_for(ranked, filters, text)

    def _load_session(self, session_id: str | None) -> SessionRecord:
        if session_id is None:
            return self._conversations.create_session()
        session = self._conversations.get_session(session_id)
        if session is None:
            raise UnknownSessionError(f"unknown session {session_id!r}")
        return session

    def _respond(self, turn: ParsedTurn, state: DialogueState) -> tuple[RankedProducts, str, str]:
        if turn.intent not in ("search", "refine"):
            empty = RankedProducts(items=[], total_candidates=0, has_more=False)
            return empty, non_search_reply(turn), ""
        query = state.query or (
            category_label(state.filters.category) if state.filters.category else ""
        )
        candidates = self._retriever.retrieve(
            SearchQuery(text=query, filters=state.filters, k=self.candidates_k)
        )
        ranked = self._ranker.rank(candidates, RankingContext(offset=state.offset), self.results_k)
        return ranked, search_reply(ranked, state.filters, paged=state.offset > 0), query
