"""POST /api/v1/chat with a customer token: orders answered, bad tokens 401, foreign session 403."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.support.identity import CustomerTokens, load_or_create_secret

pytestmark = pytest.mark.integration


@pytest.fixture
def client(services: Any) -> Iterator[TestClient]:
    from app import create_app

    services.seed_demo()
    with TestClient(create_app(services)) as c:
        yield c


def _chat(client: TestClient, message: str, **extra: Any) -> Any:
    return client.post("/api/v1/chat", json={"message": message, **extra})


def test_token_signs_the_customer_in(client: TestClient, services: Any) -> None:
    token = services.customer_tokens.issue("alice")
    r = _chat(client, "where is order 10237?", customer_token=token)
    assert r.status_code == 200, r.text
    assert "Order 10237" in r.json()["reply"] and "shipped" in r.json()["reply"]
    session = services.conversations.get_session(r.json()["session_id"])
    assert session.customer_id == "alice"


def test_without_a_token_orders_need_a_login(client: TestClient) -> None:
    r = _chat(client, "where is order 10237?")
    assert r.status_code == 200 and "sign in" in r.json()["reply"]
    assert "shipped" not in r.json()["reply"]


def _tampered(token: str) -> list[str]:
    version, customer, expiry, signature = token.split(".")
    bob = "Ym9i"  # base64url("bob")
    return [
        ".".join([version, bob, expiry, signature]),
        ".".join([version, customer, str(int(expiry) + 3600), signature]),
        ".".join([version, customer, expiry, signature[::-1]]),
        "not-a-token",
    ]


def test_tampered_or_unknown_tokens_are_401(client: TestClient, services: Any) -> None:
    for bad in [*_tampered(services.customer_tokens.issue("alice"))]:
        r = _chat(client, "where is order 10237?", customer_token=bad)
        assert r.status_code == 401, (bad, r.text)
        assert r.json()["error"]["code"] == "unauthorized"
        assert "10237" not in r.text
    ghost = services.customer_tokens.issue("mallory")  # well signed, but no such customer
    assert _chat(client, "hi", customer_token=ghost).status_code == 401


def test_expired_token_is_401(client: TestClient, services: Any) -> None:
    secret = load_or_create_secret(None, services.settings.secret_file)  # this install's
    issued_long_ago = CustomerTokens(secret, clock=lambda: datetime(2020, 1, 1, tzinfo=UTC))
    r = _chat(client, "where is order 10237?", customer_token=issued_long_ago.issue("alice"))
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]


def test_another_customers_session_is_403(client: TestClient, services: Any) -> None:
    alice = services.customer_tokens.issue("alice")
    bob = services.customer_tokens.issue("bob")
    first = _chat(client, "where is order 10237?", customer_token=alice).json()
    r = _chat(client, "where is order 10237?", session_id=first["session_id"], customer_token=bob)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert "10237" not in r.json()["error"]["message"]
    anonymous = _chat(client, "where is order 10237?", session_id=first["session_id"])
    assert anonymous.status_code == 403


def test_a_customers_transcript_needs_their_token(client: TestClient, services: Any) -> None:
    alice = services.customer_tokens.issue("alice")
    first = _chat(client, "where is order 10237?", customer_token=alice).json()
    url = f"/api/v1/sessions/{first['session_id']}"
    assert client.get(url).status_code == 403
    bob = {"X-Customer-Token": services.customer_tokens.issue("bob")}
    assert client.get(url, headers=bob).status_code == 403
    assert client.get(url, headers={"X-Customer-Token": "forged"}).status_code == 401
    mine = client.get(url, headers={"X-Customer-Token": alice})
    assert mine.status_code == 200 and "10237" in mine.json()["turns"][0]["reply"]
