"""Reply phrasing through any LangChain chat model, checked against the facts.

:meth:`LLMPhraser.phrase` never fails: on a model error, a timeout, an empty or overlong
answer, or any claim the facts do not support, it returns the template reply.
:meth:`LLMPhraser.stream` relays the model's tokens sentence by sentence, each sentence only
after the text so far has been validated, and raises :class:`PhrasingError` at the first
problem so that the caller can fall back.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from assistant.phrasing.errors import (
    PhrasingError,
    PhrasingFailed,
    PhrasingRejected,
    PhrasingTimeout,
)
from assistant.phrasing.prompt import phrasing_messages
from assistant.phrasing.types import Phrasing, PhrasingInput
from assistant.phrasing.validator import FactSheet, ReplyValidator, fact_sheet

log = logging.getLogger(__name__)

# The end of a sentence: . ! ? (and closing quotes or brackets) before a space, or a newline.
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+|\n+")
_DONE = object()


class LLMPhraser:
    """Words a turn's reply with a chat model, within guardrails.

    Args:
        model: Any LangChain chat model (``ChatOpenAI``, ``ChatOllama``, a fake in tests).
        validator: Checks the model's claims against the facts.
        timeout_seconds: Longest wait for the whole answer (or, streaming, for each chunk).
        max_reply_chars: Longer answers are rejected.
        max_workers: Threads that wait on the model (a model call that hangs keeps one).

    Example:
        >>> phraser = LLMPhraser(ChatOllama(model="llama3.2"), ReplyValidator(brands))
        >>> phraser.phrase(facts).phrased_by  # "template" when the model misbehaves
        'llm'
    """

    def __init__(
        self,
        model: BaseChatModel,
        validator: ReplyValidator,
        *,
        timeout_seconds: float = 10.0,
        max_reply_chars: int = 1500,
        max_workers: int = 4,
    ) -> None:
        if timeout_seconds <= 0:
            raise ValueError("timeout_seconds must be positive")
        if max_reply_chars <= 0 or max_workers <= 0:
            raise ValueError("max_reply_chars and max_workers must be positive")
        self.model = model
        self.validator = validator
        self.timeout_seconds = timeout_seconds
        self.max_reply_chars = max_reply_chars
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="phrasing")

    def messages(self, facts: PhrasingInput) -> list[BaseMessage]:
        """What the model is sent: the fixed system prompt and the facts as data."""
        return phrasing_messages(facts)

    def phrase(self, facts: PhrasingInput) -> Phrasing:
        """The model's reply if it is faithful, else the template reply (never raises)."""
        started = time.perf_counter()
        try:
            text = self.generate(facts)
        except PhrasingError as e:
            ms = (time.perf_counter() - started) * 1000
            reason = f"{type(e).__name__}: {e}"
            return Phrasing(
                text=facts.template_reply, phrased_by="template", fallback_reason=reason, ms=ms
            )
        ms = (time.perf_counter() - started) * 1000
        return Phrasing(text=text, phrased_by="llm", ms=ms)

    def generate(self, facts: PhrasingInput) -> str:
        """The model's validated reply.

        Raises:
            PhrasingTimeout: No answer within ``timeout_seconds``.
            PhrasingFailed: The model raised or answered nothing usable.
            PhrasingRejected: The answer states something the facts do not support.
        """
        future = self._pool.submit(self.model.invoke, self.messages(facts))
        try:
            message = future.result(timeout=self.timeout_seconds)
        except FutureTimeout as e:
            future.cancel()
            raise PhrasingTimeout(f"no answer within {self.timeout_seconds:g} s") from e
        except Exception as e:  # any provider error: the template reply is used instead
            raise PhrasingFailed(f"the model failed: {type(e).__name__}: {e}") from e
        text = _clean(message.text)
        self._check(text, fact_sheet(facts), final=True)
        return text

    def stream(self, facts: PhrasingInput) -> Iterator[str]:
        """The reply in validated pieces (whole sentences), as the model produces it.

        Every yielded piece has passed validation together with everything before it; the
        pieces joined are the full reply. At the first unsupported claim, model error or
        timeout this raises :class:`PhrasingError`; what was yielded until then is faithful
        but incomplete, and the caller should show the template reply instead.
        """
        sheet = fact_sheet(facts)
        accepted, pending = "", ""
        for chunk in self._chunks(self.messages(facts)):
            pending += chunk
            cut = _last_sentence_end(pending)
            if cut and (accepted or pending[:cut].strip()):
                piece, pending = pending[:cut], pending[cut:]
                self._check(accepted + piece, sheet, final=False)
                accepted += piece
                yield piece.lstrip() if accepted == piece else piece
        if not (accepted + pending).strip():
            raise PhrasingFailed("the model answered nothing")
        self._check(accepted + pending, sheet, final=True)
        if pending:
            yield pending.rstrip() if accepted.strip() else pending.strip()

    def close(self) -> None:
        """Stop accepting work (model calls in flight finish in the background)."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _check(self, text: str, sheet: FactSheet, *, final: bool) -> None:
        if final and not text.strip():
            raise PhrasingFailed("the model answered nothing")
        if len(text) > self.max_reply_chars:
            raise PhrasingRejected([f"reply longer than {self.max_reply_chars} characters"])
        problems = self.validator.problems(text, sheet)
        if problems:
            raise PhrasingRejected(problems)

    def _chunks(self, messages: list[BaseMessage]) -> Iterator[str]:
        """The model's text chunks, each awaited at most ``timeout_seconds``."""
        chunks: queue.Queue[object] = queue.Queue()
        stop = threading.Event()

        def pump() -> None:
            try:
                for chunk in self.model.stream(messages):
                    if stop.is_set():
                        return
                    chunks.put(chunk.text)
                chunks.put(_DONE)
            except Exception as e:  # handed to the consumer, which raises PhrasingFailed
                chunks.put(e)

        self._pool.submit(pump)
        try:
            while True:
                try:
                    item = chunks.get(timeout=self.timeout_seconds)
                except queue.Empty as e:
                    raise PhrasingTimeout(f"no token within {self.timeout_seconds:g} s") from e
                if item is _DONE:
                    return
                if isinstance(item, Exception):
                    raise PhrasingFailed(f"the model failed: {type(item).__name__}") from item
                yield str(item)
        finally:
            stop.set()


def _clean(text: str) -> str:
    """The answer without surrounding whitespace or quotes."""
    cleaned = text.strip()
    if len(cleaned) >= 2 and cleaned[0] == cleaned[-1] and cleaned[0] in "\"'“”":
        cleaned = cleaned[1:-1].strip()
    return cleaned


def _last_sentence_end(text: str) -> int:
    """Index just past the last complete sentence in ``text`` (0 if none)."""
    end = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
    return end
