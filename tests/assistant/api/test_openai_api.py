"""/v1 (OpenAI-compatible) through the real ``openai`` client and LangChain's ``ChatOpenAI``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openai import APIError, NotFoundError, OpenAI, UnprocessableEntityError
from openai.types.chat import ChatCompletionChunk

from db.openai_threads import thread_digest
from tests.live_server import live_server

pytestmark = pytest.mark.integration


@pytest.fixture
def base_url(services: Any) -> Iterator[str]:
    from app import create_app

    with live_server(create_app(services)) as url:
        yield url


@pytest.fixture
def client(base_url: str) -> OpenAI:
    return OpenAI(base_url=f"{base_url}/v1", api_key="unused", max_retries=0, timeout=60)


def user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def test_models_lists_shopbot(client: OpenAI) -> None:
    assert [m.id for m in client.models.list()] == ["shopbot"]


def test_completion_then_a_resent_history_continues_the_session(
    client: OpenAI, base_url: str
) -> None:
    first = client.chat.completions.create(model="shopbot", messages=[user("laptops")])
    message = first.choices[0].message
    assert first.object == "chat.completion" and first.choices[0].finish_reason == "stop"
    assert message.role == "assistant" and message.content
    extra = first.model_extra or {}
    products, shopbot = (message.model_extra or {})["products"], extra["shopbot"]
    assert products and {"id", "title", "brand", "price"} <= set(products[0])
    assert shopbot["intent"] == "search" and shopbot["filters"]["category"] == "laptop"
    assert first.usage is not None and first.usage.completion_tokens == len(message.content.split())

    history = [user("laptops"), {"role": "assistant", "content": message.content}]
    second = client.chat.completions.create(model="shopbot", messages=[*history, user("only HP")])
    again = (second.model_extra or {})["shopbot"]
    assert again["session_id"] == shopbot["session_id"]
    assert again["filters"]["brands"] == ["HP"] and again["filters"]["category"] == "laptop"
    turns = httpx.get(f"{base_url}/api/v1/sessions/{shopbot['session_id']}").json()["turns"]
    assert [t["user_message"] for t in turns] == ["laptops", "only HP"]

    # Another end user resending the same history does not get this conversation.
    other = client.chat.completions.create(
        model="shopbot", messages=[*history, user("only HP")], user="someone-else"
    )
    assert (other.model_extra or {})["shopbot"]["session_id"] != shopbot["session_id"]


def test_an_unknown_history_starts_a_new_session_and_session_id_overrides(client: OpenAI) -> None:
    first = client.chat.completions.create(model="shopbot", messages=[user("tablets")])
    session_id = (first.model_extra or {})["shopbot"]["session_id"]
    edited = [user("tablets"), {"role": "assistant", "content": "Something I never said."}]
    fresh = client.chat.completions.create(model="shopbot", messages=[*edited, user("only HP")])
    assert (fresh.model_extra or {})["shopbot"]["session_id"] != session_id
    named = client.chat.completions.create(
        model="shopbot", messages=[user("only Samsung")], extra_body={"session_id": session_id}
    )
    shopbot = (named.model_extra or {})["shopbot"]
    assert shopbot["session_id"] == session_id and shopbot["filters"]["category"] == "tablet"


def collect(stream: Any) -> list[ChatCompletionChunk]:
    return list(stream)


def test_streaming_completion_and_continuation(client: OpenAI, base_url: str) -> None:
    chunks = collect(
        client.chat.completions.create(
            model="shopbot",
            messages=[{"role": "system", "content": "You are a shop."}, user("laptops")],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    assert all(c.object == "chat.completion.chunk" for c in chunks)
    assert len({c.id for c in chunks}) == 1
    assert chunks[0].choices[0].delta.role == "assistant"
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    finish = [c for c in chunks if c.choices and c.choices[0].finish_reason == "stop"]
    assert len(finish) == 1 and chunks[-1].usage is not None and not chunks[-1].choices
    products = (finish[0].choices[0].delta.model_extra or {})["products"]
    shopbot = (finish[0].model_extra or {})["shopbot"]
    assert products and shopbot["filters"]["category"] == "laptop"
    turns = httpx.get(f"{base_url}/api/v1/sessions/{shopbot['session_id']}").json()["turns"]
    assert turns[-1]["reply"] == text and chunks[-1].usage.completion_tokens == len(text.split())

    history = [
        {"role": "system", "content": "You are a shop."},
        user("laptops"),
        {"role": "assistant", "content": text},
        user("only HP"),
    ]
    again = collect(client.chat.completions.create(model="shopbot", messages=history, stream=True))
    last = again[-1]
    assert last.choices[0].finish_reason == "stop"
    assert (last.model_extra or {})["shopbot"]["session_id"] == shopbot["session_id"]
    assert (last.model_extra or {})["shopbot"]["filters"]["brands"] == ["HP"]


def test_errors_have_the_openai_shape(client: OpenAI, base_url: str) -> None:
    with pytest.raises(NotFoundError) as unknown_model:
        client.chat.completions.create(model="gpt-4o", messages=[user("laptops")])
    assert unknown_model.value.code == "not_found"
    with pytest.raises(UnprocessableEntityError) as last_not_user:
        client.chat.completions.create(
            model="shopbot", messages=[user("hi"), {"role": "assistant", "content": "Hello"}]
        )
    assert last_not_user.value.code == "invalid_message"
    with pytest.raises(NotFoundError):
        client.chat.completions.create(
            model="shopbot", messages=[user("hi")], extra_body={"session_id": "nope"}, stream=True
        )
    r = httpx.post(f"{base_url}/v1/chat/completions", json={"model": "shopbot", "messages": []})
    assert r.status_code == 422
    error = r.json()["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error" and error["param"] == "messages"
    # The /api/v1 routes keep their own error shape.
    r = httpx.post(f"{base_url}/api/v1/chat", json={"message": ""})
    assert set(r.json()["error"]) == {"code", "message", "details"}


def test_a_failure_inside_a_stream_raises_api_error(
    services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import create_app

    def broken_chat(*args: object, **kwargs: object) -> None:
        raise RuntimeError("index exploded")

    monkeypatch.setattr(services.assistant, "chat", broken_chat)
    with live_server(create_app(services)) as url:
        client = OpenAI(base_url=f"{url}/v1", api_key="unused", max_retries=0)
        stream = client.chat.completions.create(
            model="shopbot", messages=[user("laptops")], stream=True
        )
        with pytest.raises(APIError, match="failed to answer"):
            collect(stream)


def test_langchain_chat_openai_invoke_and_stream(base_url: str, services: Any) -> None:
    from langchain_core.messages import AIMessage, HumanMessage
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(base_url=f"{base_url}/v1", api_key="unused", model="shopbot", max_retries=0)
    answer = llm.invoke([HumanMessage("laptops")])
    assert isinstance(answer, AIMessage) and isinstance(answer.content, str) and answer.content
    pieces = [chunk.content for chunk in llm.stream([
        HumanMessage("laptops"), answer, HumanMessage("only HP"),
    ])]  # fmt: skip
    text = "".join(str(p) for p in pieces)
    assert len(pieces) > 1 and text
    history = [("user", "laptops"), ("assistant", answer.content), ("user", "only HP")]
    session_id = services.openai_threads.find(thread_digest([*history, ("assistant", text)]))
    turns = services.conversations.list_turns(session_id)
    assert [t.user_message for t in turns] == ["laptops", "only HP"]
    assert turns[-1].filters["brands"] == ["HP"]
