"""Dialogue state: what the shopper has asked for so far, carried across turns.

Slots carry over ("laptops" -> "under $800" -> "only HP" keeps all three). A search for
another category starts over, keeping only the brands the shopper ruled out ("not HP").
A search in the same category keeps what still applies. Support turns (returns, orders)
and questions about products leave the search untouched, so shopping resumes where it was.
"""

from __future__ import annotations

import statistics
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.intents.base import IntentLabel
from assistant.parser import ParsedTurn
from retrieval.filters import SearchFilters

if TYPE_CHECKING:
    from assistant.policy import Decision

_MAX_QUERY_CHARS = 300
_ATTRIBUTE_PAIRS = (
    ("screen_inches_min", "screen_inches_max"),
    ("memory_gb_min", "memory_gb_max"),
    ("cable_length_m_min", "cable_length_m_max"),
)
_CENT = Decimal("0.01")
_MAX_BRANDS = 50


class DialogueState(BaseModel):
    """The session's current search, what was shown last and what was talked about.

    Persisted as JSON on the chat session, so it survives restarts.

    Example:
        >>> DialogueState(query="laptops", filters=SearchFilters(category="laptop")).has_search()
        True
    """

    model_config = ConfigDict(extra="ignore")

    query: Annotated[str, Field(max_length=2000)] = ""
    filters: SearchFilters = Field(default_factory=SearchFilters)
    offset: Annotated[int, Field(ge=0)] = 0
    shown_ids: list[str] = Field(default_factory=list)
    shown_prices: list[Decimal] = Field(default_factory=list)
    focus_ids: list[str] = Field(default_factory=list)
    last_intent: IntentLabel | None = None
    order_number: Annotated[str, Field(max_length=40)] | None = None
    # Customer service (issue 6): the support handlers' own state (a return walk-through, an
    # offered hand-over to a person), keyed by handler, and the unresolved turns in a row.
    support_state: dict[str, Any] = Field(default_factory=dict)
    failed_turns: Annotated[int, Field(ge=0)] = 0

    @classmethod
    def from_stored(cls, data: dict[str, Any] | None) -> DialogueState:
        """Rebuild from the stored JSON; a state that no longer validates starts fresh."""
        try:
            return cls.model_validate(data or {})
        except ValidationError:
            return cls()

    def has_search(self) -> bool:
        return bool(self.query or not self.filters.is_empty())

    def price_of(self, product_id: str) -> Decimal | None:
        """The price a shown product was shown at."""
        if product_id in self.shown_ids:
            index = self.shown_ids.index(product_id)
            if index < len(self.shown_prices):
                return self.shown_prices[index]
        return None


def _relative_bound(state: DialogueState, reference_ids: tuple[str, ...]) -> Decimal | None:
    """The price a "cheaper"/"more expensive" is relative to: a named product, else the
    median of what was shown last."""
    for product_id in reference_ids:
        if (price := state.price_of(product_id)) is not None:
            return price
    if not state.shown_prices:
        return None
    return Decimal(str(statistics.median(state.shown_prices))).quantize(_CENT)


def _price_update(
    current: SearchFilters, turn: ParsedTurn, state: DialogueState, ids: tuple[str, ...]
) -> dict[str, Any]:
    low, high = current.price_min, current.price_max
    if turn.price_min is not None and turn.price_max is not None:
        low, high = turn.price_min, turn.price_max
    elif turn.price_max is not None:
        high = turn.price_max
        low = low if low is not None and low <= high else None
    elif turn.price_min is not None:
        low = turn.price_min
        high = high if high is not None and high >= low else None
    elif turn.relative_price and (bound := _relative_bound(state, ids)) is not None:
        if turn.relative_price == "lower":
            high = max(Decimal("0"), bound - _CENT)
            low = low if low is not None and low <= high else None
        else:
            low = bound + _CENT
            high = high if high is not None and high >= low else None
    return {"price_min": low, "price_max": high}


def _brand_update(current: SearchFilters, turn: ParsedTurn) -> dict[str, Any]:
    brands = list(turn.brands) if turn.brands else list(current.brands)
    excluded = [b for b in current.exclude_brands if b not in turn.brands]
    excluded += [b for b in turn.exclude_brands if b not in excluded]
    # SearchFilters holds at most 50 of each; the latest mentions win.
    kept = [b for b in brands if b not in excluded][-_MAX_BRANDS:]
    return {"brands": kept, "exclude_brands": excluded[-_MAX_BRANDS:]}


def merge_filters(
    current: SearchFilters, turn: ParsedTurn, state: DialogueState, ids: tuple[str, ...] = ()
) -> SearchFilters:
    """``current`` with what ``turn`` adds or replaces (a refinement)."""
    update: dict[str, Any] = {**_brand_update(current, turn)}
    update.update(_price_update(current, turn, state, ids))
    if turn.category:
        update["category"] = turn.category
    if turn.color:
        update["color"] = turn.color
    if turn.compatible_with:
        update["compatible_with"] = turn.compatible_with
    attributes = turn.attributes
    for low, high in _ATTRIBUTE_PAIRS:
        if getattr(attributes, low) is not None or getattr(attributes, high) is not None:
            update[low], update[high] = getattr(attributes, low), getattr(attributes, high)
    return SearchFilters.model_validate({**current.model_dump(), **update})


def _refined_query(query: str, turn: ParsedTurn) -> str:
    known = set(query.lower().split())
    extra = [w for w in turn.content_words if w not in known]
    combined = " ".join([query, *extra]).strip()
    return combined[-_MAX_QUERY_CHARS:]


def _searched(state: DialogueState, turn: ParsedTurn, ids: tuple[str, ...]) -> DialogueState:
    same_topic = state.has_search() and turn.category == state.filters.category
    if same_topic and turn.category is not None:
        filters = merge_filters(state.filters, turn, state, ids)
    else:
        kept = SearchFilters(exclude_brands=state.filters.exclude_brands)
        filters = merge_filters(kept, turn, DialogueState(), ids)
    query = turn.query_text[:_MAX_QUERY_CHARS] or state.query
    return DialogueState(
        query=query,
        filters=filters,
        order_number=state.order_number,
        support_state=state.support_state,
    )


def advance(
    state: DialogueState, turn: ParsedTurn, decision: Decision, page_size: int
) -> DialogueState:
    """The state after ``turn`` (before the new results are recorded in it).

    Example:
        >>> s = advance(DialogueState(), parser.parse("laptops"), search_decision, 5)
        >>> s = advance(s, parser.parse("under $800"), refine_decision, 5)
        >>> (s.filters.category, s.filters.price_max)
        ('laptop', Decimal('800.00'))
    """
    update: dict[str, Any] = {"last_intent": decision.intent}
    if turn.order_number:
        update["order_number"] = turn.order_number
    if decision.action == "search":
        return _searched(state, turn, decision.product_ids).model_copy(update=update)
    if decision.action == "refine":
        update["filters"] = merge_filters(state.filters, turn, state, decision.product_ids)
        update["query"] = _refined_query(state.query, turn)
        update["offset"] = 0
    elif decision.action == "page":
        update["offset"] = state.offset + page_size
    elif decision.action in ("compare", "answer") and decision.product_ids:
        update["focus_ids"] = list(decision.product_ids)
    return state.model_copy(update=update)


def with_results(state: DialogueState, ids: list[str], prices: list[Decimal]) -> DialogueState:
    """Record the products a shopping turn showed (they are what references point at)."""
    return state.model_copy(update={"shown_ids": ids, "shown_prices": prices, "focus_ids": []})
