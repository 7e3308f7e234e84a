"""``POST /api/v1/chat/stream``: one chat turn as Server-Sent Events.

Events, in order: ``start`` (at once), ``delta`` (1..n pieces of the reply), ``replace`` (only
with LLM phrasing, when the model failed mid-way: ``{"text": <the reply to show instead>}``),
``products``,
``sources`` and ``comparison`` (each only when present), then ``done`` with the complete
``ChatResult`` (the body ``POST /api/v1/chat`` returns), or ``error`` instead of ``done`` when
the turn fails after the stream started. Requests that are refused before the stream starts
(invalid body, unknown session, bad customer token, missing API key, limits) get the usual JSON
error responses and status codes.

The turn is stored before its text is streamed, so a client that disconnects mid-stream loses
nothing: the turn is in ``GET /api/v1/sessions/{id}``. The reply is computed whole and sent in
word groups, or, with a phrasing model, relayed sentence by sentence; see
:mod:`assistant.streaming`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from assistant.api.auth import ApiCallerDep
from assistant.api.deps import AssistantDep, ServicesDep
from assistant.api.routes import verified_customer
from assistant.api.schemas import ERROR_RESPONSES, ChatRequest
from assistant.api.sse import (
    SSE_HEADERS,
    SSE_MEDIA_TYPE,
    relay,
    sse_error_frame,
    sse_event_schema,
    sse_events,
)
from assistant.service import ShoppingAssistant
from assistant.streaming import TurnRequest, check_turn, stream_turn
from assistant.wiring import Services

stream_api = APIRouter(prefix="/api/v1", tags=["chat"], responses=ERROR_RESPONSES)

_SSE_EXAMPLE = (
    'event: start\ndata: {"session_id":null}\n\n'
    'event: delta\ndata: {"text":"Here are 5 laptops "}\n\n'
    'event: products\ndata: {"products":[{"id":"...","title":"...","price":"799.00"}]}\n\n'
    'event: done\ndata: {"session_id":"...","turn_id":1,"intent":"search","reply":"..."}\n\n'
)
_EVENT_NAMES = ["start", "delta", "replace", "products", "sources", "comparison", "done", "error"]
_EVENT_SCHEMA = sse_event_schema(_EVENT_NAMES)
_STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Server-Sent Events: start, delta..., replace?, products?, sources?, "
        "comparison?, then done (the ChatResult) or error",
        "content": {SSE_MEDIA_TYPE: {"schema": _EVENT_SCHEMA, "example": _SSE_EXAMPLE}},
    }
}


@stream_api.post(
    "/chat/stream",
    response_class=StreamingResponse,
    responses=_STREAM_RESPONSES,
)
async def chat_stream(
    body: ChatRequest, assistant: AssistantDep, services: ServicesDep, caller: ApiCallerDep
) -> StreamingResponse:
    """Send one shopper message and receive the answer as Server-Sent Events.

    Same request as ``POST /api/v1/chat``. The ``done`` event's data is exactly that route's
    response body. A failure after ``start`` ends the stream with an ``error`` event
    (``{"error": {"code", "message"}}``) instead of ``done``. A client that disconnects
    mid-stream loses nothing: the turn is stored before its text is sent, and
    ``GET /api/v1/sessions/{id}`` shows it.
    """
    api_key_id = caller.key_id
    request = await run_in_threadpool(_checked_turn, body, api_key_id, assistant, services)
    events = stream_turn(assistant, request, services.reply_streamer)
    return StreamingResponse(
        relay(sse_events(events), sse_error_frame),
        media_type=SSE_MEDIA_TYPE,
        headers=SSE_HEADERS,
    )


def _checked_turn(
    body: ChatRequest, api_key_id: int | None, assistant: ShoppingAssistant, services: Services
) -> TurnRequest:
    """The turn to run, or the error (401, 403, 404, 422) to answer before any stream."""
    request = TurnRequest(
        session_id=body.session_id,
        message=body.message,
        customer_id=verified_customer(body.customer_token, services),
        api_key_id=api_key_id,
    )
    session = services.conversations.get_session(body.session_id) if body.session_id else None
    check_turn(assistant, session, request)
    return request
