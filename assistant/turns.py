"""What the assistant answers for each decided action (search, compare, answer, support...)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from assistant import messages
from assistant.compare import ComparisonTable, build_comparison, comparison_text
from assistant.dialogue import DialogueState, with_results
from assistant.formatting import money
from assistant.intents.base import IntentPrediction
from assistant.parser import ParsedTurn
from assistant.policy import Decision
from assistant.product_qa import answer_question
from assistant.replies import ProductCard, cards_for, search_reply, vague_followup
from assistant.shopping import ProductSearch
from assistant.support.turn_hook import SupportTurns
from assistant.support.types import Source
from retrieval.catalog.product import Product
from retrieval.catalog.taxonomy import category_label


class ProductLookup(Protocol):
    def get_many(self, ids: Sequence[str]) -> dict[str, Product]: ...


class TurnOutcome(BaseModel):
    """The reply of one turn, the cards and comparison it shows, and the state after it.

    Example:
        >>> TurnOutcome(reply="Hello!", state=DialogueState()).cards
        []
    """

    model_config = ConfigDict(frozen=True)

    reply: str
    state: DialogueState
    cards: list[ProductCard] = Field(default_factory=list)
    comparison: ComparisonTable | None = None
    query: str = ""
    # Parallel to ``cards``: the serving signals logged with each impression, and the ranker.
    signals: list[dict[str, float]] = Field(default_factory=list)
    ranker: str = ""
    # Policy passages a support answer quotes (issue 6).
    sources: list[Source] = Field(default_factory=list)


class TurnResponder:
    """Carries out a :class:`~assistant.policy.Decision` and words the reply.

    Example:
        >>> responder = TurnResponder(ProductSearch(retriever, ranker), repository, results_k=5)
        >>> responder.respond(turn, decision, before, after, shown, prediction).reply
        'Here are 5 laptops under $800.00. ...'
    """

    def __init__(
        self,
        search: ProductSearch,
        products: ProductLookup,
        *,
        results_k: int,
        support: SupportTurns | None = None,
    ) -> None:
        if results_k <= 0:
            raise ValueError("results_k must be positive")
        self._search = search
        self._products = products
        self._support = support
        self.results_k = results_k

    def respond(
        self,
        turn: ParsedTurn,
        decision: Decision,
        before: DialogueState,
        after: DialogueState,
        shown: Sequence[Product],
        prediction: IntentPrediction,
        session_id: str | None = None,
        customer_id: str | None = None,
    ) -> TurnOutcome:
        """The outcome of ``decision``; support turns go to the support desk when one is wired."""
        support = self._support
        if support is None or session_id is None:
            return self._respond(turn, decision, before, after, shown, prediction, session_id)
        if decision.action == "support":
            done = support.support(turn.text, decision, prediction, after, session_id, customer_id)
            return TurnOutcome(reply=done.reply, state=done.state, sources=done.sources)
        outcome = self._respond(turn, decision, before, after, shown, prediction, session_id)
        settled = support.settle(
            outcome.reply, outcome.state, decision, prediction, turn.text, session_id, customer_id
        )
        return outcome.model_copy(
            update={"reply": settled.reply, "state": settled.state, "sources": settled.sources}
        )

    def _respond(
        self,
        turn: ParsedTurn,
        decision: Decision,
        before: DialogueState,
        after: DialogueState,
        shown: Sequence[Product],
        prediction: IntentPrediction,
        session_id: str | None,
    ) -> TurnOutcome:
        action = decision.action
        if action in ("search", "refine", "page"):
            return self._shop(decision, before, after, session_id)
        if action == "compare":
            return self._compare(decision, after, shown)
        if action == "answer":
            return self._answer(turn, decision, after, shown)
        if action == "support":
            reply = messages.support_reply(decision.intent, after.order_number, after.has_search())
        elif action == "greet":
            reply = messages.GREETING_REPLY
        elif action == "clarify":
            reply = messages.clarify_reply(prediction)
        else:
            reply = messages.FALLBACK_REPLY
        return TurnOutcome(reply=reply, state=after)

    def _shop(
        self,
        decision: Decision,
        before: DialogueState,
        after: DialogueState,
        session_id: str | None,
    ) -> TurnOutcome:
        filters = after.filters
        query = after.query or (category_label(filters.category) if filters.category else "")
        ranked = self._search.run(query, filters, self.results_k, after.offset, session_id)
        paged = decision.action == "page"
        reply = search_reply(ranked, filters, paged=paged or after.offset > 0)
        if paged and not ranked.items:
            # Past the end: keep the last page on screen and in the state.
            kept = before.model_copy(update={"last_intent": after.last_intent})
            return TurnOutcome(reply=reply, state=kept, query=query)
        if decision.action == "search" and (question := vague_followup(ranked, filters)):
            top = ranked.items[0].product
            reply = (
                f"Here are a few ideas; the closest match is {top.title} at "
                f"{money(top.price)}. {question}"
            )
        cards = cards_for(ranked, filters, query)
        state = with_results(after, [c.id for c in cards], [c.price for c in cards])
        signals = [ranked.signals_at(i) for i in range(len(cards))]
        return TurnOutcome(
            reply=reply,
            state=state,
            cards=cards,
            query=query,
            signals=signals,
            ranker=ranked.ranker,
        )

    def _chosen(self, ids: Sequence[str], shown: Sequence[Product]) -> list[Product]:
        by_id = {p.id: p for p in shown}
        missing = [i for i in ids if i not in by_id]
        if missing:
            by_id.update(self._products.get_many(missing))
        return [by_id[i] for i in ids if i in by_id]

    def _compare(
        self, decision: Decision, state: DialogueState, shown: Sequence[Product]
    ) -> TurnOutcome:
        if not shown:
            return TurnOutcome(reply=messages.nothing_shown_reply(), state=state)
        if decision.missing_positions:
            reply = messages.missing_positions_reply(decision.missing_positions, len(shown))
            return TurnOutcome(reply=reply, state=state)
        products = self._chosen(decision.product_ids, shown)
        if len(products) < 2:
            return TurnOutcome(reply=messages.compare_needs_two_reply(len(products)), state=state)
        positions = [_position(state, p.id) for p in products]
        table = build_comparison(products, positions)
        return TurnOutcome(reply=comparison_text(table, products), state=state, comparison=table)

    def _answer(
        self, turn: ParsedTurn, decision: Decision, state: DialogueState, shown: Sequence[Product]
    ) -> TurnOutcome:
        if not shown and not decision.product_ids:
            return TurnOutcome(reply=messages.nothing_shown_reply(), state=state)
        if decision.missing_positions:
            reply = messages.missing_positions_reply(decision.missing_positions, len(shown))
            return TurnOutcome(reply=reply, state=state)
        products = self._chosen(decision.product_ids, shown)
        if not products:
            known = {p.brand.lower() for p in shown}
            missing = tuple(b for b in turn.references.brands if b.lower() not in known)
            return TurnOutcome(reply=messages.which_product_reply(missing), state=state)
        answer = answer_question(turn.text, products[0], turn.compatible_with)
        return TurnOutcome(reply=answer.text, state=state)


def _position(state: DialogueState, product_id: str) -> int | None:
    return state.shown_ids.index(product_id) + 1 if product_id in state.shown_ids else None
