"""Pydantic records the repositories take and return (never ORM rows)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, JsonValue, model_validator

EventType = Literal["click", "add_to_cart", "purchase"]
TrafficSource = Literal["live", "simulated"]

SessionId = Annotated[str, Field(min_length=1, max_length=36)]
ProductId = Annotated[str, Field(min_length=1, max_length=64)]
JsonObject = dict[str, JsonValue]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class UpsertCounts(_Record):
    """What :meth:`ProductRepository.upsert_many` did.

    Example:
        >>> UpsertCounts(inserted=2, updated=1, unchanged=7).total
        10
    """

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        """Number of distinct products written or compared."""
        return self.inserted + self.updated + self.unchanged


class SessionRecord(_Record):
    """A chat session and its latest dialogue state.

    Example:
        >>> SessionRecord(id="6f1c...", created_at=now, updated_at=now, state={})
    """

    id: str
    created_at: datetime
    updated_at: datetime
    state: JsonObject
    customer_id: str | None = None
    api_key_id: int | None = None


class ShownProduct(_Record):
    """A product shown to the shopper at a 1-based position with its ranking score.

    Example:
        >>> ShownProduct(product_id="3920564", position=1, score=0.87)
    """

    product_id: ProductId
    position: Annotated[int, Field(ge=1, le=1000)]
    score: float
    signals: dict[str, float] = Field(
        default_factory=dict,
        description="Ranking features at serving time (retrieval scores and ranks, model score).",
    )
    ranker: Annotated[str, Field(max_length=64)] = ""


class NewTurn(_Record):
    """Everything :meth:`ConversationRepository.record_turn` stores for one turn.

    ``state`` replaces the session's dialogue state; ``query`` is the retrieval query the shown
    products answered and is stored on each impression.

    Example:
        >>> NewTurn(session_id=sid, user_message="hp laptop under 800", reply="Here are 2...",
        ...         intent="search", filters={"brands": ["HP"]}, state={"category": "laptop"},
        ...         query="hp laptop", products=[ShownProduct(product_id="1", position=1,
        ...         score=0.9)])
    """

    session_id: SessionId
    user_message: Annotated[str, Field(max_length=10_000)]
    reply: Annotated[str, Field(max_length=50_000)]
    intent: Annotated[str, Field(min_length=1, max_length=64)]
    filters: JsonObject = Field(default_factory=dict)
    state: JsonObject = Field(default_factory=dict)
    query: Annotated[str, Field(max_length=10_000)] = ""
    products: Annotated[list[ShownProduct], Field(max_length=1000)] = Field(default_factory=list)
    latency_ms: Annotated[float, Field(ge=0)] | None = None
    source: TrafficSource = "live"

    @model_validator(mode="after")
    def _check_positions_unique(self) -> NewTurn:
        positions = [shown.position for shown in self.products]
        if len(positions) != len(set(positions)):
            raise ValueError("shown product positions must be unique within a turn")
        return self


class TurnRecord(_Record):
    """A stored turn with the products it showed, ordered by position."""

    id: int
    session_id: str
    turn_number: int
    user_message: str
    reply: str
    intent: str
    filters: JsonObject
    created_at: datetime
    latency_ms: float | None = None
    products: list[ShownProduct] = Field(default_factory=list)


class NewEvent(_Record):
    """A shopper action to record; ``turn_id`` is the turn whose result was acted on.

    Example:
        >>> NewEvent(session_id=sid, product_id="3920564", type="click", turn_id=turn.id)
    """

    session_id: SessionId
    product_id: ProductId
    type: EventType
    turn_id: int | None = None
    source: TrafficSource = "live"


class SessionActivity(NamedTuple):
    """A session's events and impressions, with product facts (for CTR features).

    ``events``: ``(product_id, brand, category, price, type)`` oldest first; ``shown``:
    ``(product_id, brand, price, position)`` per impression, by turn and position.
    """

    events: list[tuple[str, str, str, Decimal, str]]
    shown: list[tuple[str, str, Decimal, int]]


class EventRecord(_Record):
    """A stored shopper action."""

    id: int
    session_id: str
    product_id: str
    turn_id: int | None
    type: EventType
    source: TrafficSource
    created_at: datetime
