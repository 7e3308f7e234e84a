"""The one benchmark command: the full catalog and a 10x catalog, one table.

    python -m benchmarks.run [--scales 1,10] [--store-root DIR] [--queries 200]
                             [--search-queries 300] [--rerank-runs 1000] [--embedder torch]

For each scale (1 = the bundled 19,406 products; 10 = those plus 9 SYNTHETIC variants of each,
see :mod:`benchmarks.variants`; below 1 a seeded sample, for development) it builds a store in
a child process (:mod:`benchmarks.scaled_store`: ingest, vector + BM25 index build, products/s,
peak RSS), starts the real server (``app.py``) on a scratch copy of the store's database and
times ``POST /api/v1/search`` and multi-turn ``POST /api/v1/chat`` over loopback (p50/p95, the
server's start-up and peak RSS), then, in this process, retrieval alone (100 hybrid
candidates) and what CTR re-ranking of 100 candidates costs (:mod:`benchmarks.rerank`).
Prints one table and writes ``benchmarks/results/latest.json``.

``--store-root DIR`` keeps the stores (``DIR/x1``, ``DIR/x10``) and reuses them next time
(their build figures are read back from ``build.json``); without it they are built in a
temporary folder and deleted. ``--store DIR`` names the 1x store folder itself.
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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from assistant.config import REPO_ROOT, Settings
from assistant.wiring import Services
from benchmarks.queries import conversations
from benchmarks.scaled_store import EMBEDDERS


def copy_database(store: Path, scratch: Path) -> Path:
    """Copy ``store``'s SQLite database (with its WAL) into ``scratch``; returns the copy."""
    for name in ("shop.db", "shop.db-wal", "shop.db-shm"):
        if (store / name).exists():
            shutil.copy2(store / name, scratch / name)
    return scratch / "shop.db"


@contextmanager
def scratch_services(
    store: Path, lexical: Path | None = None, **settings: Any
) -> Iterator[Services]:
    """Services over ``store``'s vector index with a scratch copy of its SQLite database and
    BM25 index, so a benchmark may write turns and events without touching the store.

    ``lexical`` reads a BM25 index that is current for the store instead of building a
    scratch one (it is only written if it does not match the products table).
    """
    scratch = Path(tempfile.mkdtemp(prefix="shopbot-bench-"))
    services = Services(
        Settings(
            database_url=f"sqlite:///{copy_database(store, scratch)}",
            chroma_path=store / "chroma",
            lexical_path=lexical or scratch / "lexical",
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


@dataclass(frozen=True)
class Server:
    """A running app: its base URL, process id and how long it took to answer /health."""

    base: str
    pid: int
    start_seconds: float


@contextmanager
def served_store(store: Path, env: dict[str, str], timeout: float = 1800) -> Iterator[Server]:
    """The app (``app.py``) on loopback over ``store``'s indexes and a scratch copy of its
    database (the store itself is only read); ``env`` adds ``SHOPBOT_*`` settings."""
    scratch = Path(tempfile.mkdtemp(prefix="shopbot-serve-"))
    port = _free_port()
    env = {
        **os.environ,
        **UNLIMITED,
        "SHOPBOT_DATABASE_URL": f"sqlite:///{copy_database(store, scratch)}",
        "SHOPBOT_CHROMA_PATH": str(store / "chroma"),
        "SHOPBOT_LEXICAL_PATH": str(store / "lexical"),
        "SHOPBOT_INDEX_ON_START": "false",
        "SHOPBOT_PORT": str(port),
        **env,
    }
    base = f"http://127.0.0.1:{port}"
    with (scratch / "server.log").open("wb") as log:
        started = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, "app.py"], cwd=REPO_ROOT, env=env, stdout=log, stderr=log
        )
        try:
            try:
                _wait_ready(base, proc, timeout)
            except RuntimeError:
                tail = (scratch / "server.log").read_text(errors="replace")[-3000:]
                sys.stderr.write(f"--- server log (tail) ---\n{tail}\n")
                raise
            yield Server(base, proc.pid, time.perf_counter() - started)
        finally:
            proc.terminate()
            proc.wait(timeout=60)
    shutil.rmtree(scratch, ignore_errors=True)


def chat_latency(base: str, n_queries: int) -> dict[str, float | int]:
    """p50/p95 of ``POST /api/v1/chat`` over ``n_queries`` messages of 1-3-turn conversations."""
    latencies: list[float] = []
    errors = 0
    with httpx.Client(base_url=base, timeout=60) as client:
        client.post("/api/v1/chat", json={"message": "warm up"})
        for turns in conversations(n_queries, seed=7):
            session_id = None
            for message in turns:
                started = time.perf_counter()
                r = client.post("/api/v1/chat", json={"session_id": session_id, "message": message})
                latencies.append((time.perf_counter() - started) * 1000)
                if r.status_code != 200:
                    errors += 1
                    continue
                session_id = r.json()["session_id"]
    return {
        "chat_requests": len(latencies),
        "chat_errors": errors,
        "chat_p50_ms": statistics.median(latencies),
        "chat_p95_ms": _percentile(latencies, 0.95),
        "chat_mean_ms": statistics.fmean(latencies),
    }


def _scales(text: str) -> list[float]:
    try:
        scales = [float(part) for part in text.split(",") if part.strip()]
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"--scales: {e}") from e
    if not scales or any(s <= 0 for s in scales):
        raise argparse.ArgumentTypeError("--scales needs positive numbers, e.g. 1,10")
    return scales


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scales", type=_scales, help="e.g. 1,10 or 0.05 (default 1,10)")
    parser.add_argument("--store-root", type=Path, help="keep and reuse the stores here")
    parser.add_argument("--store", type=Path, help="the 1x store folder (kept, reused)")
    parser.add_argument("--queries", type=int, default=200, help="chat messages per scale")
    parser.add_argument("--search-queries", type=int, default=300)
    parser.add_argument("--rerank-runs", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0, help="seed of the synthetic variants")
    parser.add_argument("--embedder", choices=EMBEDDERS, default="torch")
    parser.add_argument("--ctr-model", type=Path, help="CTR model folder (default: settings')")
    parser.add_argument("--out", default="latest.json", help="file under benchmarks/results/")
    args = parser.parse_args(argv)
    if args.scales is None:  # --store alone (as other benchmarks' docs use it): the 1x store
        args.scales = [1.0] if args.store else [1.0, 10.0]
    if min(args.queries, args.search_queries, args.rerank_runs) <= 0:
        parser.error("--queries, --search-queries and --rerank-runs must be positive")
    return args


def main(argv: list[str] | None = None) -> None:
    args = _arguments(argv)
    # These import this module: import them late.
    from benchmarks.scale_measure import MeasureOptions, measure_scale
    from benchmarks.scale_table import format_table

    options = MeasureOptions(
        queries=args.queries, search_queries=args.search_queries, rerank_runs=args.rerank_runs,
        seed=args.seed, embedder=args.embedder, ctr_model=args.ctr_model,
    )  # fmt: skip
    root = args.store_root or Path(tempfile.mkdtemp(prefix="shopbot-bench-"))
    results: dict[str, dict[str, Any]] = {}
    try:
        for scale in args.scales:
            store = args.store if args.store and scale == 1 else root / f"x{scale:g}"
            results[f"{scale:g}"] = measure_scale(store, scale, options)
            # Saved and shown after each scale: a 10x run is long.
            report = {"cpu_count": os.cpu_count(), "load_average_1min": os.getloadavg()[0],
                      "options": options.model_dump(mode="json"), "scales": results}  # fmt: skip
            RESULTS.mkdir(exist_ok=True)
            (RESULTS / args.out).write_text(json.dumps(report, indent=2))
            sys.stdout.write("\n" + format_table(results))
    finally:
        if args.store_root is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
