"""The whole assistant on PostgreSQL + a Chroma server: index build through HttpClient, a
multi-turn conversation, clicks, policy answers, handoffs (partial unique index) and returns
through the HTTP API."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.wiring import Services
from retrieval.catalog.product import Product

pytestmark = [pytest.mark.integration, pytest.mark.postgres, pytest.mark.chroma_server]

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def client(scaleout_services: Services) -> Iterator[TestClient]:
    from app import create_app

    scaleout_services.seed_demo()
    scaleout_services.support.staff_auth.create_account("ana", PASSWORD, "agent")
    with TestClient(create_app(scaleout_services)) as c:
        yield c


def _chat(client: TestClient, message: str, **extra: Any) -> dict[str, Any]:
    r = client.post("/api/v1/chat", json={"message": message, **extra})
    assert r.status_code == 200, r.text
    return dict(r.json())


def _staff(client: TestClient) -> dict[str, str]:
    r = client.post("/api/v1/staff/login", json={"username": "ana", "password": PASSWORD})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def test_the_index_lives_on_the_server_and_matches_the_products_table(
    scaleout_services: Services, catalog_slice: list[Product]
) -> None:
    import chromadb

    index = scaleout_services.vector_index
    assert isinstance(index._client, chromadb.api.client.Client)  # an HttpClient's class
    assert scaleout_services.engine.dialect.name == "postgresql"
    assert index.content_hashes() == scaleout_services.products.content_hashes()
    assert index.count() == len(catalog_slice)
    report = scaleout_services.build_index(show_progress=False)  # reconcile: nothing to do
    assert (report.embedded, report.deleted, report.unchanged) == (0, 0, len(catalog_slice))


def test_health_counts_products_and_indexed_vectors(
    client: TestClient, catalog_slice: list[Product]
) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["products"] == body["indexed"] == len(catalog_slice)


def test_multi_turn_conversation_with_a_click(
    client: TestClient, scaleout_services: Services
) -> None:
    first = _chat(client, "a laptop under $900")
    assert first["filters"]["category"] == "laptop" and first["products"]
    assert all(p["category"] == "laptop" and Decimal(p["price"]) <= 900 for p in first["products"])
    sid = first["session_id"]
    second = _chat(client, "only HP", session_id=sid)
    assert second["filters"]["brands"] == ["HP"]
    assert second["products"] and {p["brand"] for p in second["products"]} == {"HP"}
    third = _chat(client, "show more", session_id=sid)
    shown = {p["id"] for p in second["products"]}
    assert third["products"] and shown.isdisjoint(p["id"] for p in third["products"])

    clicked = second["products"][0]["id"]
    event = {
        "session_id": sid,
        "product_id": clicked,
        "type": "click",
        "turn_id": second["turn_id"],
    }
    r = client.post("/api/v1/events", json=event)
    assert r.status_code == 201, r.text

    session = client.get(f"/api/v1/sessions/{sid}").json()
    assert [t["user_message"] for t in session["turns"]] == [
        "a laptop under $900",
        "only HP",
        "show more",
    ]
    assert [p["product_id"] for p in session["turns"][1]["products"]] == [
        p["id"] for p in second["products"]
    ]
    events = scaleout_services.conversations.list_events(sid)
    assert [(e.product_id, e.type, e.turn_id) for e in events] == [
        (clicked, "click", second["turn_id"])
    ]


def test_policy_answer_quotes_passages_from_the_server_collection(client: TestClient) -> None:
    body = _chat(client, "how many days do I have to return an item?")
    assert body["intent"] in {"policy_question", "return_request"} or body["sources"]
    assert body["sources"], body["reply"]


def test_one_open_handoff_per_session_then_a_new_case_after_closing(client: TestClient) -> None:
    sid = _chat(client, "I want to talk to a human agent")["session_id"]
    _chat(client, "please, a real person", session_id=sid)
    headers = _staff(client)
    queue = client.get("/api/v1/staff/handoffs", headers=headers).json()["handoffs"]
    mine = [h for h in queue if h["session_id"] == sid]
    assert len(mine) == 1  # the partial unique index (status = 'open') on PostgreSQL
    text = "Hi, this is Ana. How can I help?"
    r = client.post(
        f"/api/v1/staff/handoffs/{mine[0]['id']}/messages", headers=headers, json={"text": text}
    )
    assert r.status_code == 201, r.text
    follow_up = _chat(client, "thanks", session_id=sid)
    assert [m["text"] for m in follow_up["staff_messages"]] == [text]
    closed = client.post(f"/api/v1/staff/handoffs/{mine[0]['id']}/close", headers=headers)
    assert closed.json()["status"] == "closed"

    _chat(client, "I need to talk to a human again", session_id=sid)
    cases = {
        status: [
            h["id"]
            for h in client.get(f"/api/v1/staff/handoffs?status={status}", headers=headers).json()[
                "handoffs"
            ]
            if h["session_id"] == sid
        ]
        for status in ("open", "closed")
    }
    # A closed case does not block a new open one: the unique index covers open rows only.
    assert cases["closed"] == [mine[0]["id"]]
    assert len(cases["open"]) == 1 and cases["open"][0] != mine[0]["id"]


def test_return_request_once_then_staff_decision_once(
    client: TestClient, scaleout_services: Services
) -> None:
    token = scaleout_services.customer_tokens.issue("alice")
    first = _chat(
        client, "I want to return the mouse from order 10234, it is broken", customer_token=token
    )
    assert "RMA-10234-" in first["reply"], first["reply"]
    again = _chat(client, "I want to return the mouse from order 10234", customer_token=token)
    assert "You already have return RMA-10234-" in again["reply"]
    rma = next(w.strip(".,") for w in first["reply"].split() if w.startswith("RMA-10234-"))
    headers = _staff(client)
    waiting = client.get("/api/v1/staff/returns", headers=headers).json()["returns"]
    assert rma in [r["rma"] for r in waiting]
    decision = client.post(
        f"/api/v1/staff/returns/{rma}/decision", headers=headers, json={"approve": True}
    )
    assert decision.status_code == 200 and decision.json()["status"] == "approved"
    twice = client.post(
        f"/api/v1/staff/returns/{rma}/decision", headers=headers, json={"approve": False}
    )
    assert twice.status_code == 409
