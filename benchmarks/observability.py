"""What the observability middleware adds to one request, measured in process.

    python -m benchmarks.observability [--requests 20000] [--rounds 7]

A FastAPI app with one async route (``GET /items/{item_id}``, returns a small JSON) is called
directly as an ASGI app (no sockets, no HTTP client), in alternating rounds of ``--requests``
calls, in three variants: without the middleware; with it, logging off (the request log line
at INFO filtered out); with it and a JSON (the server's default) or a text log handler writing
to an in-memory stream. The figure is the median over rounds of the mean time per request, and the
overhead is its difference from the bare app. Also timed: one ``timed()`` stage, i.e. what
each of a turn's ~6 stage measurements costs. Figures land in
``benchmarks/results/observability.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from assistant.observability.logging import make_handler
from assistant.observability.metrics import ShopMetrics
from assistant.observability.middleware import RequestMetricsMiddleware
from assistant.observability.stages import timed

RESULTS = Path(__file__).resolve().parent / "results" / "observability.json"
ASGI = Callable[..., Any]


def bare_app() -> FastAPI:
    app = FastAPI()

    @app.get("/items/{item_id}")
    async def get_item(item_id: int) -> dict[str, int]:
        return {"id": item_id}

    return app


def _scope(i: int) -> dict[str, Any]:
    return {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": f"/items/{i}", "raw_path": f"/items/{i}".encode(),
        "root_path": "", "query_string": b"", "headers": [(b"host", b"bench")],
        "client": ("127.0.0.1", 1), "server": ("bench", 80),
    }  # fmt: skip


async def _call_many(app: ASGI, n: int) -> float:
    """Mean seconds per request over ``n`` direct ASGI calls."""

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if message["type"] == "http.response.start" and message["status"] != 200:
            raise RuntimeError(f"unexpected status {message['status']}")

    started = time.perf_counter()
    for i in range(n):
        await app(_scope(i), receive, send)
    return (time.perf_counter() - started) / n


def _variants() -> dict[str, ASGI]:
    variants: dict[str, ASGI] = {"bare": bare_app()}
    for name, fmt in (("logging off", None), ("JSON request log", "json"), ("text log", "text")):
        logger = logging.getLogger(f"benchmarks.observability.{fmt}")
        logger.propagate = False
        logger.setLevel(logging.INFO if fmt else logging.WARNING)
        if fmt:
            logger.addHandler(make_handler(fmt, io.StringIO()))  # type: ignore[arg-type]
        metered = RequestMetricsMiddleware(bare_app(), ShopMetrics(), logger)
        variants[f"middleware, {name}"] = metered
    return variants


async def measure(requests: int, rounds: int) -> dict[str, float]:
    """Median over rounds of the mean microseconds per request, per variant."""
    variants = _variants()
    for app in variants.values():  # warm up: route compilation, first-call imports
        await _call_many(app, 200)
    samples: dict[str, list[float]] = {name: [] for name in variants}
    for _ in range(rounds):
        for name, app in variants.items():  # alternate, so drift hits all variants alike
            samples[name].append(await _call_many(app, requests))
    return {name: statistics.median(s) * 1e6 for name, s in samples.items()}


def stage_cost(n: int = 200_000) -> float:
    """Microseconds one ``timed()`` block costs, Prometheus histogram included."""
    metrics = ShopMetrics()
    started = time.perf_counter()
    for _ in range(n):
        with timed(metrics, "parse"):
            pass
    return (time.perf_counter() - started) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    per_request = asyncio.run(measure(args.requests, args.rounds))
    bare = per_request["bare"]
    results = {
        "requests_per_round": args.requests,
        "rounds": args.rounds,
        "us_per_request": {k: round(v, 2) for k, v in per_request.items()},
        "overhead_us": {k: round(v - bare, 2) for k, v in per_request.items() if k != "bare"},
        "stage_timer_us": round(stage_cost(), 3),
    }
    print(f"{'variant':34} {'us/request':>10} {'overhead us':>12}")
    for name, value in per_request.items():
        print(f"{name:34} {value:10.1f} {value - bare:12.1f}")
    print(f"one timed() stage (a turn has ~6): {results['stage_timer_us']:.2f} us")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
