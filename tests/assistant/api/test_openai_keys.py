"""API keys on the streaming and OpenAI-compatible routes: a key never reaches another's session."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from openai import AuthenticationError, NotFoundError, OpenAI

from db.api_keys import ApiKeyRepository
from tests.live_server import live_server

pytestmark = pytest.mark.integration


@pytest.fixture
def keyed(services: Any) -> Iterator[tuple[str, str, str]]:
    """A live server with two API keys (so keys are required), and the two keys."""
    from app import create_app

    keys = ApiKeyRepository(services.session_factory)
    first, second = keys.create("shop one").key, keys.create("shop two").key
    with live_server(create_app(services)) as url:
        yield url, first, second


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_a_stream_cannot_continue_another_keys_session(keyed: tuple[str, str, str]) -> None:
    url, first, second = keyed
    started = httpx.post(
        f"{url}/api/v1/chat/stream", json={"message": "laptops"}, headers=bearer(first), timeout=60
    )
    done = started.text.rsplit("event: done\ndata: ", 1)[1]
    session_id = json.loads(done)["session_id"]
    body = {"session_id": session_id, "message": "only HP"}
    stolen = httpx.post(f"{url}/api/v1/chat/stream", json=body, headers=bearer(second))
    assert stolen.status_code == 404 and stolen.json()["error"]["code"] == "not_found"
    own = httpx.post(f"{url}/api/v1/chat/stream", json=body, headers=bearer(first), timeout=60)
    assert own.status_code == 200 and '"brands":["HP"]' in own.text


def test_openai_threads_and_sessions_are_per_key(keyed: tuple[str, str, str]) -> None:
    url, first, second = keyed
    one = OpenAI(base_url=f"{url}/v1", api_key=first, max_retries=0, timeout=60)
    two = OpenAI(base_url=f"{url}/v1", api_key=second, max_retries=0, timeout=60)
    answer = one.chat.completions.create(
        model="shopbot", messages=[{"role": "user", "content": "laptops"}]
    )
    session_id = (answer.model_extra or {})["shopbot"]["session_id"]
    history = [
        {"role": "user", "content": "laptops"},
        {"role": "assistant", "content": answer.choices[0].message.content or ""},
        {"role": "user", "content": "only HP"},
    ]
    # The same history from another key starts that key's own session.
    theirs = two.chat.completions.create(model="shopbot", messages=history)
    assert (theirs.model_extra or {})["shopbot"]["session_id"] != session_id
    with pytest.raises(NotFoundError):
        two.chat.completions.create(
            model="shopbot", messages=history[-1:], extra_body={"session_id": session_id}
        )
    mine = one.chat.completions.create(model="shopbot", messages=history)
    assert (mine.model_extra or {})["shopbot"]["session_id"] == session_id


def test_without_a_key_both_refuse_before_any_stream(keyed: tuple[str, str, str]) -> None:
    url, _, _ = keyed
    stream = httpx.post(f"{url}/api/v1/chat/stream", json={"message": "laptops"})
    assert stream.status_code == 401 and stream.json()["error"]["code"] == "unauthorized"
    client = OpenAI(base_url=f"{url}/v1", api_key="sb_wrong", max_retries=0)
    with pytest.raises(AuthenticationError) as refused:
        client.chat.completions.create(
            model="shopbot", messages=[{"role": "user", "content": "hi"}], stream=True
        )
    assert refused.value.type == "authentication_error"
