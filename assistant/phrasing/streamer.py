"""Streamed answers worded by the language model: its validated sentences as they arrive.

:class:`PhrasedReplies` is the :class:`~assistant.streaming.ReplyStreamer` the services use when
a chat model is configured (``Services.reply_streamer``). The turn is computed and stored with
its template reply (``assistant.chat(..., phrase=False)``); the model's sentences are then
relayed one by one, each checked against the turn's facts before it is sent. Afterwards the
stored turn is updated to the text the shopper was shown, so transcripts match the chat.

If the model fails before its first sentence, the template reply is streamed instead. If it
fails later, the result's reply is the template; the streamed pieces then no longer join to it,
and :func:`~assistant.streaming.stream_turn` sends a ``replace`` event before ``done``.
"""

from __future__ import annotations

import logging
from collections.abc import Generator
from typing import TYPE_CHECKING, Protocol

from assistant.phrasing.turns import PhrasedStream
from db.errors import DatabaseError

if TYPE_CHECKING:
    from assistant.service import ChatResult

log = logging.getLogger(__name__)


class ResultPhraser(Protocol):
    """What streaming needs of :class:`~assistant.phrasing.turns.TurnPhraser`."""

    def stream_result(self, result: ChatResult) -> PhrasedStream: ...


class TurnReplies(Protocol):
    """Where a turn's reply is corrected (:class:`db.conversations.ConversationRepository`)."""

    def set_turn_reply(self, turn_id: int, reply: str) -> None: ...


class PhrasedReplies:
    """Relays the model's validated wording of a finished turn, and stores what was shown.

    Example:
        >>> replies = PhrasedReplies(services.turn_phraser, services.conversations)
        >>> events = stream_turn(services.assistant, TurnRequest(session_id=None,
        ...                      message="laptops under 800 dollars"), replies)
        >>> [e.event for e in events][-3:]
        ['delta', 'products', 'done']
    """

    chat_phrasing = False  # the turn is stored with its template reply; this streamer words it

    def __init__(self, phraser: ResultPhraser, turns: TurnReplies) -> None:
        self._phraser = phraser
        self._turns = turns

    def stream(self, result: ChatResult) -> Generator[str, None, ChatResult]:
        """Yield the validated pieces; return ``result`` with the reply the shopper ends up with.

        The returned ``reply`` is the model's text (``phrased_by="llm"``) or, after any
        failure, the template (``phrased_by="template"``).
        """
        phrased = self._phraser.stream_result(result)
        yield from phrased
        final = result.model_copy(update={"reply": phrased.text, "phrased_by": phrased.phrased_by})
        if final.reply != result.reply:
            self._store(final)
        return final

    def _store(self, result: ChatResult) -> None:
        """Record the shown reply; a failure is logged, not raised (the shopper has the text)."""
        try:
            self._turns.set_turn_reply(result.turn_id, result.reply)
        except DatabaseError:
            log.exception(
                "could not store the streamed reply of turn %s; it keeps the template",
                result.turn_id,
            )
