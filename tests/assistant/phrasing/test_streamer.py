"""PhrasedReplies: a streamed turn relays the model's validated sentences and stores them."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

from assistant.phrasing.streamer import PhrasedReplies
from assistant.streaming import (
    ReplaceText,
    StreamEvent,
    TextDelta,
    TurnDone,
    TurnRequest,
    stream_turn,
)
from db.errors import NotFoundError
from tests.assistant.phrasing.test_turns import assistant, phrased_turns, template_turn

pytestmark = pytest.mark.unit

MESSAGE = "laptops under 700 dollars"


class StoredReplies:
    """Records ``set_turn_reply`` calls (optionally failing like the database would)."""

    def __init__(self, fail: bool = False) -> None:
        self.calls: list[tuple[int, str]] = []
        self.fail = fail

    def set_turn_reply(self, turn_id: int, reply: str) -> None:
        self.calls.append((turn_id, reply))
        if self.fail:
            raise NotFoundError("turn", str(turn_id))


def run(wording: str, stored: StoredReplies) -> tuple[list[StreamEvent], str]:
    """The events of one streamed turn whose model answers ``wording``; and its template."""
    template, _, _ = template_turn(MESSAGE)
    model = GenericFakeChatModel(messages=iter([wording]))
    chat, _ = assistant(model)
    replies = PhrasedReplies(phrased_turns(model), stored)
    events = list(stream_turn(chat, TurnRequest(session_id=None, message=MESSAGE), replies))
    return events, template


def deltas(events: list[StreamEvent]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def test_the_models_sentences_are_relayed_and_stored() -> None:
    _, title, price = template_turn(MESSAGE)
    wording = f"My top pick under $700.00 is the {title}. It costs {price}."
    stored = StoredReplies()
    events, template = run(wording, stored)
    done = events[-1]
    assert isinstance(done, TurnDone)
    assert len([e for e in events if isinstance(e, TextDelta)]) == 2  # sentence by sentence
    assert deltas(events) == done.result.reply == wording != template
    assert done.result.phrased_by == "llm"
    assert not any(isinstance(e, ReplaceText) for e in events)
    assert stored.calls == [(done.result.turn_id, wording)]


def test_a_failure_mid_stream_replaces_the_text_with_the_template() -> None:
    _, title, _ = template_turn(MESSAGE)
    stored = StoredReplies()
    events, template = run(f"I like the {title}. It is only $1.00 today.", stored)
    names = [type(e).__name__ for e in events]
    assert names[:3] == ["StreamStart", "TextDelta", "ReplaceText"]
    assert deltas(events) == f"I like the {title}. "
    replace, done = events[2], events[-1]
    assert isinstance(replace, ReplaceText) and isinstance(done, TurnDone)
    assert replace.text == done.result.reply == template
    assert done.result.phrased_by == "template"
    assert stored.calls == []  # the stored turn already holds the template


def test_a_failure_before_the_first_sentence_streams_the_template_cleanly() -> None:
    stored = StoredReplies()
    events, template = run("Only $1.00 today!", stored)
    done = events[-1]
    assert isinstance(done, TurnDone)
    assert deltas(events) == done.result.reply == template
    assert not any(isinstance(e, ReplaceText) for e in events)
    assert stored.calls == []


def test_a_failed_store_still_ends_with_done() -> None:
    _, title, price = template_turn(MESSAGE)
    wording = f"The {title} costs {price}."
    stored = StoredReplies(fail=True)
    events, _ = run(wording, stored)
    done = events[-1]
    assert isinstance(done, TurnDone) and done.result.reply == wording
    assert len(stored.calls) == 1
