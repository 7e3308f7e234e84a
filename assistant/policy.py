"""The turn decision: the classifier's intent, checked against the slots and the dialogue.

The label always comes from the trained classifier; the slots only veto what cannot be
carried out: a ``refine`` with nothing to refine is a ``search``, a ``refine`` naming another
category starts a new ``search``, a ``search`` that only adds filters to an active search
("only HP", "under $800") refines it, "show more" pages on, a ``compare`` needs two products
it can resolve, and a question about a product with nothing shown but product words in it
("do you have 17 inch laptops?") is a search. Below ``min_confidence`` the assistant asks
a clarifying question instead of acting, unless the slots clearly back the label.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from assistant.dialogue import DialogueState
from assistant.intents.base import SHOPPING_INTENTS, SUPPORT_INTENTS, IntentLabel, IntentPrediction
from assistant.parser import ParsedTurn
from assistant.references import References, resolve
from assistant.support.handoff import is_affirmative, is_negative
from assistant.support.return_flow import continuing_intent
from retrieval.catalog.product import Product

Action = Literal[
    "search", "refine", "page", "compare", "answer", "clarify", "support", "greet", "fallback"
]


class Decision(BaseModel):
    """What the assistant does with a turn and the intent it reports.

    Example:
        >>> Decision(intent="refine", action="page", label="search", confidence=0.9)
    """

    model_config = ConfigDict(frozen=True)

    intent: IntentLabel
    action: Action
    label: IntentLabel
    confidence: float
    product_ids: tuple[str, ...] = ()
    missing_positions: tuple[int, ...] = ()
    reason: str = ""


class IntentPolicy:
    """Turns a classifier prediction plus the parsed slots into a :class:`Decision`.

    Example:
        >>> policy = IntentPolicy(min_confidence=0.5)
        >>> policy.decide(prediction, turn, DialogueState(), shown=[]).action
        'search'
    """

    def __init__(self, min_confidence: float = 0.5) -> None:
        if not 0.0 <= min_confidence < 1.0:
            raise ValueError("min_confidence must be in [0, 1)")
        self.min_confidence = min_confidence

    def decide(
        self,
        prediction: IntentPrediction,
        turn: ParsedTurn,
        state: DialogueState,
        shown: Sequence[Product],
    ) -> Decision:
        """Decide the action for ``turn``; ``shown`` are the products of the last result list."""
        label = prediction.label
        if (offer := _offer_answer(turn, state)) is not None:
            return _make(prediction, offer, "support", reason="answer to the offer of a person")
        if (flow := continuing_intent(turn.text, state.support_state, label)) is not None:
            return _make(prediction, flow, "support", reason="answer in an order walk-through")
        if prediction.confidence < self.min_confidence and not _backed(label, turn, shown):
            return _make(prediction, "other", "clarify", reason="low confidence")
        if label == "other" and (turn.category or turn.brands):
            label = "search"  # product words with no other reading are a search
        if label in ("compare", "product_question") and not shown and turn.has_filter_slots():
            label = "search"  # "do you have 17 inch laptops?" with nothing shown yet
        if label in SHOPPING_INTENTS:
            return _shopping(prediction, label, turn, state, shown)
        if label in ("compare", "product_question"):
            return _about_products(prediction, label, turn, state, shown)
        if label in SUPPORT_INTENTS:
            return _make(prediction, label, "support")
        if label == "greeting":
            return _make(prediction, label, "greet")
        return _make(prediction, "other", "fallback")


def _make(
    prediction: IntentPrediction,
    intent: IntentLabel,
    action: Action,
    *,
    ids: tuple[str, ...] = (),
    missing: tuple[int, ...] = (),
    reason: str = "",
) -> Decision:
    return Decision(
        intent=intent,
        action=action,
        label=prediction.label,
        confidence=prediction.confidence,
        product_ids=ids,
        missing_positions=missing,
        reason=reason,
    )


def _offer_answer(turn: ParsedTurn, state: DialogueState) -> IntentLabel | None:
    """A "yes" (``human_agent``) or "no" (``other``) right after the desk offered a person."""
    if not (state.support_state.get("desk") or {}).get("offered_human"):
        return None
    if is_affirmative(turn.text):
        return "human_agent"
    return "other" if is_negative(turn.text) else None


def _backed(label: IntentLabel, turn: ParsedTurn, shown: Sequence[Product]) -> bool:
    """Whether the slots clearly support a label the classifier is unsure about."""
    if label in SHOPPING_INTENTS:
        return turn.has_shopping_slots()
    if label in ("compare", "product_question"):
        return bool(shown) and turn.references.is_explicit()
    return False


def _shopping(
    prediction: IntentPrediction,
    label: IntentLabel,
    turn: ParsedTurn,
    state: DialogueState,
    shown: Sequence[Product],
) -> Decision:
    active = state.has_search()
    new_category = bool(turn.category) and turn.category != state.filters.category
    ids = _explicit_ids(turn.references, shown, state)
    if turn.more and active and state.shown_ids and not turn.has_filter_slots():
        return _make(prediction, "refine", "page", reason="show more")
    if label == "refine" and not active:
        return _make(prediction, "search", "search", reason="nothing to refine")
    if label == "refine" and new_category:
        return _make(prediction, "search", "search", reason="new category")
    slots_only = not turn.content_words and not turn.category
    refines = turn.has_filter_slots() or turn.relative_price is not None
    if label == "search" and active and slots_only and refines:
        return _make(prediction, "refine", "refine", ids=ids, reason="slots only")
    if label == "refine":
        return _make(prediction, "refine", "refine", ids=ids)
    return _make(prediction, "search", "search", ids=ids)


def _about_products(
    prediction: IntentPrediction,
    label: IntentLabel,
    turn: ParsedTurn,
    state: DialogueState,
    shown: Sequence[Product],
) -> Decision:
    refs = turn.references
    if label == "compare" and not refs.is_explicit():
        refs = refs.model_copy(update={"deixis": "plural"})
    found = resolve(refs, shown, state.focus_ids)
    action: Action = "compare" if label == "compare" else "answer"
    return _make(prediction, label, action, ids=found.ids, missing=found.missing)


def _explicit_ids(
    refs: References, shown: Sequence[Product], state: DialogueState
) -> tuple[str, ...]:
    if not refs.is_explicit() or not shown:
        return ()
    return resolve(refs, shown, state.focus_ids).ids
