"""Dialogue state: what the shopper has asked for so far, carried across turns."""

from __future__ import annotations

import statistics
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.parser import ParsedTurn
from retrieval.filters import SearchFilters


class DialogueState(BaseModel):
    """The session's current search: query text, filters, and what was shown last.

    Persisted as JSON on the chat session, so it survives restarts.
    """

    model_config = ConfigDict(extra="ignore")

    query: Annotated[str, Field(max_length=2000)] = ""
    filters: SearchFilters = Field(default_factory=SearchFilters)
    offset: Annotated[int, Field(ge=0)] = 0
    shown_ids: list[str] = Field(default_factory=list)
    shown_prices: list[Decimal] = Field(default_factory=list)

    @classmethod
    def from_stored(cls, data: dict[str, Any] | None) -> DialogueState:
        """Rebuild from the stored JSON; a state that no longer validates starts fresh."""
        try:
            return cls.model_validate(data or {})
        except ValidationError:
            return cls()

    def has_search(self) -> bool:
        return bool(self.query or not self.filters.is_empty())


def _cheaper_bound(state: DialogueState) -> Decimal | None:
    """ "Cheaper": below the median price of what was shown last."""
    if not state.shown_prices:
        return None
    median = Decimal(str(statistics.median(state.shown_prices)))
    return max(Decimal("0"), median - Decimal("0.01")).quantize(Decimal("0.01"))


def _new_filters(turn: ParsedTurn) -> SearchFilters:
    return SearchFilters(
        category=turn.category,
        brands=turn.brands,
        exclude_brands=turn.exclude_brands,
        price_min=turn.price_min,
        price_max=turn.price_max,
        color=turn.color,
    )


def _refined_filters(
    current: SearchFilters, turn: ParsedTurn, state: DialogueState
) -> SearchFilters:
    update: dict[str, Any] = {}
    if turn.category:
        update["category"] = turn.category
    if turn.brands:
        update["brands"] = list(turn.brands)
    if turn.exclude_brands:
        keep = [b for b in current.exclude_brands if b not in turn.exclude_brands]
        update["exclude_brands"] = keep + list(turn.exclude_brands)
        update["brands"] = [
            b for b in update.get("brands", current.brands) if b not in turn.exclude_brands
        ]
    if turn.brands:
        update["exclude_brands"] = [
            b for b in update.get("exclude_brands", current.exclude_brands) if b not in turn.brands
        ]
    if turn.price_min is not None or turn.price_max is not None:
        update["price_min"] = turn.price_min
        update["price_max"] = turn.price_max
    if turn.cheaper and (bound := _cheaper_bound(state)) is not None:
        update["price_max"] = bound
        if current.price_min is not None and current.price_min > bound:
            update["price_min"] = None
    if turn.color:
        update["color"] = turn.color
    return SearchFilters.model_validate({**current.model_dump(), **update})


def advance(state: DialogueState, turn: ParsedTurn, page_size: int) -> DialogueState:
    """The state after ``turn``: a new search resets it, a refinement builds on it.

    Example:
        >>> s = advance(DialogueState(), parser.parse("laptops", has_results=False), 5)
        >>> s = advance(s, parser.parse("under $800", has_results=True), 5)
        >>> (s.filters.category, s.filters.price_max)
        ('laptop', Decimal('800.00'))
    """
    if turn.intent == "search":
        return DialogueState(query=turn.query_text, filters=_new_filters(turn))
    if turn.intent == "refine":
        filters = _refined_filters(state.filters, turn, state)
        offset = state.offset + page_size if turn.more else 0
        return state.model_copy(update={"filters": filters, "offset": offset})
    return state
