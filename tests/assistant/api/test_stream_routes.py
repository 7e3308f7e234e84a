"""POST /api/v1/chat/stream over a real server: event order, done == ChatResult, errors."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from assistant.service import ChatResult
from tests.live_server import live_server

pytestmark = pytest.mark.integration

Event = tuple[str, Any]


@pytest.fixture
def base_url(services: Any) -> Iterator[str]:
    from app import create_app

    with live_server(create_app(services)) as url:
        yield url


def read_events(response: httpx.Response) -> Iterator[Event]:
    """Parse ``event:``/``data:`` frames as they arrive."""
    name, data = "message", ""
    for line in response.iter_lines():
        if line.startswith("event: "):
            name = line[len("event: ") :]
        elif line.startswith("data: "):
            data = line[len("data: ") :]
        elif line == "" and data:
            yield name, json.loads(data)
            name, data = "message", ""


def stream(base_url: str, body: dict[str, Any]) -> list[Event]:
    with httpx.stream("POST", f"{base_url}/api/v1/chat/stream", json=body, timeout=60) as r:
        assert r.status_code == 200, r.read()
        assert r.headers["content-type"].startswith("text/event-stream")
        assert r.headers["cache-control"] == "no-cache"
        return list(read_events(r))


def test_events_arrive_in_order_and_done_is_the_chat_result(base_url: str) -> None:
    events = stream(base_url, {"message": "a laptop under $900"})
    names = [name for name, _ in events]
    assert names[0] == "start" and events[0][1] == {"session_id": None}
    assert names[-1] == "done" and "delta" in names
    deltas = [i for i, n in enumerate(names) if n == "delta"]
    assert deltas == list(range(1, len(deltas) + 1))  # all text right after start
    assert names[deltas[-1] + 1 :] == ["products", "done"]
    done = events[-1][1]
    ChatResult.model_validate(done)
    assert set(done) == {"session_id", "turn_id", "intent", "filters", "reply", "products",
                         "sources"}  # fmt: skip
    assert "".join(data["text"] for name, data in events if name == "delta") == done["reply"]
    assert dict(events)["products"] == {"products": done["products"]}
    assert done["filters"]["category"] == "laptop" and done["products"]

    # The stream continues the same session, like POST /api/v1/chat.
    again = stream(base_url, {"session_id": done["session_id"], "message": "only HP"})
    assert again[0] == ("start", {"session_id": done["session_id"]})
    assert again[-1][1]["filters"]["brands"] == ["HP"]
    turns = httpx.get(f"{base_url}/api/v1/sessions/{done['session_id']}").json()["turns"]
    assert [t["reply"] for t in turns] == [done["reply"], again[-1][1]["reply"]]


def test_policy_answers_stream_their_sources(base_url: str) -> None:
    events = stream(base_url, {"message": "how many days do I have to return a laptop?"})
    done = events[-1][1]
    assert events[-1][0] == "done" and done["sources"]
    assert dict(events)["sources"] == {"sources": done["sources"]}


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"message": ""}, 422, "invalid_request"),
        ({"message": "   "}, 422, "invalid_message"),
        ({"message": "hi", "extra": 1}, 422, "invalid_request"),
        ({"message": "hi", "session_id": "no-such-session"}, 404, "not_found"),
        ({"message": "hi", "customer_token": "forged"}, 401, "unauthorized"),
    ],
)
def test_refusals_before_the_stream_are_json(
    base_url: str, body: dict[str, Any], status: int, code: str
) -> None:
    r = httpx.post(f"{base_url}/api/v1/chat/stream", json=body, timeout=30)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    assert r.json()["error"]["code"] == code


def test_malformed_json_is_a_400(base_url: str) -> None:
    r = httpx.post(
        f"{base_url}/api/v1/chat/stream",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "invalid_request"


def test_a_failure_inside_the_turn_is_an_error_event(
    services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app import create_app

    def broken_chat(*args: object, **kwargs: object) -> ChatResult:
        raise RuntimeError("index exploded")

    monkeypatch.setattr(services.assistant, "chat", broken_chat)
    with live_server(create_app(services)) as url:
        events = stream(url, {"message": "laptops"})
    assert [name for name, _ in events] == ["start", "error"]
    assert events[1][1] == {
        "error": {"code": "internal_error", "message": "the assistant failed to answer; try again"}
    }


def test_a_client_that_disconnects_does_not_lose_the_turn(base_url: str) -> None:
    first = httpx.post(f"{base_url}/api/v1/chat", json={"message": "tablets"}, timeout=30).json()
    body = {"session_id": first["session_id"], "message": "only Samsung"}
    with httpx.stream("POST", f"{base_url}/api/v1/chat/stream", json=body, timeout=30) as r:
        assert next(read_events(r))[0] == "start"
    # Gone right after "start"; the turn still completes and is stored.
    deadline = time.monotonic() + 20
    turns: list[dict[str, Any]] = []
    while time.monotonic() < deadline and len(turns) < 2:
        time.sleep(0.2)
        session = httpx.get(f"{base_url}/api/v1/sessions/{first['session_id']}").json()
        turns = session["turns"]
    assert [t["user_message"] for t in turns] == ["tablets", "only Samsung"]
