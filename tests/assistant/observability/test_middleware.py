"""The request middleware and /metrics on a small app: templates, errors, ids, token."""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import SecretStr

from assistant.observability.install import install_observability
from assistant.observability.logging import make_handler
from assistant.observability.metrics import ShopMetrics
from assistant.observability.middleware import UNMATCHED, RequestIds

pytestmark = pytest.mark.unit

COUNT = "shopbot_http_request_duration_seconds_count"


def small_app(metrics: ShopMetrics, token: str | None = None) -> FastAPI:
    app = FastAPI()

    @app.get("/items/{item_id}")
    def get_item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("an unhandled bug")

    sub = FastAPI()

    @sub.get("/inner/{name}")
    def inner(name: str) -> dict[str, str]:
        return {"name": name}

    install_observability(app, metrics, SecretStr(token) if token else None)
    app.mount("/sub", sub)
    return app


@pytest.fixture
def metrics() -> ShopMetrics:
    return ShopMetrics()


@pytest.fixture
def client(metrics: ShopMetrics) -> Iterator[TestClient]:
    with TestClient(small_app(metrics), raise_server_exceptions=False) as c:
        yield c


def test_paths_are_labelled_by_their_route_template(
    client: TestClient, metrics: ShopMetrics
) -> None:
    for item in (1, 2, 3):
        assert client.get(f"/items/{item}").status_code == 200
    labels = {"method": "GET", "route": "/items/{item_id}", "status": "200"}
    assert metrics.value(COUNT, labels) == 3.0
    assert "/items/1" not in metrics.render()[0].decode()


def test_unmatched_paths_share_one_label(client: TestClient, metrics: ShopMetrics) -> None:
    for path in ("/nope", "/../../etc/passwd", "/x" * 50):
        assert client.get(path).status_code == 404
    labels = {"method": "GET", "route": UNMATCHED, "status": "404"}
    assert metrics.value(COUNT, labels) == 3.0
    assert metrics.value("shopbot_http_errors_total", labels) == 3.0


def test_validation_errors_keep_the_template(client: TestClient, metrics: ShopMetrics) -> None:
    assert client.get("/items/not-a-number").status_code == 422
    labels = {"method": "GET", "route": "/items/{item_id}", "status": "422"}
    assert metrics.value("shopbot_http_errors_total", labels) == 1.0


def test_routes_of_a_mounted_app_get_the_mount_prefix(
    client: TestClient, metrics: ShopMetrics
) -> None:
    assert client.get("/sub/inner/a").status_code == 200
    assert client.get("/sub/missing").status_code == 404
    assert metrics.value(COUNT, {"method": "GET", "route": "/sub/inner/{name}", "status": "200"})
    # the mounted app matched nothing: the mount's own template, not the raw path
    assert metrics.value(COUNT, {"method": "GET", "route": "/sub/{path}", "status": "404"}) == 1


def test_an_unhandled_exception_is_a_counted_500(client: TestClient, metrics: ShopMetrics) -> None:
    assert client.get("/boom").status_code == 500
    labels = {"method": "GET", "route": "/boom", "status": "500"}
    assert metrics.value("shopbot_http_errors_total", labels) == 1.0
    exception = {"route": "/boom", "exception": "RuntimeError"}
    assert metrics.value("shopbot_http_exceptions_total", exception) == 1.0
    assert metrics.value("shopbot_http_requests_in_progress") == 0.0


def test_request_id_is_echoed_or_made(client: TestClient) -> None:
    given = client.get("/items/1", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    made = [client.get("/items/1").headers["x-request-id"] for _ in range(3)]
    assert len(set(made)) == 3 and all(re.fullmatch(r"[0-9a-f]{12}-\d+", m) for m in made)
    hostile = client.get("/items/1", headers={"X-Request-ID": 'a b"<script>'}).headers
    assert re.fullmatch(r"[0-9a-f]{12}-\d+", hostile["x-request-id"])  # replaced, not echoed
    too_long = client.get("/items/1", headers={"X-Request-ID": "a" * 65}).headers
    assert too_long["x-request-id"] != "a" * 65


def test_request_ids_differ_between_processes() -> None:
    # a random prefix per middleware instance (per process): two workers never collide
    first, second = RequestIds(), RequestIds()
    assert first.of({"headers": []}) != second.of({"headers": []})


def test_each_request_is_logged_with_its_id(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    stream = io.StringIO()
    handler = make_handler("json", stream)
    logging.getLogger().addHandler(handler)
    try:
        response = client.get("/items/7", headers={"X-Request-ID": "req-7"})
    finally:
        logging.getLogger().removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    logged = [r for r in lines if r.get("route") == "/items/{item_id}"]
    assert response.status_code == 200 and len(logged) == 1
    assert logged[0]["request_id"] == "req-7" and logged[0]["status"] == 200
    assert logged[0]["duration_ms"] > 0


def test_metrics_route_is_open_without_a_token(client: TestClient) -> None:
    client.get("/items/1")
    r = client.get("/metrics")
    assert r.status_code == 200 and 'route="/items/{item_id}"' in r.text


@pytest.mark.parametrize(
    ("header", "status"),
    [(None, 401), ("Bearer wrong", 401), ("Basic s3cret", 401), ("Bearer s3cret", 200)],
)
def test_metrics_token(metrics: ShopMetrics, header: str | None, status: int) -> None:
    headers = {"Authorization": header} if header else {}
    with TestClient(small_app(metrics, token="s3cret")) as c:
        r = c.get("/metrics", headers=headers)
    assert r.status_code == status
    if status == 401:
        assert r.json()["error"]["code"] == "unauthorized" and "shopbot_" not in r.text


def test_an_empty_token_is_refused_at_start() -> None:
    with pytest.raises(ValueError, match="must not be empty"):
        install_observability(FastAPI(), ShopMetrics(), SecretStr(""))
