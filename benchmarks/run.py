"""Benchmark on the full bundled catalog: index build, then chat latency against a live server.

    python -m benchmarks.run [--store DIR] [--queries 200]

Prints ingest time, index build time and products/s, p50/p95 of ``POST /api/v1/chat``
over varied multi-turn conversations sent to a real uvicorn server on loopback, and what CTR
re-ranking of 100 candidates adds (:mod:`benchmarks.rerank`).
Writes the figures to ``benchmarks/results/latest.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from assistant.config import Settings
from assistant.wiring import Services
from benchmarks.queries import conversations


@contextmanager
def scratch_services(store: Path, **settings: Any) -> Iterator[Services]:
    """Services over ``store``'s vector index with a scratch copy of its SQLite database and
    BM25 index, so a benchmark may write turns and events without touching the store."""
    scratch = Path(tempfile.mkdtemp(prefix="shopbot-bench-"))
    for name in ("shop.db", "shop.db-wal", "shop.db-shm"):
        if (store / name).exists():
            shutil.copy2(store / name, scratch / name)
    services = Services(
        Settings(
            database_url=f"sqlite:///{scratch / 'shop.db'}",
            chroma_path=store / "chroma",
            lexical_path=scratch / "lexical",
            index_on_start=False,
            **settings,
        )
    )
    try:
        yield services
    finally:
        services.close()
        shutil.rmtree(scratch, ignore_errors=True)


RESULTS = Path(__file__).resolve().parent / "results"


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_figures(figures: dict[str, Any], filename: str) -> None:
    """Save ``figures`` as JSON under ``benchmarks/results/`` and print them as a table."""
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / filename).write_text(json.dumps(figures, indent=2))
    width = max(len(k) for k in figures)
    for key, value in figures.items():
        shown = f"{value:,.1f}" if isinstance(value, float) else str(value)
        sys.stdout.write(f"{key:<{width}}  {shown}\n")


def build_store(root: Path) -> dict[str, float | int]:
    settings = Settings(database_url=f"sqlite:///{root / 'shop.db'}", chroma_path=root / "chroma")
    services = Services(settings)
    started = time.perf_counter()
    report = services.ingest()
    ingest_s = time.perf_counter() - started
    index = services.build_index(show_progress=True)
    again = services.build_index(show_progress=False)
    services.close()
    return {
        "products": report.loaded,
        "ingest_seconds": ingest_s,
        "index_seconds": index.seconds,
        "index_products_per_second": index.products_per_second,
        "reindex_unchanged_seconds": again.seconds,
    }


def _wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("server exited during start-up")
        try:
            if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise RuntimeError("server did not become ready")


# A benchmark client is one IP sending hundreds of requests: rate limits off for its servers.
UNLIMITED = {"SHOPBOT_RATE_LIMIT_PER_MINUTE": "0", "SHOPBOT_IP_RATE_LIMIT_PER_MINUTE": "0"}


def chat_latency(root: Path, n_queries: int) -> dict[str, float | int]:
    port = _free_port()
    env = {
        **os.environ,
        **UNLIMITED,
        "SHOPBOT_DATABASE_URL": f"sqlite:///{root / 'shop.db'}",
        "SHOPBOT_CHROMA_PATH": str(root / "chroma"),
        "SHOPBOT_PORT": str(port),
    }
    proc = subprocess.Popen(
        [sys.executable, "app.py"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    latencies: list[float] = []
    errors = 0
    try:
        _wait_ready(base, proc)
        with httpx.Client(base_url=base, timeout=30) as client:
            client.post("/api/v1/chat", json={"message": "warm up"})
            for turns in conversations(n_queries, seed=7):
                session_id = None
                for message in turns:
                    started = time.perf_counter()
                    r = client.post(
                        "/api/v1/chat", json={"session_id": session_id, "message": message}
                    )
                    latencies.append((time.perf_counter() - started) * 1000)
                    if r.status_code != 200:
                        errors += 1
                        continue
                    session_id = r.json()["session_id"]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    return {
        "chat_requests": len(latencies),
        "chat_errors": errors,
        "chat_p50_ms": statistics.median(latencies),
        "chat_p95_ms": _percentile(latencies, 0.95),
        "chat_mean_ms": statistics.fmean(latencies),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="reuse/keep the store in this folder")
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args(argv)
    root = args.store or Path(tempfile.mkdtemp(prefix="shopbot-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {"cpu_count": os.cpu_count()}
    figures.update(build_store(root))
    figures.update(chat_latency(root, args.queries))
    from benchmarks.rerank import rerank_latency  # imports this module: import it late

    figures.update(rerank_latency(root, runs=1000))
    write_figures(figures, "latest.json")


if __name__ == "__main__":
    main()
