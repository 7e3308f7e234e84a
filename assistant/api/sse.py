"""Server-Sent Events framing, and relaying a blocking event iterator to an ASGI response.

The assistant is synchronous (SQL, the encoder, the vector index), so a turn's event iterator
runs in a worker thread; the event loop only writes the frames.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

from assistant.streaming import (
    ComparisonEvent,
    ProductsEvent,
    ReplaceText,
    SourcesEvent,
    StreamEvent,
    StreamStart,
    TextDelta,
    TurnDone,
    failure_for,
)

SSE_MEDIA_TYPE = "text/event-stream"
# No caching, and no buffering by reverse proxies (nginx honours X-Accel-Buffering).
SSE_HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def sse_event_schema(events: list[str] | None = None) -> dict[str, Any]:
    """The OpenAPI schema of ONE event of a ``text/event-stream`` response (before OpenAPI 3.2
    a stream's ``schema`` describes each event), optionally with its allowed ``event`` names."""
    name: dict[str, Any] = {"type": "string"}
    if events:
        name["enum"] = events
    return {
        "type": "object",
        "properties": {"event": name, "data": {"type": "string"}, "id": {"type": "string"}},
        "required": ["data"],
    }


def sse_frame(data: str, event: str | None = None) -> bytes:
    """One SSE message; ``data`` must be a single line (compact JSON is)."""
    head = f"event: {event}\n" if event else ""
    return f"{head}data: {data}\n\n".encode()


def event_payload(event: StreamEvent) -> Any:
    """The ``data`` of an event in the ``/api/v1/chat/stream`` format (see the API docs)."""
    if isinstance(event, StreamStart):
        return {"session_id": event.session_id}
    if isinstance(event, TextDelta):
        return {"text": event.text}
    if isinstance(event, ReplaceText):
        return {"text": event.text}
    if isinstance(event, ProductsEvent):
        return {"products": [p.model_dump(mode="json") for p in event.products]}
    if isinstance(event, SourcesEvent):
        return {"sources": [s.model_dump(mode="json") for s in event.sources]}
    if isinstance(event, ComparisonEvent):
        return event.comparison.model_dump(mode="json")
    if isinstance(event, TurnDone):
        return event.result.model_dump(mode="json")
    return {"error": {"code": event.code, "message": event.message}}


def encode_event(event: StreamEvent) -> bytes:
    """``event: <name>`` + ``data: <json>`` for one stream event."""
    data = json.dumps(event_payload(event), ensure_ascii=False, separators=(",", ":"))
    return sse_frame(data, event.event)


def sse_events(events: Iterator[StreamEvent]) -> Iterator[bytes]:
    """The SSE frames of a turn's events."""
    for event in events:
        yield encode_event(event)


def relay(
    frames: Iterator[bytes], error_frame: Callable[[Exception], bytes]
) -> AsyncIterator[bytes]:
    """Start producing ``frames`` now; the result hands them to the event loop as they come.

    Call it from the event loop (an ``async`` route) before returning the response. The first
    frame is taken right here, so it must not block (``start`` events do no work); the rest
    are pulled in a worker thread of the event loop's default executor (bounded: a busy server
    queues turns, it never drops them, and ``start`` still goes out at once). The frames are
    produced to the end even if the client disconnects, so the turn behind them always
    completes and is stored. If the iterator raises (producers should report failures
    in-band), ``error_frame(error)`` is sent and the stream ends cleanly.
    """
    loop = asyncio.get_running_loop()
    frames_out: asyncio.Queue[bytes | None] = asyncio.Queue()
    try:
        frames_out.put_nowait(next(frames, None))
    except Exception as e:
        frames_out.put_nowait(error_frame(e))
        frames_out.put_nowait(None)
        return _drain(frames_out)

    def put(frame: bytes | None) -> None:
        try:
            loop.call_soon_threadsafe(frames_out.put_nowait, frame)
        except RuntimeError:  # the loop is closed: the server is shutting down
            pass

    def pump() -> None:
        try:
            for frame in frames:
                put(frame)
        except Exception as e:
            put(error_frame(e))
        finally:
            put(None)

    loop.run_in_executor(None, pump)
    return _drain(frames_out)


async def _drain(frames: asyncio.Queue[bytes | None]) -> AsyncIterator[bytes]:
    while (frame := await frames.get()) is not None:
        yield frame


def sse_error_frame(error: Exception) -> bytes:
    """The ``error`` event for an exception that escaped the event iterator."""
    return encode_event(failure_for(error))
