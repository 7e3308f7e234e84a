"""Observability through the real app (FastAPI + mounted Gradio) over the indexed slice."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.observability.logging import make_handler
from assistant.observability.stages import STAGES

pytestmark = pytest.mark.integration

COUNT = "shopbot_http_request_duration_seconds_count"


@pytest.fixture
def client(services: Any) -> Iterator[TestClient]:
    from app import create_app

    with TestClient(create_app(services)) as c:
        yield c


@pytest.fixture
def json_log(caplog: pytest.LogCaptureFixture) -> Iterator[io.StringIO]:
    caplog.set_level(logging.INFO)
    stream = io.StringIO()
    handler = make_handler("json", stream)
    logging.getLogger().addHandler(handler)
    yield stream
    logging.getLogger().removeHandler(handler)


def chat(client: TestClient, message: str, session_id: str | None = None) -> dict[str, Any]:
    r = client.post("/api/v1/chat", json={"session_id": session_id, "message": message})
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_a_turn_fills_every_stage_and_its_intent(client: TestClient, services: Any) -> None:
    metrics = services.metrics
    first = chat(client, "a laptop under $900")
    chat(client, "only HP", first["session_id"])
    stage_count = "shopbot_turn_stage_duration_seconds_count"
    counts = {stage: metrics.value(stage_count, {"stage": stage}) for stage in STAGES}
    # store: session load + turn record per turn; the others at least once per search turn
    assert counts["store"] == 4 and counts["parse"] == 2 and counts["reply"] == 2
    assert counts["retrieve"] >= 2 and counts["rerank"] >= 2
    assert metrics.value("shopbot_turn_intents_total", {"intent": first["intent"]}) >= 1
    chat_ok = {"method": "POST", "route": "/api/v1/chat", "status": "200"}
    assert metrics.value(COUNT, chat_ok) == 2


def test_stage_times_add_up_to_no_more_than_the_request(client: TestClient, services: Any) -> None:
    chat(client, "a monitor with hdmi")
    metrics = services.metrics
    stage_sum = sum(
        metrics.value("shopbot_turn_stage_duration_seconds_sum", {"stage": s}) for s in STAGES
    )
    chat_ok = {"method": "POST", "route": "/api/v1/chat", "status": "200"}
    request = metrics.value("shopbot_http_request_duration_seconds_sum", chat_ok)
    assert 0 < stage_sum <= request


def test_failed_turns_and_errors_are_counted(client: TestClient, services: Any) -> None:
    r = client.post("/api/v1/chat", json={"session_id": "no-such-session", "message": "hi"})
    assert r.status_code == 404
    metrics = services.metrics
    assert metrics.value("shopbot_turn_errors_total", {"error": "UnknownSessionError"}) == 1
    labels = {"method": "POST", "route": "/api/v1/chat", "status": "404"}
    assert metrics.value("shopbot_http_errors_total", labels) == 1


def test_raw_paths_never_become_labels(client: TestClient, services: Any) -> None:
    products = client.post("/api/v1/search", json={"query": "toner", "k": 3}).json()["products"]
    for product in products:
        assert client.get(f"/api/v1/products/{product['id']}").status_code == 200
    client.get("/api/v1/products/does-not-exist")
    client.get("/api/v1/nothing/here/42")
    client.get("/gradio_api/file=/etc/passwd")
    text = client.get("/metrics").text
    routes = set(re.findall(r'route="([^"]*)"', text))
    assert "/api/v1/products/{product_id}" in routes
    assert not any(p["id"] in text for p in products)
    assert not any("passwd" in r or "42" in r or "does-not-exist" in r for r in routes)


def test_the_turn_log_line_has_the_session_turn_and_request_ids(
    client: TestClient, json_log: io.StringIO
) -> None:
    r = client.post(
        "/api/v1/chat",
        json={"session_id": None, "message": "usb-c cable"},
        headers={"X-Request-ID": "turn-test-1"},
    )
    body = r.json()
    records = [json.loads(line) for line in json_log.getvalue().splitlines()]
    turns = [rec for rec in records if rec.get("event") == "turn"]
    assert len(turns) == 1
    turn = turns[0]
    assert turn["session_id"] == body["session_id"] and turn["turn_id"] == str(body["turn_id"])
    assert turn["request_id"] == "turn-test-1" == r.headers["x-request-id"]
    assert turn["intent"] == body["intent"] and turn["products"] == len(body["products"])
    request_lines = [rec for rec in records if rec.get("route") == "/api/v1/chat"]
    assert [rec["request_id"] for rec in request_lines] == ["turn-test-1"]


def test_health_reports_both_checks(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok" and body["products"] == body["indexed"] > 0
    assert {c["name"]: c["ok"] for c in body["checks"]} == {"database": True, "index": True}


def test_health_is_503_naming_the_failed_check(
    client: TestClient, services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def unreachable() -> int:
        raise ConnectionError("chroma server at 10.0.0.5:8000 is down")

    monkeypatch.setattr(services.vector_index, "count", unreachable)
    r = client.get("/health")
    assert r.status_code == 503
    error = r.json()["error"]
    assert error["code"] == "unavailable" and error["message"] == "health check failed: index"
    checks = {c["name"]: c for c in error["details"]["checks"]}
    assert checks["database"]["ok"] and not checks["index"]["ok"]
    assert "10.0.0.5" not in r.text  # the reason's type only; the details go to the log


def test_health_names_the_database_when_it_fails(
    client: TestClient, services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import OperationalError

    def refused() -> None:
        raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    monkeypatch.setattr(services.engine, "connect", refused)
    r = client.get("/health")
    assert r.status_code == 503
    assert r.json()["error"]["message"] == "health check failed: database"
