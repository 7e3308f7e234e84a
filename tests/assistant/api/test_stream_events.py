"""assistant.streaming and the SSE framing: event order, word groups, in-band failures."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Generator, Iterator
from decimal import Decimal
from typing import Any, Literal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.api.sse import encode_event, relay
from assistant.compare import ComparisonTable
from assistant.errors import InvalidMessageError, UnknownSessionError
from assistant.replies import ProductCard
from assistant.service import ChatResult
from assistant.streaming import (
    StreamFailure,
    StreamStart,
    TextDelta,
    TurnDone,
    TurnRequest,
    WordGroups,
    check_turn,
    stream_turn,
    word_groups,
)
from assistant.support.identity import SessionOwnerError
from assistant.support.types import Source
from db.errors import DatabaseError
from db.records import SessionRecord
from retrieval.filters import SearchFilters

pytestmark = pytest.mark.unit

CARD = ProductCard(
    id="p1", title="HP 250 G9", brand="HP", category="laptop", price=Decimal("499.00"),
    currency="USD", score=0.9, reason="Laptop",
)  # fmt: skip
SOURCE = Source(document="returns", section="Return window", snippet="Laptops: 30 days")


def result(**overrides: Any) -> ChatResult:
    fields: dict[str, Any] = {
        "session_id": "s1", "turn_id": 7, "intent": "search", "filters": SearchFilters(),
        "reply": "Here are 1 laptop that fits your budget nicely.", "products": [CARD],
    }  # fmt: skip
    fields.update(overrides)
    return ChatResult(**fields)


class FakeAssistant:
    """Answers with a fixed result, or raises; records the calls it got."""

    max_message_chars = 50

    def __init__(self, answer: ChatResult | Exception) -> None:
        self.answer = answer
        self.calls: list[dict[str, Any]] = []

    def chat(
        self,
        session_id: str | None,
        message: str,
        source: Literal["live", "simulated"] = "live",
        customer_id: str | None = None,
        api_key_id: int | None = None,
        phrase: bool = True,
    ) -> ChatResult:
        self.calls.append({"session_id": session_id, "api_key_id": api_key_id, "phrase": phrase})
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


ASK = TurnRequest(session_id=None, message="laptops", api_key_id=3)


def test_events_in_contract_order_and_deltas_rejoin() -> None:
    table = ComparisonTable(product_ids=["p1", "p2"], positions=[1, 2], titles=["a", "b"], rows=[])
    answer = result(sources=[SOURCE], comparison=table)
    events = list(stream_turn(FakeAssistant(answer), ASK))
    names = [e.event for e in events]
    assert names[0] == "start" and names[-4:] == ["products", "sources", "comparison", "done"]
    assert set(names[1:-4]) == {"delta"} and len(names[1:-4]) == 3  # 9 words in groups of 4
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert text == answer.reply
    assert isinstance(events[-1], TurnDone) and events[-1].result == answer


def test_optional_events_are_left_out_when_empty() -> None:
    events = list(stream_turn(FakeAssistant(result(products=[], reply="Hello!")), ASK))
    assert [e.event for e in events] == ["start", "delta", "done"]


def test_start_comes_before_the_turn_runs() -> None:
    assistant = FakeAssistant(result())
    events = stream_turn(assistant, TurnRequest(session_id="s1", message="more"))
    first = next(events)
    assert isinstance(first, StreamStart) and first.session_id == "s1"
    assert assistant.calls == []


@pytest.mark.parametrize(
    ("error", "code"),
    [
        (InvalidMessageError("too long"), "invalid_message"),
        (UnknownSessionError("gone"), "not_found"),
        (DatabaseError("disk full"), "unavailable"),
        (RuntimeError("bug"), "internal_error"),
    ],
)
def test_a_failure_after_start_is_an_error_event(error: Exception, code: str) -> None:
    events = list(stream_turn(FakeAssistant(error), ASK))
    assert [e.event for e in events] == ["start", "error"]
    failure = events[-1]
    assert isinstance(failure, StreamFailure) and failure.code == code
    assert "disk full" not in failure.message and "bug" not in failure.message  # no internals


class Rewording:
    """A streamer that rewords the template (as an LLM relay would)."""

    chat_phrasing = False

    def stream(self, answer: ChatResult) -> Generator[str, None, ChatResult]:
        yield "Sure - "
        yield "one laptop."
        return answer.model_copy(update={"reply": "Sure - one laptop.", "phrased_by": "llm"})


def test_a_reply_streamer_can_replace_the_text_without_route_changes() -> None:
    assistant = FakeAssistant(result())
    events = list(stream_turn(assistant, ASK, Rewording()))
    assert assistant.calls == [{"session_id": None, "api_key_id": 3, "phrase": False}]
    assert [e.text for e in events if isinstance(e, TextDelta)] == ["Sure - ", "one laptop."]
    done = events[-1]
    assert isinstance(done, TurnDone) and done.result.reply == "Sure - one laptop."


def test_sse_frames_carry_the_contract_payloads() -> None:
    events = list(stream_turn(FakeAssistant(result()), ASK))
    frames = [encode_event(e).decode() for e in events]
    assert frames[0] == 'event: start\ndata: {"session_id":null}\n\n'
    assert frames[1].startswith('event: delta\ndata: {"text":"Here are 1 laptop ')
    assert json.loads(frames[-2].split("data: ", 1)[1])["products"][0]["price"] == "499.00"
    done = json.loads(frames[-1].split("data: ", 1)[1])
    assert done == result().model_dump(mode="json")
    failure = encode_event(StreamFailure(code="internal_error", message="x")).decode()
    assert failure == 'event: error\ndata: {"error":{"code":"internal_error","message":"x"}}\n\n'


@given(st.text(max_size=200), st.integers(min_value=1, max_value=6))
def test_word_groups_rejoin_to_the_text(text: str, words: int) -> None:
    pieces = word_groups(text, words)
    assert "".join(pieces) == text and pieces
    assert all(len(p.split()) <= words for p in pieces)


def test_word_groups_validates_its_size() -> None:
    with pytest.raises(ValueError, match="positive"):
        WordGroups(words=0)


def _session(**fields: Any) -> SessionRecord:
    base: dict[str, Any] = {
        "id": "s1", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
        "state": {}, "customer_id": None, "api_key_id": None,
    }  # fmt: skip
    base.update(fields)
    return SessionRecord(**base)


def test_check_turn_refuses_what_chat_would_refuse() -> None:
    assistant = FakeAssistant(result())
    check_turn(assistant, None, TurnRequest(session_id=None, message="laptops"))
    with pytest.raises(InvalidMessageError):
        check_turn(assistant, None, TurnRequest(session_id=None, message="   "))
    with pytest.raises(InvalidMessageError):
        check_turn(assistant, None, TurnRequest(session_id=None, message="x" * 51))
    with pytest.raises(UnknownSessionError):
        check_turn(assistant, None, TurnRequest(session_id="s1", message="hi"))
    mine = _session(api_key_id=1)
    check_turn(assistant, mine, TurnRequest(session_id="s1", message="hi", api_key_id=1))
    with pytest.raises(UnknownSessionError):  # another key's session is not revealed
        check_turn(assistant, mine, TurnRequest(session_id="s1", message="hi", api_key_id=2))
    with pytest.raises(SessionOwnerError):
        check_turn(
            assistant, _session(customer_id="c1"), TurnRequest(session_id="s1", message="hi")
        )


def test_relay_delivers_every_frame_then_ends() -> None:
    async def collect() -> list[bytes]:
        return [frame async for frame in relay(iter([b"a", b"b", b"c"]), lambda e: b"error")]

    assert asyncio.run(collect()) == [b"a", b"b", b"c"]


def test_relay_turns_a_raising_producer_into_an_error_frame() -> None:
    def frames() -> Iterator[bytes]:
        yield b"start"
        raise RuntimeError("boom")

    async def collect() -> list[bytes]:
        return [frame async for frame in relay(frames(), lambda e: f"error {e}".encode())]

    assert asyncio.run(collect()) == [b"start", b"error boom"]


def test_relay_finishes_the_producer_when_the_reader_leaves_after_the_first_frame() -> None:
    finished = threading.Event()

    def frames() -> Iterator[bytes]:
        yield b"start"
        time.sleep(0.05)  # the turn
        yield b"done"
        finished.set()

    async def read_one() -> bytes:
        stream = relay(frames(), lambda e: b"error")
        first = await anext(aiter(stream))
        await stream.aclose()  # type: ignore[attr-defined]  # the client disconnects
        return first

    assert asyncio.run(read_one()) == b"start"
    assert finished.wait(timeout=5)
