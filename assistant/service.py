"""One assistant turn end to end: parse, classify, decide, update state, answer, persist."""

from __future__ import annotations

import logging
import time
from typing import Any, Literal, NamedTuple, Protocol

from pydantic import BaseModel, Field

from assistant.compare import ComparisonTable
from assistant.dialogue import DialogueState, advance
from assistant.errors import InvalidMessageError, UnknownSessionError
from assistant.intents.base import IntentClassifier, IntentContext, IntentLabel, IntentPrediction
from assistant.observability.context import log_context
from assistant.observability.stages import NullObserver, TurnObserver, timed
from assistant.observability.timed import TimedRanker, TimedRetriever
from assistant.parser import ParsedTurn, TurnParser
from assistant.phrasing.types import PhrasedBy, Phrasing
from assistant.policy import Decision, IntentPolicy
from assistant.replies import ProductCard, cards_for
from assistant.shopping import ProductSearch, Retriever
from assistant.support.identity import SessionOwnerError
from assistant.support.staff_feed import StaffMessageFeed, StaffReply, staff_replies
from assistant.support.turn_hook import SupportTurns
from assistant.support.types import Source
from assistant.turn_log import log_turn
from assistant.turns import ProductLookup, TurnOutcome, TurnResponder
from db.records import NewTurn, SessionRecord, ShownProduct, TurnRecord
from ranking.rerank import Ranker
from retrieval.catalog.product import Product
from retrieval.embedder import Embedder
from retrieval.filters import SearchFilters

log = logging.getLogger(__name__)

__all__ = ["ChatResult", "ConversationStore", "Retriever", "ShoppingAssistant"]


class ConversationStore(Protocol):
    def create_session(
        self, state: dict[str, Any] | None = None, api_key_id: int | None = None
    ) -> SessionRecord: ...

    def get_session(self, session_id: str) -> SessionRecord | None: ...

    def set_customer(self, session_id: str, customer_id: str) -> SessionRecord: ...

    def record_turn(self, turn: NewTurn) -> TurnRecord: ...


class ReplyPhraser(Protocol):
    """Rewords a turn's reply (optional LLM phrasing, :class:`assistant.phrasing.TurnPhraser`)."""

    def phrase_turn(
        self, intent: str, outcome: TurnOutcome, session_id: str | None = None
    ) -> Phrasing: ...


class ChatResult(BaseModel):
    """The assistant's answer to one message (the body of ``POST /api/v1/chat``).

    ``filters`` is the search state actually applied after this turn. ``comparison`` is only
    present on ``compare`` answers.

    Example:
        >>> assistant.chat(None, "compare 1 and 3").comparison is None  # nothing shown yet
        True
    """

    session_id: str
    turn_id: int
    intent: IntentLabel
    filters: SearchFilters
    reply: str
    products: list[ProductCard]
    sources: list[Source] = Field(
        default_factory=list, description="Policy passages the reply quotes (support answers)."
    )
    staff_messages: list[StaffReply] = Field(
        default_factory=list,
        exclude_if=lambda value: not value,
        description="Replies from the customer service team since the shopper's last message.",
    )
    comparison: ComparisonTable | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="Side-by-side of the compared products (compare answers only).",
    )
    phrased_by: PhrasedBy = Field(
        default="template",
        exclude_if=lambda value: value == "template",
        description="'llm' when a language model worded the reply (absent: the template reply).",
    )


class ShoppingAssistant:
    """Handles a shopper's turn and keeps the conversation in SQL.

    The message is embedded once; the trained intent classifier gets that vector, the slot
    parser reads the slots, and :class:`~assistant.policy.IntentPolicy` combines both with
    the dialogue state into the action taken.

    Example:
        >>> assistant = ShoppingAssistant(parser, retriever, ranker, conversations,
        ...                               classifier=classifier, embedder=embedder,
        ...                               products=repository)
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
        classifier: IntentClassifier,
        embedder: Embedder,
        products: ProductLookup,
        candidates_k: int = 50,
        results_k: int = 5,
        max_message_chars: int = 2000,
        min_confidence: float = 0.5,
        support: SupportTurns | None = None,
        staff_messages: StaffMessageFeed | None = None,
        phraser: ReplyPhraser | None = None,
        stages: TurnObserver | None = None,
    ) -> None:
        if candidates_k <= 0 or results_k <= 0:
            raise ValueError("candidates_k and results_k must be positive")
        if results_k > candidates_k:
            raise ValueError("results_k cannot exceed candidates_k")
        if max_message_chars <= 0:
            raise ValueError("max_message_chars must be positive")
        self._parser = parser
        self._classifier = classifier
        self._embedder = embedder
        self._products = products
        self._conversations = conversations
        self._policy = IntentPolicy(min_confidence)
        # Retrieval and ranking are timed as the "retrieve" and "rerank" stages of a turn.
        self._stages: TurnObserver = stages or NullObserver()
        self._search = ProductSearch(
            TimedRetriever(retriever, self._stages),
            TimedRanker(ranker, self._stages),
            candidates_k=candidates_k,
        )
        self._responder = TurnResponder(
            self._search, products, results_k=results_k, support=support
        )
        self._staff_messages = staff_messages
        self._phraser = phraser
        self.candidates_k = candidates_k
        self.results_k = results_k
        self.max_message_chars = max_message_chars

    def chat(
        self,
        session_id: str | None,
        message: str,
        source: Literal["live", "simulated"] = "live",
        customer_id: str | None = None,
        api_key_id: int | None = None,
        phrase: bool = True,
    ) -> ChatResult:
        """Answer one message; ``session_id`` ``None`` starts a new conversation.

        ``customer_id`` is the signed-in customer (verified by the caller); a session is tied
        to the first customer that uses it, and another customer (or nobody) using it later
        gets :class:`~assistant.support.identity.SessionOwnerError`. ``api_key_id`` is the
        developer API key making the call (None: the chat page, or no keys configured); a
        session started with a key is only found with that key. ``phrase=False`` skips LLM
        phrasing (a streaming caller phrases the result itself: ``TurnPhraser.stream_result``).
        """
        started = time.perf_counter()
        try:
            text = self._checked(message)
            with timed(self._stages, "store"):
                session = self._owned(self._load_session(session_id, api_key_id), customer_id)
            with log_context(session_id=session.id):
                return self._turn(session, text, started, source, phrase)
        except Exception as e:
            self._stages.observe_turn_error(type(e).__name__)
            raise

    def _turn(
        self,
        session: SessionRecord,
        text: str,
        started: float,
        source: Literal["live", "simulated"],
        phrase: bool,
    ) -> ChatResult:
        """Understand, answer and store one checked message of a loaded session (timed stages)."""
        state = DialogueState.from_stored(session.state)
        with timed(self._stages, "parse"):
            turn, prediction, decision, shown, after = self._understand(text, state)
        with timed(self._stages, "reply"):
            outcome = self._responder.respond(
                turn, decision, state, after, shown, prediction, session.id, session.customer_id
            )
            outcome, phrased_by = self._phrased(decision.intent, outcome, session.id, phrase)
        with timed(self._stages, "store"):
            record = self._record(session.id, text, decision.intent, outcome, started, source)
        self._stages.observe_intent(decision.intent)
        with log_context(turn_id=record.id):
            log_turn(prediction, decision, len(outcome.cards), started)
        return ChatResult(
            session_id=session.id,
            turn_id=record.id,
            intent=decision.intent,
            filters=outcome.state.filters,
            reply=outcome.reply,
            products=outcome.cards,
            comparison=outcome.comparison,
            sources=outcome.sources,
            staff_messages=self._staff_replies_since(session),
            phrased_by=phrased_by,
        )

    def _understand(self, text: str, state: DialogueState) -> _Understanding:
        """Slots, intent and the policy's decision for ``text`` in ``state``."""
        turn = self._parser.parse(text)
        vector = self._embedder.embed([text])[0]
        context = IntentContext(
            has_results=bool(state.shown_ids), previous_intent=state.last_intent
        )
        prediction = self._classifier.predict(text, vector, context)
        shown = self._shown(state)
        decision = self._policy.decide(prediction, turn, state, shown)
        after = advance(state, turn, decision, self.results_k)
        return _Understanding(turn, prediction, decision, shown, after)

    def _phrased(
        self, intent: str, outcome: TurnOutcome, session_id: str, phrase: bool
    ) -> tuple[TurnOutcome, PhrasedBy]:
        """The outcome with the model's wording when a phraser is set and its text is faithful."""
        if self._phraser is None or not phrase:
            return outcome, "template"
        phrasing = self._phraser.phrase_turn(intent, outcome, session_id)
        if phrasing.phrased_by == "template":
            return outcome, "template"
        return outcome.model_copy(update={"reply": phrasing.text}), "llm"

    def _staff_replies_since(self, session: SessionRecord) -> list[StaffReply]:
        """Staff replies written since the shopper's previous message (the session's last turn)."""
        if self._staff_messages is None:
            return []
        return staff_replies(self._staff_messages, session.id, since=session.updated_at)

    def search(self, text: str, filters: SearchFilters, k: int) -> list[ProductCard]:
        """Stateless product search (``POST /api/v1/search``), ranked like chat results."""
        return cards_for(self._search.top(text, filters, k), filters, text)

    def _checked(self, message: str) -> str:
        text = message.strip()
        if not text:
            raise InvalidMessageError("message must not be empty")
        if len(text) > self.max_message_chars:
            raise InvalidMessageError(f"message is longer than {self.max_message_chars} characters")
        return text

    def _owned(self, session: SessionRecord, customer_id: str | None) -> SessionRecord:
        """The session, tied to ``customer_id`` if it was anonymous; refused if someone else's."""
        if customer_id is not None and session.customer_id is None:
            session = self._conversations.set_customer(session.id, customer_id)
        if session.customer_id is not None and session.customer_id != customer_id:
            raise SessionOwnerError("this conversation belongs to another signed-in customer")
        return session

    def _load_session(self, session_id: str | None, api_key_id: int | None) -> SessionRecord:
        if session_id is None:
            return self._conversations.create_session(api_key_id=api_key_id)
        session = self._conversations.get_session(session_id)
        if session is None or not visible_to(session, api_key_id):
            raise UnknownSessionError(f"unknown session {session_id!r}")
        return session

    def _shown(self, state: DialogueState) -> list[Product]:
        """The products of the last result list, in card order (those still in the catalog)."""
        if not state.shown_ids:
            return []
        found = self._products.get_many(state.shown_ids)
        return [found[i] for i in state.shown_ids if i in found]

    def _record(
        self,
        session_id: str,
        text: str,
        intent: str,
        outcome: TurnOutcome,
        started: float,
        source: Literal["live", "simulated"],
    ) -> TurnRecord:
        return self._conversations.record_turn(
            NewTurn(
                session_id=session_id,
                user_message=text,
                reply=outcome.reply,
                intent=intent,
                filters=outcome.state.filters.model_dump(mode="json"),
                state=outcome.state.model_dump(mode="json"),
                query=outcome.query,
                products=_impressions(outcome),
                latency_ms=(time.perf_counter() - started) * 1000,
                source=source,
            )
        )


class _Understanding(NamedTuple):
    turn: ParsedTurn
    prediction: IntentPrediction
    decision: Decision
    shown: list[Product]
    after: DialogueState


def _impressions(outcome: TurnOutcome) -> list[ShownProduct]:
    """One impression per card, with the serving signals and the ranker that ordered them."""
    signals = outcome.signals + [{}] * (len(outcome.cards) - len(outcome.signals))
    return [
        ShownProduct(
            product_id=card.id,
            position=i,
            score=card.score,
            signals=signals[i - 1],
            ranker=outcome.ranker,
        )
        for i, card in enumerate(outcome.cards, start=1)
    ]


def visible_to(session: SessionRecord, api_key_id: int | None) -> bool:
    """Whether a caller may use a session: a key sees only its own sessions; a caller without a
    key (the chat page, or an API with no keys configured) is not restricted by key."""
    return api_key_id is None or session.api_key_id == api_key_id
