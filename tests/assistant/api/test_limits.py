"""Rate limits, body size, timeout and CORS (assistant/api/limits.py) on a small app wired like
the real one; the rate-limit clock is injected, so nothing sleeps."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, Request
from fastapi.responses import StreamingResponse
from fastapi.testclient import TestClient

from assistant.api.auth import ApiCallerDep
from assistant.api.errors import install_error_handlers
from assistant.api.limits import TokenBuckets, install_api_middleware
from assistant.config import Settings
from db.api_keys import ApiKeyRepository
from db.session import create_db_engine, make_session_factory, migrate
from tests.live_server import live_server

pytestmark = pytest.mark.unit


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def small_app(keys: ApiKeyRepository, clock: FakeClock, **settings: Any) -> FastAPI:
    """Routes like the API's, behind the same middleware as ``create_app``."""
    app = FastAPI()
    install_error_handlers(app)
    install_api_middleware(app, Settings(environment="test", **settings), keys, clock=clock)
    blocker = threading.Event()
    app.state.blocker = blocker

    @app.post("/api/v1/echo")
    async def echo(request: Request, caller: ApiCallerDep) -> dict[str, Any]:
        return {"bytes": len(await request.body()), "key": caller.key_prefix}

    @app.post("/v1/echo")
    async def v1_echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    @app.get("/api/v1/hang")
    async def hang() -> dict[str, str]:
        await asyncio.Event().wait()  # never set: only the timeout ends this request
        return {}

    @app.get("/api/v1/blocked")
    def blocked() -> dict[str, str]:  # a worker thread, which cannot be cancelled
        blocker.wait(10)
        return {}

    @app.get("/api/v1/stream")
    async def stream() -> StreamingResponse:
        async def chunks() -> AsyncIterator[bytes]:
            yield b"first "
            await asyncio.sleep(0.6)  # longer than the timeout: a started stream is not cut
            yield b"second"

        return StreamingResponse(chunks(), media_type="text/plain")

    @app.get("/outside")
    def outside() -> dict[str, str]:
        return {"ok": "yes"}

    return app


@pytest.fixture
def keys(tmp_path: Path) -> Iterator[ApiKeyRepository]:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'keys.db'}")
    migrate(engine)
    yield ApiKeyRepository(make_session_factory(engine))
    engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def test_token_bucket_burst_refill_and_off() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(clock=clock)
    assert [buckets.take("a", 3) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a", 3) == pytest.approx(20.0)  # 3/min: one token every 20 s
    clock.now += 10
    assert buckets.take("a", 3) == pytest.approx(10.0)
    clock.now += 10
    assert buckets.take("a", 3) == 0.0
    assert buckets.take("b", 3) == 0.0  # buckets are independent
    assert all(buckets.take("c", 0) == 0.0 for _ in range(100))  # 0 = no limit
    clock.now += 3600
    assert [buckets.take("a", 3) for _ in range(4)][-1] > 0  # refill caps at the burst size


def test_token_buckets_are_bounded() -> None:
    buckets = TokenBuckets(clock=FakeClock(), max_buckets=2)
    for key in ("a", "b", "c"):
        buckets.take(key, 1)
    assert buckets.take("a", 1) == 0.0  # "a" was evicted, so it starts full again
    assert buckets.take("c", 1) > 0
    with pytest.raises(ValueError):
        TokenBuckets(max_buckets=0)


def test_ip_rate_limit_429_with_retry_after(keys: ApiKeyRepository, clock: FakeClock) -> None:
    client = TestClient(small_app(keys, clock, ip_rate_limit_per_minute=2))
    assert [client.post("/api/v1/echo").status_code for _ in range(2)] == [200, 200]
    limited = client.post("/api/v1/echo")
    assert limited.status_code == 429
    assert limited.headers["Retry-After"] == "30"
    assert limited.json()["error"]["code"] == "rate_limited"
    assert client.get("/outside").status_code == 200  # only the API is limited
    v1 = client.post("/v1/echo")
    assert v1.status_code == 429 and v1.json()["error"]["type"] == "rate_limit_error"
    clock.now += 30
    assert client.post("/api/v1/echo").status_code == 200


def test_per_key_limits_use_the_key_override(keys: ApiKeyRepository, clock: FakeClock) -> None:
    slow, default = keys.create("slow", rate_limit_per_minute=1), keys.create("default")
    app = small_app(keys, clock, rate_limit_per_minute=2, ip_rate_limit_per_minute=0)
    client = TestClient(app)

    def post(key: str) -> int:
        return client.post("/api/v1/echo", headers={"Authorization": f"Bearer {key}"}).status_code

    assert [post(slow.key), post(slow.key)] == [200, 429]
    assert [post(default.key), post(default.key), post(default.key)] == [200, 200, 429]
    last = client.post("/api/v1/echo", headers={"Authorization": f"Bearer {slow.key}"})
    assert last.headers["Retry-After"] == "60"
    clock.now += 60
    assert post(slow.key) == 200


def test_oversized_body_413_by_content_length(keys: ApiKeyRepository, clock: FakeClock) -> None:
    client = TestClient(small_app(keys, clock, max_body_bytes=1024))
    assert client.post("/api/v1/echo", content=b"x" * 1024).json()["bytes"] == 1024
    too_big = client.post("/api/v1/echo", content=b"x" * 1025)
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "too_large"
    v1 = client.post("/v1/echo", content=b"x" * 5000)
    assert v1.status_code == 413 and set(v1.json()["error"]) == {"message", "type", "param", "code"}


def test_oversized_chunked_body_413(keys: ApiKeyRepository, clock: FakeClock) -> None:
    client = TestClient(small_app(keys, clock, max_body_bytes=1024))

    def chunks(n: int) -> Iterator[bytes]:
        for _ in range(n):
            yield b"y" * 300

    fits = client.post("/api/v1/echo", content=chunks(3))
    assert "content-length" not in fits.request.headers
    assert fits.status_code == 200 and fits.json()["bytes"] == 900
    too_big = client.post("/api/v1/echo", content=chunks(4))
    assert too_big.status_code == 413 and too_big.json()["error"]["code"] == "too_large"


def test_timeout_504_for_a_slow_answer(keys: ApiKeyRepository, clock: FakeClock) -> None:
    app = small_app(keys, clock, request_timeout_seconds=0.05)
    client = TestClient(app)
    hung = client.get("/api/v1/hang")
    assert hung.status_code == 504 and hung.json()["error"]["code"] == "timeout"
    try:
        blocked = client.get("/api/v1/blocked")
        assert blocked.status_code == 504
    finally:
        app.state.blocker.set()


def test_timeout_does_not_cut_a_started_stream(keys: ApiKeyRepository, clock: FakeClock) -> None:
    client = TestClient(small_app(keys, clock, request_timeout_seconds=0.25))
    streamed = client.get("/api/v1/stream")
    assert streamed.status_code == 200 and streamed.text == "first second"


def test_cors_preflight_only_from_allowed_origins(keys: ApiKeyRepository, clock: FakeClock) -> None:
    keys.create("any")  # keys are required: the preflight itself carries none
    client = TestClient(small_app(keys, clock, cors_origins=["https://shop.example"]))
    ask = {
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "authorization,content-type",
    }
    allowed = client.options("/api/v1/echo", headers={"Origin": "https://shop.example", **ask})
    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == "https://shop.example"
    assert "authorization" in allowed.headers["access-control-allow-headers"].lower()
    other = client.options("/api/v1/echo", headers={"Origin": "https://evil.example", **ask})
    assert other.status_code == 400
    assert "access-control-allow-origin" not in other.headers
    # Actual responses (errors included) expose Retry-After to the allowed origin's scripts.
    denied = client.post("/api/v1/echo", headers={"Origin": "https://shop.example"})
    assert denied.status_code == 401
    assert denied.headers["access-control-allow-origin"] == "https://shop.example"
    assert "retry-after" in denied.headers["access-control-expose-headers"].lower()


def test_no_cors_by_default(keys: ApiKeyRepository, clock: FakeClock) -> None:
    client = TestClient(small_app(keys, clock))
    response = client.post("/api/v1/echo", headers={"Origin": "https://shop.example"})
    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_message_length_comes_from_settings() -> None:
    from assistant.api.schemas import ChatRequest
    from assistant.config import MESSAGE_CHARS_CEILING

    # The schema only caps at the highest allowed setting; the assistant applies
    # max_message_chars (422 invalid_message), so raising the setting takes effect everywhere.
    assert ChatRequest(message="x" * 5000).message == "x" * 5000
    with pytest.raises(ValueError):
        ChatRequest(message="x" * (MESSAGE_CHARS_CEILING + 1))
    with pytest.raises(ValueError):
        Settings(max_message_chars=MESSAGE_CHARS_CEILING + 1)


@pytest.mark.integration
def test_limits_behind_a_real_server(keys: ApiKeyRepository, clock: FakeClock) -> None:
    """Under uvicorn: a chunked upload is counted, Content-Length is checked, 429 carries its
    headers."""
    import httpx

    app = small_app(keys, clock, max_body_bytes=1024, ip_rate_limit_per_minute=3)
    with live_server(app) as base, httpx.Client(base_url=base) as client:
        chunked = client.post("/api/v1/echo", content=iter([b"z" * 600, b"z" * 600]))
        assert chunked.status_code == 413 and chunked.json()["error"]["code"] == "too_large"
        declared = client.post("/api/v1/echo", content=b"z" * 2000)
        assert declared.status_code == 413
        # Refused bodies took no tokens: three pass, the fourth is limited.
        assert [client.post("/api/v1/echo", content=b"z" * 10).status_code for _ in "abc"] == [
            200
        ] * 3
        limited = client.post("/api/v1/echo")
        assert limited.status_code == 429 and limited.headers["Retry-After"] == "20"
