"""One turn as a stream of typed events: start, reply text in pieces, cards, sources, done.

The HTTP layers (``/api/v1/chat/stream`` as Server-Sent Events, ``/v1/chat/completions`` with
``stream=true`` as OpenAI chunks) only translate these events; how the reply text is produced is
behind :class:`ReplyStreamer`. Without a language model the turn is computed first and its
finished reply is cut into word groups (:class:`WordGroups`): the first text arrives when the
whole turn is done, and the chunking only spreads it out. With one,
:class:`assistant.phrasing.streamer.PhrasedReplies` relays the model's validated sentences as
they arrive (``chat_phrasing = False``); if the model fails mid-way, a :class:`ReplaceText`
event tells the client to show the template reply instead of the text already streamed.

The turn is recorded by :meth:`ShoppingAssistant.chat` before any reply text is streamed, so a
client that disconnects mid-stream does not lose it: ``GET /api/v1/sessions/{id}`` shows it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Generator, Iterator
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from assistant.compare import ComparisonTable
from assistant.errors import AssistantError, InvalidMessageError, UnknownSessionError
from assistant.replies import ProductCard
from assistant.service import ChatResult, visible_to
from assistant.support.identity import CustomerAuthError, SessionOwnerError
from assistant.support.types import Source
from db.errors import DatabaseError
from db.records import SessionRecord
from retrieval.errors import RetrievalError

log = logging.getLogger(__name__)

_WORD = re.compile(r"\S+\s*")


class StreamStart(BaseModel):
    """Sent before any work: the session continued (None when the turn starts a new one)."""

    model_config = ConfigDict(frozen=True)
    event: Literal["start"] = "start"
    session_id: str | None


class TextDelta(BaseModel):
    """A piece of the reply; the pieces joined are the reply (``done.reply``)."""

    model_config = ConfigDict(frozen=True)
    event: Literal["delta"] = "delta"
    text: str


class ReplaceText(BaseModel):
    """The deltas sent so far are superseded: show ``text`` instead (it is ``done.reply``).

    Sent after the last delta when the streamed pieces do not join to the final reply, e.g. a
    language model that failed mid-way and was replaced by the template reply.
    """

    model_config = ConfigDict(frozen=True)
    event: Literal["replace"] = "replace"
    text: str


class ProductsEvent(BaseModel):
    model_config = ConfigDict(frozen=True)
    event: Literal["products"] = "products"
    products: list[ProductCard]


class SourcesEvent(BaseModel):
    model_config = ConfigDict(frozen=True)
    event: Literal["sources"] = "sources"
    sources: list[Source]


class ComparisonEvent(BaseModel):
    model_config = ConfigDict(frozen=True)
    event: Literal["comparison"] = "comparison"
    comparison: ComparisonTable


class TurnDone(BaseModel):
    """The complete answer, the same object ``POST /api/v1/chat`` returns."""

    model_config = ConfigDict(frozen=True)
    event: Literal["done"] = "done"
    result: ChatResult


class StreamFailure(BaseModel):
    """The turn failed after the stream started (sent instead of ``done``)."""

    model_config = ConfigDict(frozen=True)
    event: Literal["error"] = "error"
    code: str
    message: str


StreamEvent = Annotated[
    StreamStart | TextDelta | ReplaceText | ProductsEvent | SourcesEvent | ComparisonEvent
    | TurnDone | StreamFailure,
    Field(discriminator="event"),
]  # fmt: skip


class ChatAssistant(Protocol):
    """What streaming needs of :class:`~assistant.service.ShoppingAssistant`."""

    max_message_chars: int

    def chat(
        self,
        session_id: str | None,
        message: str,
        source: Literal["live", "simulated"] = "live",
        customer_id: str | None = None,
        api_key_id: int | None = None,
        phrase: bool = True,
    ) -> ChatResult: ...


class ReplyStreamer(Protocol):
    """Produces the reply text of a computed turn in pieces.

    ``stream`` yields the pieces and returns the final result (its ``reply`` is normally the
    pieces joined; when it is not, :func:`stream_turn` sends a :class:`ReplaceText` event).
    ``chat_phrasing`` says whether :meth:`ShoppingAssistant.chat` should phrase the reply
    itself (True) or leave the template reply for the streamer to reword (False).
    """

    chat_phrasing: bool

    def stream(self, result: ChatResult) -> Generator[str, None, ChatResult]: ...


class WordGroups:
    """Cuts a finished reply into groups of ``words`` words (whitespace kept, so they rejoin).

    Example:
        >>> pieces = WordGroups(words=2).stream(result)   # result.reply == "Here are 3 laptops."
        >>> list(pieces)
        ['Here are ', '3 laptops.']
    """

    chat_phrasing = True

    def __init__(self, words: int = 4) -> None:
        if words <= 0:
            raise ValueError("words must be positive")
        self.words = words

    def stream(self, result: ChatResult) -> Generator[str, None, ChatResult]:
        yield from word_groups(result.reply, self.words)
        return result


def word_groups(text: str, words: int) -> list[str]:
    """``text`` in pieces of ``words`` words each; ``"".join`` of them is ``text``."""
    tokens = _WORD.findall(text)
    if not tokens:
        return [text]
    lead = text[: len(text) - len(text.lstrip())]
    tokens[0] = lead + tokens[0]
    return ["".join(tokens[i : i + words]) for i in range(0, len(tokens), words)]


class TurnRequest(BaseModel):
    """Who asks what: the inputs of :meth:`ShoppingAssistant.chat`."""

    model_config = ConfigDict(frozen=True)
    session_id: str | None
    message: str
    customer_id: str | None = None
    api_key_id: int | None = None


def check_turn(
    assistant: ChatAssistant, session: SessionRecord | None, request: TurnRequest
) -> None:
    """Refuse, before a stream starts, what ``ShoppingAssistant.chat`` would refuse.

    ``session`` is the stored session ``request.session_id`` names (None if it does not exist).

    Raises:
        InvalidMessageError: Empty or too long message.
        UnknownSessionError: Unknown session, or another API key's.
        SessionOwnerError: The session belongs to another signed-in customer.
    """
    text = request.message.strip()
    if not text:
        raise InvalidMessageError("message must not be empty")
    if len(text) > assistant.max_message_chars:
        raise InvalidMessageError(
            f"message is longer than {assistant.max_message_chars} characters"
        )
    if request.session_id is None:
        return
    if session is None or not visible_to(session, request.api_key_id):
        raise UnknownSessionError(f"unknown session {request.session_id!r}")
    if session.customer_id is not None and session.customer_id != request.customer_id:
        raise SessionOwnerError("this conversation belongs to another signed-in customer")


def stream_turn(
    assistant: ChatAssistant, request: TurnRequest, replies: ReplyStreamer | None = None
) -> Iterator[StreamEvent]:
    """Run one turn and yield its events: start, deltas, products, sources, comparison, done.

    A ``replace`` event follows the deltas when they do not join to the final reply.

    ``start`` comes before any work. Any failure after it is yielded as a final
    :class:`StreamFailure` (never raised), so a consumer can always close its stream cleanly.

    Example:
        >>> [e.event for e in stream_turn(assistant, TurnRequest(session_id=None, message="hi"))]
        ['start', 'delta', 'done']
    """
    replies = replies or WordGroups()
    yield StreamStart(session_id=request.session_id)
    try:
        yield from _turn_events(assistant, request, replies)
    except Exception as e:  # reported in-band: the response status (200) is already sent
        yield failure_for(e)


def _turn_events(
    assistant: ChatAssistant, request: TurnRequest, replies: ReplyStreamer
) -> Iterator[StreamEvent]:
    result = assistant.chat(
        request.session_id,
        request.message,
        customer_id=request.customer_id,
        api_key_id=request.api_key_id,
        phrase=replies.chat_phrasing,
    )
    pieces = replies.stream(result)
    sent: list[str] = []
    while True:
        try:
            piece = next(pieces)
        except StopIteration as done:
            result = done.value
            break
        sent.append(piece)
        yield TextDelta(text=piece)
    if "".join(sent) != result.reply:
        yield ReplaceText(text=result.reply)
    if result.products:
        yield ProductsEvent(products=result.products)
    if result.sources:
        yield SourcesEvent(sources=result.sources)
    if result.comparison is not None:
        yield ComparisonEvent(comparison=result.comparison)
    yield TurnDone(result=result)


def failure_for(error: Exception) -> StreamFailure:
    """The in-band error event for a failure after the stream started (codes as the JSON API)."""
    if isinstance(error, InvalidMessageError):
        return StreamFailure(code="invalid_message", message=str(error))
    if isinstance(error, UnknownSessionError):
        return StreamFailure(code="not_found", message=str(error))
    if isinstance(error, CustomerAuthError):
        return StreamFailure(code="unauthorized", message=str(error))
    if isinstance(error, SessionOwnerError):
        return StreamFailure(code="forbidden", message=str(error))
    if isinstance(error, RetrievalError | DatabaseError):
        log.exception("backing store failed during a streamed turn")
        return StreamFailure(
            code="unavailable", message="the store is temporarily unavailable; retry"
        )
    kind = "assistant error" if isinstance(error, AssistantError) else "unexpected error"
    log.exception("%s during a streamed turn", kind)
    return StreamFailure(code="internal_error", message="the assistant failed to answer; try again")
