"""The HTTP API's happy and unhappy paths, through the real app (FastAPI + mounted Gradio)."""

import pytest
from fastapi.testclient import TestClient

pytestmark = pytest.mark.integration


@pytest.fixture
def client(services):  # type: ignore[no-untyped-def]
    from app import create_app

    with TestClient(create_app(services)) as c:
        yield c


def test_chat_then_session_then_event(client: TestClient) -> None:
    r = client.post("/api/v1/chat", json={"session_id": None, "message": "a laptop under $900"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {
        "session_id",
        "turn_id",
        "intent",
        "filters",
        "reply",
        "products",
        "sources",
    }
    assert body["filters"]["category"] == "laptop"
    assert body["products"] and set(body["products"][0]) == {
        "id",
        "title",
        "brand",
        "category",
        "price",
        "currency",
        "score",
        "reason",
    }

    r2 = client.post("/api/v1/chat", json={"session_id": body["session_id"], "message": "only HP"})
    assert r2.status_code == 200 and r2.json()["filters"]["brands"] == ["HP"]

    session = client.get(f"/api/v1/sessions/{body['session_id']}").json()
    assert [t["user_message"] for t in session["turns"]] == ["a laptop under $900", "only HP"]

    product_id = body["products"][0]["id"]
    ev = client.post(
        "/api/v1/events",
        json={
            "session_id": body["session_id"],
            "product_id": product_id,
            "type": "click",
            "turn_id": body["turn_id"],
        },
    )
    assert ev.status_code == 201, ev.text
    assert ev.json()["type"] == "click"


def test_search_and_product(client: TestClient) -> None:
    r = client.post(
        "/api/v1/search", json={"query": "toner", "k": 3, "filters": {"category": "toner"}}
    )
    assert r.status_code == 200
    products = r.json()["products"]
    assert len(products) == 3 and all(p["category"] == "toner" for p in products)
    detail = client.get(f"/api/v1/products/{products[0]['id']}")
    assert detail.status_code == 200 and detail.json()["attributes"]


def test_health(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["products"] == body["indexed"] > 0


@pytest.mark.parametrize(
    ("method", "path", "payload", "status"),
    [
        ("post", "/api/v1/chat", {"message": ""}, 422),
        ("post", "/api/v1/chat", {"message": "   "}, 422),
        ("post", "/api/v1/chat", {"message": "x" * 2001}, 422),
        ("post", "/api/v1/chat", {"message": 5}, 422),
        ("post", "/api/v1/chat", {"message": "hi", "extra": 1}, 422),
        ("post", "/api/v1/chat", {"session_id": "nope", "message": "hi"}, 404),
        ("post", "/api/v1/search", {"query": "x", "k": 0}, 422),
        (
            "post",
            "/api/v1/search",
            {"query": "x", "filters": {"price_min": 9, "price_max": 1}},
            422,
        ),
        ("get", "/api/v1/products/does-not-exist", None, 404),
        ("get", "/api/v1/sessions/does-not-exist", None, 404),
        ("post", "/api/v1/events", {"session_id": "nope", "product_id": "1", "type": "click"}, 404),
        ("post", "/api/v1/events", {"session_id": "s", "product_id": "1", "type": "like"}, 422),
    ],
)
def test_bad_input_is_a_clear_4xx(client: TestClient, method, path, payload, status) -> None:  # type: ignore[no-untyped-def]
    r = client.request(method, path, json=payload)
    assert r.status_code == status, r.text
    assert r.json()["error"]["message"]


def test_malformed_json_is_400(client: TestClient) -> None:
    r = client.post(
        "/api/v1/chat", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 400
    assert "JSON" in r.json()["error"]["message"]


def test_event_with_unknown_product_or_foreign_turn(client: TestClient) -> None:
    a = client.post("/api/v1/chat", json={"message": "laptop"}).json()
    b = client.post("/api/v1/chat", json={"message": "toner"}).json()
    unknown = client.post(
        "/api/v1/events",
        json={"session_id": a["session_id"], "product_id": "nope", "type": "click"},
    )
    assert unknown.status_code == 404
    foreign = client.post(
        "/api/v1/events",
        json={
            "session_id": a["session_id"],
            "product_id": a["products"][0]["id"],
            "type": "click",
            "turn_id": b["turn_id"],
        },
    )
    assert foreign.status_code == 409


def test_chat_page_is_served(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and "<html" in r.text.lower()
    assert client.get("/openapi.json").json()["paths"]["/api/v1/chat"]


def test_store_failure_is_a_503_with_a_json_body(client: TestClient, services) -> None:  # type: ignore[no-untyped-def]
    from retrieval.errors import VectorIndexError

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise VectorIndexError("disk on fire")

    services.vector_index.query = broken
    r = client.post("/api/v1/search", json={"query": "mouse"})
    assert r.status_code == 503
    assert r.json()["error"]["code"] == "unavailable"
    assert "disk on fire" not in r.text  # internals are logged, not returned
