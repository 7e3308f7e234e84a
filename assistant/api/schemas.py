"""Request and response models of the HTTP API (separate from ORM rows and domain records)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.config import MESSAGE_CHARS_CEILING
from assistant.replies import ProductCard
from assistant.support.staff_feed import StaffReply
from retrieval.filters import JsonInt, SearchFilters

# Text that is stored or looked up in SQL has no NUL character: PostgreSQL text cannot hold
# one (the driver fails: a 5xx), so it is a 422 on every backend (issue 8, hostile input).
NO_NUL = r"^[^\x00]*$"
SessionId = Annotated[str, Field(min_length=1, max_length=36, pattern=NO_NUL)]
ProductId = Annotated[str, Field(min_length=1, max_length=64, pattern=NO_NUL)]
EventType = Literal["click", "add_to_cart", "purchase"]
# Row ids are SQL BIGINTs: a larger number would overflow the driver (a 500), so it is a 422.
SQL_INT_MAX = 2**63 - 1
RowId = Annotated[JsonInt, Field(ge=1, le=SQL_INT_MAX)]


class ChatRequest(BaseModel):
    """One shopper message; ``session_id`` null starts a new conversation."""

    model_config = ConfigDict(extra="forbid")

    session_id: SessionId | None = None
    message: Annotated[
        str,
        Field(
            min_length=1,
            max_length=MESSAGE_CHARS_CEILING,
            pattern=NO_NUL,
            description="At most `max_message_chars` characters (setting, default 2000); "
            "longer: 422 `invalid_message`.",
        ),
    ]
    customer_token: Annotated[
        str | None,
        Field(
            min_length=1,
            max_length=512,
            description="Signed customer token (`shopbot demo token <customer>`); needed for "
            "order, return and refund questions. Invalid or expired: 401.",
        ),
    ] = None


class SearchRequest(BaseModel):
    """A stateless product search."""

    model_config = ConfigDict(extra="forbid")

    query: Annotated[str, Field(max_length=2000)]
    k: Annotated[JsonInt, Field(ge=1, le=50)] = 10
    filters: SearchFilters = Field(default_factory=SearchFilters)


class SearchResponse(BaseModel):
    products: list[ProductCard]


class ProductDetail(BaseModel):
    """Everything the catalog knows about one product."""

    id: str
    title: str
    description: str
    brand: str
    category: str
    price: Decimal
    currency: str
    color: str
    attributes: dict[str, Any]
    image_url: str
    source: str


class EventRequest(BaseModel):
    """A shopper action on a product shown in a session."""

    model_config = ConfigDict(extra="forbid")

    session_id: SessionId
    product_id: ProductId
    type: EventType
    turn_id: RowId | None = None


class EventResponse(BaseModel):
    id: int
    session_id: str
    product_id: str
    type: EventType
    turn_id: int | None
    created_at: datetime


class ShownProductOut(BaseModel):
    product_id: str
    position: int
    score: float


class TurnOut(BaseModel):
    turn_id: int
    turn_number: int
    user_message: str
    reply: str
    intent: str
    filters: dict[str, Any]
    products: list[ShownProductOut]
    created_at: datetime


class SessionResponse(BaseModel):
    id: str
    created_at: datetime
    turns: list[TurnOut]
    # Replies from the customer service team, in order (issue 6).
    staff_messages: list[StaffReply] = Field(default_factory=list)


class HealthResponse(BaseModel):
    status: Literal["ok"]
    products: int
    indexed: int


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: list[dict[str, Any]] | None = None


class ErrorBody(BaseModel):
    """Every 4xx/5xx response has this body."""

    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorBody, "description": "Malformed request body"},
    401: {
        "model": ErrorBody,
        "description": "Missing, unknown or revoked API key (when keys are configured), or an "
        "invalid or expired customer token",
    },
    403: {"model": ErrorBody, "description": "The session belongs to another customer"},
    404: {"model": ErrorBody, "description": "Unknown session, product or turn"},
    409: {"model": ErrorBody, "description": "Reference to another session's turn"},
    413: {"model": ErrorBody, "description": "Request body larger than max_body_bytes"},
    422: {"model": ErrorBody, "description": "Invalid field values"},
    429: {"model": ErrorBody, "description": "Rate limit exceeded; see the Retry-After header"},
    503: {"model": ErrorBody, "description": "The store is temporarily unavailable; retry"},
    504: {"model": ErrorBody, "description": "The request took longer than the timeout"},
}
