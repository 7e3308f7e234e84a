"""HTTP routes of the public API (``/api/v1``) and ``/health``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, status
from fastapi.responses import JSONResponse

from assistant.api.auth import ApiCallerDep
from assistant.api.deps import AssistantDep, ServicesDep
from assistant.api.errors import error_response
from assistant.api.schemas import (
    ERROR_RESPONSES,
    NO_NUL,
    ChatRequest,
    ErrorBody,
    EventRequest,
    EventResponse,
    ProductDetail,
    SearchRequest,
    SearchResponse,
    SessionResponse,
    ShownProductOut,
    TurnOut,
)
from assistant.errors import UnknownSessionError
from assistant.observability.health import HealthReport, check_health
from assistant.service import ChatResult, visible_to
from assistant.support.identity import CustomerAuthError, SessionOwnerError
from assistant.support.staff_feed import staff_replies
from assistant.wiring import Services
from db.errors import NotFoundError
from db.records import NewEvent

api = APIRouter(prefix="/api/v1", responses=ERROR_RESPONSES)
# Path ids are bounded and NUL-free like the body's (no 5xx from the database driver).
ProductIdPath = Annotated[str, Path(max_length=64, pattern=NO_NUL)]
SessionIdPath = Annotated[str, Path(max_length=36, pattern=NO_NUL)]
health = APIRouter()


@api.post("/chat", response_model=ChatResult, tags=["chat"])
def chat(
    body: ChatRequest, assistant: AssistantDep, services: ServicesDep, caller: ApiCallerDep
) -> ChatResult:
    """Send one shopper message; returns the reply, the products shown and the filters applied.

    With ``customer_token`` the conversation is tied to that customer (orders, returns). With an
    API key, a new conversation belongs to that key; another key's ``session_id`` is a 404.
    """
    customer_id = verified_customer(body.customer_token, services)
    return assistant.chat(
        body.session_id, body.message, customer_id=customer_id, api_key_id=caller.key_id
    )


def verified_customer(token: str | None, services: Services) -> str | None:
    """The customer a token was signed for (None without a token); 401 if invalid or unknown."""
    if token is None:
        return None
    customer_id = services.customer_tokens.verify(token)
    if services.orders.get_customer(customer_id) is None:
        raise CustomerAuthError("invalid customer token")
    return customer_id


@api.post("/search", response_model=SearchResponse, tags=["catalog"])
def search(body: SearchRequest, assistant: AssistantDep) -> SearchResponse:
    """Search the catalog without a conversation."""
    return SearchResponse(products=assistant.search(body.query, body.filters, body.k))


@api.get("/products/{product_id}", response_model=ProductDetail, tags=["catalog"])
def get_product(product_id: ProductIdPath, services: ServicesDep) -> ProductDetail:
    """One product with all its attributes."""
    product = services.products.get(product_id)
    if product is None:
        raise NotFoundError("product", product_id)
    return ProductDetail.model_validate(product.model_dump())


@api.post(
    "/events",
    response_model=EventResponse,
    status_code=status.HTTP_201_CREATED,
    tags=["events"],
)
def record_event(body: EventRequest, services: ServicesDep, caller: ApiCallerDep) -> EventResponse:
    """Log a click, add-to-cart or purchase on a product shown in a session (404 for a session
    of another API key, as for an unknown one)."""
    session = services.conversations.get_session(body.session_id)
    if session is not None and not visible_to(session, caller.key_id):
        raise NotFoundError("session", body.session_id)
    event = services.conversations.record_event(
        NewEvent(
            session_id=body.session_id,
            product_id=body.product_id,
            type=body.type,
            turn_id=body.turn_id,
        )
    )
    return EventResponse.model_validate(event.model_dump())


@api.get("/sessions/{session_id}", response_model=SessionResponse, tags=["chat"])
def get_session(
    session_id: SessionIdPath,
    services: ServicesDep,
    caller: ApiCallerDep,
    x_customer_token: Annotated[str | None, Header(max_length=512)] = None,
) -> SessionResponse:
    """A conversation's turns in order, with the products each turn showed.

    A signed-in customer's conversation (it may hold order details) needs that customer's
    token in ``X-Customer-Token``: 401 if invalid, 403 if missing or another customer's.
    Another API key's conversation is a 404, like an unknown one.
    """
    session = services.conversations.get_session(session_id)
    if session is None or not visible_to(session, caller.key_id):
        raise UnknownSessionError(f"unknown session {session_id!r}")
    if session.customer_id is not None:
        if verified_customer(x_customer_token, services) != session.customer_id:
            raise SessionOwnerError("this conversation belongs to a signed-in customer")
    turns = [
        TurnOut(
            turn_id=t.id,
            turn_number=t.turn_number,
            user_message=t.user_message,
            reply=t.reply,
            intent=t.intent,
            filters=t.filters,
            products=[ShownProductOut.model_validate(p.model_dump()) for p in t.products],
            created_at=t.created_at,
        )
        for t in services.conversations.list_turns(session_id)
    ]
    staff = staff_replies(services.support.handoffs, session_id)
    return SessionResponse(
        id=session.id, created_at=session.created_at, turns=turns, staff_messages=staff
    )


@health.get(
    "/health",
    response_model=HealthReport,
    tags=["ops"],
    responses={
        503: {
            "model": ErrorBody,
            "description": "A check failed: the message names it, details hold every check",
        }
    },
)
def get_health(services: ServicesDep) -> HealthReport | JSONResponse:
    """Readiness: the database answers ``SELECT 1`` and the vector index answers a count (and
    is not empty while the catalog is). 503 names the failed checks."""
    report = check_health(services.engine, services.products, services.vector_index)
    if report.failed:
        message = f"health check failed: {', '.join(report.failed)}"
        return error_response(503, "unavailable", message, report.model_dump())
    return report
