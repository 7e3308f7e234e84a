"""The OpenAI-compatible API: ``GET /v1/models`` and ``POST /v1/chat/completions``.

Point any OpenAI client at ``http://<host>/v1`` with model ``shopbot``. The last message is the
shopper's turn; earlier messages are only used to find the assistant session they continue:
after each answer the digest of (API key, ``user``, the history including the reply sent) is
stored, and a request resending that history plus a new user message continues the same session
(filters, shown products, "the second one"). A history the server has not produced (edited,
or from another client) starts a new session; its earlier turns are not replayed. The extra
body field ``session_id`` names the session explicitly instead.

Product cards travel in ``choices[0].message.products`` (streams: the finishing chunk's
``delta.products``) and the turn's details in the top-level ``shopbot`` object; clients that do
not know these fields still get the text answer. Errors use OpenAI's error shape.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from starlette.exceptions import HTTPException

from assistant.api.auth import ApiCallerDep
from assistant.api.deps import AssistantDep, ServicesDep
from assistant.api.openai_schemas import (
    MODEL_ID,
    OPENAI_ERROR_RESPONSES,
    AssistantMessage,
    ChatCompletion,
    ChatCompletionChunk,
    ChatCompletionRequest,
    Choice,
    ChunkChoice,
    ChunkDelta,
    ModelCard,
    ModelList,
    ShopbotExtra,
    Usage,
)
from assistant.api.sse import SSE_HEADERS, SSE_MEDIA_TYPE, relay, sse_event_schema, sse_frame
from assistant.errors import InvalidMessageError
from assistant.service import ChatResult, ShoppingAssistant
from assistant.streaming import (
    ReplaceText,
    StreamEvent,
    StreamFailure,
    StreamStart,
    TextDelta,
    TurnDone,
    TurnRequest,
    check_turn,
    failure_for,
    stream_turn,
)
from assistant.wiring import Services
from db.openai_threads import OpenAIThreadRepository, thread_digest

openai_api = APIRouter(prefix="/v1", tags=["openai"], responses=OPENAI_ERROR_RESPONSES)

_STARTED = int(time.time())
_COMPLETION_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A chat.completion object, or with stream=true Server-Sent Events of "
        "chat.completion.chunk objects ending with `data: [DONE]`",
        "content": {SSE_MEDIA_TYPE: {"schema": sse_event_schema()}},
    }
}


@openai_api.get("/models", response_model=ModelList)
def list_models() -> ModelList:
    """The one model this server answers as: ``shopbot``."""
    return ModelList(data=[ModelCard(id=MODEL_ID, created=_STARTED)])


@openai_api.post(
    "/chat/completions", response_model=ChatCompletion, responses=_COMPLETION_RESPONSES
)
async def chat_completions(
    body: ChatCompletionRequest,
    assistant: AssistantDep,
    services: ServicesDep,
    caller: ApiCallerDep,
) -> ChatCompletion | StreamingResponse:
    """Answer the last (user) message as the shopping assistant, OpenAI-style.

    Resend the whole history each time, as OpenAI clients do: a history this server answered
    continues its session; any other history starts a new one (earlier turns are not
    replayed). The extra field ``session_id`` names a session explicitly. Product cards are in
    ``choices[0].message.products``, the turn's details in ``shopbot``.

    ``stream=true`` sends ``chat.completion.chunk`` events: the role, the reply text in pieces,
    then a chunk with ``finish_reason: "stop"``, ``delta.products`` and ``shopbot``, then a
    usage chunk if ``stream_options.include_usage``, then ``[DONE]``. With a phrasing model
    the text chunks are its validated sentences; if it fails mid-way, the finishing chunk's
    ``shopbot.replaced_reply`` is the reply to show instead of the text streamed. A failure
    after the stream started is sent as ``data: {"error": {...}}`` (OpenAI clients raise
    ``APIError``).
    ``usage`` counts words, not tokens.
    """
    if body.model != MODEL_ID:
        raise HTTPException(404, f"model {body.model!r} does not exist; use {MODEL_ID!r}")
    api_key_id = caller.key_id
    request = await run_in_threadpool(_checked_turn, body, api_key_id, assistant, services)
    if not body.stream:
        return await run_in_threadpool(_answer, body, request, assistant, services)
    events = stream_turn(assistant, request, services.reply_streamer)
    chunks = _CompletionStream(body, services.openai_threads, api_key_id).frames(events)
    return StreamingResponse(
        relay(chunks, _error_frame), media_type=SSE_MEDIA_TYPE, headers=SSE_HEADERS
    )


def _checked_turn(
    body: ChatCompletionRequest,
    api_key_id: int | None,
    assistant: ShoppingAssistant,
    services: Services,
) -> TurnRequest:
    """The turn to run, or the error (404, 422) to answer before any stream."""
    request = TurnRequest(
        session_id=_session_for(body, services.openai_threads, api_key_id),
        message=_shopper_message(body),
        api_key_id=api_key_id,
    )
    session = services.conversations.get_session(request.session_id) if request.session_id else None
    check_turn(assistant, session, request)
    return request


def _answer(
    body: ChatCompletionRequest,
    request: TurnRequest,
    assistant: ShoppingAssistant,
    services: Services,
) -> ChatCompletion:
    result = assistant.chat(request.session_id, request.message, api_key_id=request.api_key_id)
    _remember(services.openai_threads, body, request.api_key_id, result)
    return _completion(body, result)


def _shopper_message(body: ChatCompletionRequest) -> str:
    last = body.messages[-1]
    if last.role != "user":
        raise InvalidMessageError("the last message must have role 'user'")
    return last.text


def _pairs(body: ChatCompletionRequest) -> list[tuple[str, str]]:
    return [(m.role, m.text) for m in body.messages]


def _session_for(
    body: ChatCompletionRequest, threads: OpenAIThreadRepository, api_key_id: int | None
) -> str | None:
    """The session named by ``session_id``, else the one that produced the history, else None."""
    if body.session_id is not None:
        return body.session_id
    history = _pairs(body)[:-1]
    if not any(role == "assistant" for role, _ in history):
        return None
    return threads.find(thread_digest(history, api_key_id, body.user))


def _remember(
    threads: OpenAIThreadRepository,
    body: ChatCompletionRequest,
    api_key_id: int | None,
    result: ChatResult,
) -> None:
    history = [*_pairs(body), ("assistant", result.reply)]
    threads.remember(thread_digest(history, api_key_id, body.user), result.session_id)


def _extra(result: ChatResult, replaced_reply: str | None = None) -> ShopbotExtra:
    return ShopbotExtra(
        replaced_reply=replaced_reply,
        session_id=result.session_id,
        turn_id=result.turn_id,
        intent=result.intent,
        filters=result.filters,
        sources=result.sources,
        comparison=result.comparison,
    )


def _usage(body: ChatCompletionRequest, reply: str) -> Usage:
    """Word counts: this server has no tokenizer for the client's notion of tokens."""
    prompt = sum(len(m.text.split()) for m in body.messages)
    completion = len(reply.split())
    return Usage(
        prompt_tokens=prompt, completion_tokens=completion, total_tokens=prompt + completion
    )


def _completion(body: ChatCompletionRequest, result: ChatResult) -> ChatCompletion:
    message = AssistantMessage(content=result.reply, products=result.products)
    return ChatCompletion(
        id=f"chatcmpl-{uuid.uuid4().hex}",
        created=int(time.time()),
        choices=[Choice(message=message)],
        usage=_usage(body, result.reply),
        shopbot=_extra(result),
    )


class _CompletionStream:
    """Translates a turn's stream events into ``chat.completion.chunk`` frames."""

    def __init__(
        self,
        body: ChatCompletionRequest,
        threads: OpenAIThreadRepository,
        api_key_id: int | None,
    ) -> None:
        self._body = body
        self._threads = threads
        self._api_key_id = api_key_id
        self._id = f"chatcmpl-{uuid.uuid4().hex}"
        self._created = int(time.time())
        self._streamed = ""
        self._replaced = False

    def frames(self, events: Iterator[StreamEvent]) -> Iterator[bytes]:
        for event in events:
            if isinstance(event, TextDelta):
                self._streamed += event.text
                yield self._chunk(ChunkDelta(content=event.text))
            elif isinstance(event, ReplaceText):
                self._replaced = True  # told in the finishing chunk's shopbot.replaced_reply
            elif isinstance(event, TurnDone):
                yield from self._finish(event.result)
            elif isinstance(event, StreamFailure):
                yield _failure_frame(event)
                return
            elif isinstance(event, StreamStart):
                yield self._chunk(ChunkDelta(role="assistant", content=""))
            # products, sources and comparison travel in the finishing chunk

    def _finish(self, result: ChatResult) -> Iterator[bytes]:
        _remember(self._threads, self._body, self._api_key_id, result)
        replaced = result.reply if self._replaced else None
        if replaced is not None:
            # A plain client keeps the streamed text as the assistant message: continue its
            # history too, whichever text it resends.
            streamed = result.model_copy(update={"reply": self._streamed})
            _remember(self._threads, self._body, self._api_key_id, streamed)
        final = ChunkChoice(delta=ChunkDelta(products=result.products), finish_reason="stop")
        extra = _extra(result, replaced)
        yield self._frame(
            ChatCompletionChunk(id=self._id, created=self._created, choices=[final], shopbot=extra)
        )
        options = self._body.stream_options
        if options is not None and options.include_usage:
            usage = _usage(self._body, result.reply)
            yield self._frame(
                ChatCompletionChunk(id=self._id, created=self._created, choices=[], usage=usage)
            )
        yield sse_frame("[DONE]")

    def _chunk(self, delta: ChunkDelta) -> bytes:
        choice = ChunkChoice(delta=delta)
        return self._frame(
            ChatCompletionChunk(id=self._id, created=self._created, choices=[choice])
        )

    def _frame(self, chunk: ChatCompletionChunk) -> bytes:
        return sse_frame(chunk.model_dump_json())


def _failure_frame(failure: StreamFailure) -> bytes:
    server_side = failure.code in ("internal_error", "unavailable")
    kind = "server_error" if server_side else "invalid_request_error"
    error = {"message": failure.message, "type": kind, "param": None, "code": failure.code}
    return sse_frame(json.dumps({"error": error}))


def _error_frame(error: Exception) -> bytes:
    return _failure_frame(failure_for(error))
