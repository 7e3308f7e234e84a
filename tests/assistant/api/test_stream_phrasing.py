"""Streamed answers with a phrasing model (fake, queued replies) over a real server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from openai import OpenAI

from assistant.streaming import WordGroups
from tests.assistant.api.test_stream_routes import stream
from tests.live_server import live_server

pytestmark = pytest.mark.integration

MESSAGE = "laptops under 800 dollars"
FAITHFUL = "I picked a few laptops under $800.00 for you. Take a look at the cards below."
INVENTED = "I picked a few laptops under $800.00 for you. One costs only $1.00 today."
TEMPLATE_START = "Here are 5 laptops under $800.00"


def serve(services: Any, *wordings: str) -> Iterator[str]:
    from app import create_app

    services.__dict__["chat_model"] = GenericFakeChatModel(messages=iter(wordings))
    with live_server(create_app(services)) as url:
        yield url


@pytest.fixture
def faithful_url(services: Any) -> Iterator[str]:
    yield from serve(services, FAITHFUL)


@pytest.fixture
def invented_url(services: Any) -> Iterator[str]:
    yield from serve(services, INVENTED, FAITHFUL, INVENTED)


@pytest.fixture
def base_url(services: Any) -> Iterator[str]:
    from app import create_app

    with live_server(create_app(services)) as url:
        yield url


def stored_replies(base_url: str, session_id: str) -> list[str]:
    turns = httpx.get(f"{base_url}/api/v1/sessions/{session_id}").json()["turns"]
    return [t["reply"] for t in turns]


def test_the_models_sentences_are_streamed_and_stored(faithful_url: str) -> None:
    events = stream(faithful_url, {"message": MESSAGE})
    names = [name for name, _ in events]
    done = events[-1][1]
    assert names[-1] == "done" and "replace" not in names
    texts = [data["text"] for name, data in events if name == "delta"]
    assert len(texts) == 2  # one validated sentence each
    assert "".join(texts) == done["reply"] == FAITHFUL
    assert done["phrased_by"] == "llm" and done["products"]
    assert stored_replies(faithful_url, done["session_id"]) == [FAITHFUL]


def test_an_invented_price_mid_stream_is_replaced_by_the_template(invented_url: str) -> None:
    events = stream(invented_url, {"message": MESSAGE})
    names = [name for name, _ in events]
    done = events[-1][1]
    assert names[:3] == ["start", "delta", "replace"] and names[-1] == "done"
    assert events[1][1]["text"] == "I picked a few laptops under $800.00 for you. "
    assert events[2][1]["text"] == done["reply"]
    assert done["reply"].startswith(TEMPLATE_START) and "phrased_by" not in done
    assert stored_replies(invented_url, done["session_id"]) == [done["reply"]]


def test_without_a_model_the_template_is_streamed_in_word_groups(
    services: Any, base_url: str
) -> None:
    assert isinstance(services.reply_streamer, WordGroups)
    events = stream(base_url, {"message": MESSAGE})
    done = events[-1][1]
    texts = [data["text"] for name, data in events if name == "delta"]
    assert len(texts) > 2 and "".join(texts) == done["reply"]
    assert "replace" not in dict(events) and "phrased_by" not in done
    assert done["reply"].startswith(TEMPLATE_START)


def test_openai_streams_relay_the_model_and_report_a_replacement(invented_url: str) -> None:
    client = OpenAI(base_url=f"{invented_url}/v1", api_key="unused", max_retries=0)

    def completion(messages: list[Any]) -> tuple[str, dict[str, Any]]:
        chunks = list(
            client.chat.completions.create(model="shopbot", messages=messages, stream=True)
        )
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        return text, (chunks[-1].model_extra or {})["shopbot"]

    # The first wording invents a price after one good sentence: the client is told.
    first = [{"role": "user", "content": MESSAGE}]
    text, shopbot = completion(first)
    assert text == "I picked a few laptops under $800.00 for you. "
    assert shopbot["replaced_reply"].startswith(TEMPLATE_START)
    # A client that kept the streamed text continues the same session; the faithful wording
    # is streamed whole, with no replacement.
    again = [*first, {"role": "assistant", "content": text}, {"role": "user", "content": MESSAGE}]
    text, second = completion(again)
    assert second["session_id"] == shopbot["session_id"] and "replaced_reply" not in second
    assert text == FAITHFUL
    replies = stored_replies(invented_url, shopbot["session_id"])
    assert replies[0] == shopbot["replaced_reply"]
    assert replies[1] == text
