"""The staff API through the real app: credentials (401/403), the handoff queue with
transcripts, staff replies reaching the shopper, and return decisions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.integration

PASSWORD = "correct horse battery"


@pytest.fixture
def client(services: Any) -> Iterator[TestClient]:
    from app import create_app

    auth = services.support.staff_auth
    auth.create_account("ana", PASSWORD, "agent")
    auth.create_account("vic", PASSWORD, "viewer")
    auth.create_account("dan", PASSWORD, "agent")
    with TestClient(create_app(services)) as c:
        yield c


def _token(client: TestClient, username: str) -> dict[str, str]:
    r = client.post("/api/v1/staff/login", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def _error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    return str(body["error"]["code"])


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-real-token"},
        {"Authorization": "Basic YW5hOmNvcnJlY3Q="},
        {"Authorization": "Bearer "},
    ],
)
def test_missing_or_wrong_token_is_401(client: TestClient, headers: dict[str, str]) -> None:
    for method, path in (
        ("GET", "/api/v1/staff/handoffs"),
        ("GET", "/api/v1/staff/returns"),
        ("POST", "/api/v1/staff/handoffs/1/close"),
        ("POST", "/api/v1/staff/returns/RMA-20419-1/decision"),
    ):
        body = {"approve": True} if "decision" in path else None
        r = client.request(method, path, headers=headers, json=body)
        assert _error(r, 401) == "unauthorized"
        assert r.headers["www-authenticate"] == "Bearer"


def test_wrong_password_and_unknown_user_get_the_same_401(client: TestClient) -> None:
    wrong = client.post("/api/v1/staff/login", json={"username": "ana", "password": "nope"})
    unknown = client.post("/api/v1/staff/login", json={"username": "zed", "password": "nope"})
    assert _error(wrong, 401) == _error(unknown, 401) == "unauthorized"
    assert wrong.json()["error"]["message"] == unknown.json()["error"]["message"]


def test_read_only_account_can_read_but_not_act(client: TestClient) -> None:
    viewer = _token(client, "vic")
    assert client.get("/api/v1/staff/handoffs", headers=viewer).status_code == 200
    assert client.get("/api/v1/staff/me", headers=viewer).json()["can_write"] is False
    r = client.post("/api/v1/staff/handoffs/1/messages", headers=viewer, json={"text": "hi"})
    assert _error(r, 403) == "forbidden"
    r = client.post(
        "/api/v1/staff/returns/RMA-20419-1/decision", headers=viewer, json={"approve": True}
    )
    assert _error(r, 403) == "forbidden"


def test_disabled_account_is_403_for_its_tokens_and_its_login(
    client: TestClient, services: Any
) -> None:
    headers = _token(client, "dan")
    services.support.staff.update_user("dan", active=False)
    # Disabling revokes the tokens: the old token is unknown now (401); a login is refused (403).
    assert _error(client.get("/api/v1/staff/handoffs", headers=headers), 401) == "unauthorized"
    r = client.post("/api/v1/staff/login", json={"username": "dan", "password": PASSWORD})
    assert _error(r, 403) == "forbidden"


def test_logout_revokes_the_token(client: TestClient) -> None:
    headers = _token(client, "ana")
    assert client.post("/api/v1/staff/logout", headers=headers).status_code == 204
    assert _error(client.get("/api/v1/staff/me", headers=headers), 401) == "unauthorized"


def test_handoff_reaches_the_queue_and_the_staff_reply_reaches_the_shopper(
    client: TestClient,
) -> None:
    chat = client.post("/api/v1/chat", json={"message": "I want to talk to a human agent"})
    assert chat.status_code == 200, chat.text
    session_id = chat.json()["session_id"]
    headers = _token(client, "ana")

    queue = client.get("/api/v1/staff/handoffs", headers=headers).json()["handoffs"]
    assert [h["session_id"] for h in queue] == [session_id]
    handoff = queue[0]
    assert [e["role"] for e in handoff["transcript"]] == ["shopper", "assistant"]
    assert handoff["transcript"][0]["text"] == "I want to talk to a human agent"

    text = "Hi, this is Ana from customer service. How can I help?"
    r = client.post(
        f"/api/v1/staff/handoffs/{handoff['id']}/messages", headers=headers, json={"text": text}
    )
    assert r.status_code == 201, r.text

    session = client.get(f"/api/v1/sessions/{session_id}").json()
    assert [(m["staff"], m["text"]) for m in session["staff_messages"]] == [("ana", text)]
    follow_up = client.post("/api/v1/chat", json={"session_id": session_id, "message": "thanks"})
    assert [m["text"] for m in follow_up.json()["staff_messages"]] == [text]

    closed = client.post(f"/api/v1/staff/handoffs/{handoff['id']}/close", headers=headers)
    assert closed.json()["status"] == "closed" and closed.json()["closed_by"] == "ana"
    assert client.get("/api/v1/staff/handoffs", headers=headers).json()["handoffs"] == []
    missing = client.get("/api/v1/staff/handoffs/9999", headers=headers)
    assert _error(missing, 404) == "not_found"


def test_staff_approve_a_requested_return_once(client: TestClient, services: Any) -> None:
    services.seed_demo()
    headers = _token(client, "ana")
    waiting = client.get("/api/v1/staff/returns", headers=headers).json()["returns"]
    rma = "RMA-20419-1"
    assert rma in [r["rma"] for r in waiting]
    note = "Approved: defective within the return window."
    r = client.post(
        f"/api/v1/staff/returns/{rma}/decision",
        headers=headers,
        json={"approve": True, "note": note},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["status"], r.json()["staff_note"], r.json()["decided_by"]) == (
        "approved",
        note,
        "ana",
    )
    again = client.post(
        f"/api/v1/staff/returns/{rma}/decision", headers=headers, json={"approve": False}
    )
    assert _error(again, 409) == "conflict"
    unknown = client.post(
        "/api/v1/staff/returns/RMA-0-0/decision", headers=headers, json={"approve": True}
    )
    assert _error(unknown, 404) == "not_found"
    assert rma not in [
        r["rma"] for r in client.get("/api/v1/staff/returns", headers=headers).json()["returns"]
    ]


def test_staff_console_page_is_served_next_to_the_shopper_page(client: TestClient) -> None:
    staff = client.get("/staff/")
    assert staff.status_code == 200 and "Customer service console" in staff.text
    shopper = client.get("/")
    assert shopper.status_code == 200 and "Customer service console" not in shopper.text
