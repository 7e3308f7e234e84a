"""What the API middleware (keys, rate limits, body size, timeout, CORS) adds to a request.

    python -m benchmarks.api_limits [--requests 5000]

Calls a small ASGI app in-process (no sockets, so the figure is the middleware alone) with
and without ``install_api_middleware``: a GET with a valid API key (cached lookup, per-key
bucket), an anonymous GET (per-IP bucket) and a POST with a 2 KiB body (buffered and counted).
Reports the median and p95 per request of each (microseconds), and the difference of the
medians.
Figures go to ``benchmarks/results/api_limits.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request

from assistant.api.errors import install_error_handlers
from assistant.api.limits import install_api_middleware
from assistant.config import Settings
from benchmarks.run import _percentile, write_figures
from db.api_keys import ApiKeyRepository
from db.session import create_db_engine, make_session_factory, migrate


def _app(keys: ApiKeyRepository, guarded: bool) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    if guarded:
        settings = Settings(
            environment="test",
            rate_limit_per_minute=1_000_000,
            ip_rate_limit_per_minute=1_000_000,
            cors_origins=["https://shop.example"],
        )
        install_api_middleware(app, settings, keys)

    @app.get("/api/v1/ping")
    async def ping() -> dict[str, str]:
        return {"ok": "yes"}

    @app.post("/api/v1/echo")
    async def echo(request: Request) -> dict[str, int]:
        return {"bytes": len(await request.body())}

    return app


async def _call(app: FastAPI, method: str, headers: list[tuple[bytes, bytes]], body: bytes) -> int:
    path = "/api/v1/ping" if method == "GET" else "/api/v1/echo"
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers + [(b"content-length", str(len(body)).encode())],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 80),
    }
    status = 0

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: MutableMapping[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


async def _time(app: FastAPI, method: str, headers: Any, body: bytes, n: int) -> list[float]:
    for _ in range(200):  # warm up (and fill the key cache)
        assert await _call(app, method, headers, body) == 200
    times = []
    for _ in range(n):
        start = time.perf_counter()
        await _call(app, method, headers, body)
        times.append((time.perf_counter() - start) * 1e6)
    return times


async def _measure(requests: int, root: Path) -> dict[str, Any]:
    engine = create_db_engine(f"sqlite:///{root / 'keys.db'}")
    migrate(engine)
    keys = ApiKeyRepository(make_session_factory(engine))
    key = keys.create("bench").key
    cases = {
        "get_with_key": ("GET", [(b"authorization", f"Bearer {key}".encode())], b""),
        "get_anonymous": ("GET", [], b""),
        "post_2kib_with_key": (
            "POST",
            [(b"authorization", f"Bearer {key}".encode())],
            b"x" * 2048,
        ),
    }
    figures: dict[str, Any] = {"requests": requests}
    for name, (method, headers, body) in cases.items():
        if name == "get_anonymous":
            keys.revoke(keys.list_keys()[0].prefix)  # open API: anonymous callers allowed
        plain = await _time(_app(keys, guarded=False), method, headers, body, requests)
        guarded = await _time(_app(keys, guarded=True), method, headers, body, requests)
        figures[f"{name}_plain_p50_us"] = round(statistics.median(plain), 1)
        figures[f"{name}_guarded_p50_us"] = round(statistics.median(guarded), 1)
        figures[f"{name}_guarded_p95_us"] = round(_percentile(guarded, 0.95), 1)
        figures[f"{name}_added_p50_us"] = round(
            statistics.median(guarded) - statistics.median(plain), 1
        )
    engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        figures = asyncio.run(_measure(args.requests, Path(tmp)))
    write_figures(figures, "api_limits.json")


if __name__ == "__main__":
    main()
