"""Benchmark of product search on the full catalog: index build times, then search latency.

    python -m benchmarks.search [--store DIR] [--queries 300] [--rebuild-lexical] [--compare-dense]

Without ``--store`` a fresh store is built (ingest, vector index, lexical index), which
takes a few minutes. With ``--store DIR`` an existing store is reused and only reconciled;
``--rebuild-lexical`` then times a full rebuild of the lexical index. A real server is started
on loopback and ``POST /api/v1/search`` is sent varied queries (categories, brands, part
numbers, EANs, misspellings, plain-language needs), half of them with filters; p50/p95 are
printed and written to ``benchmarks/results/search.json``. ``--compare-dense`` then repeats
the run against a dense-only server (one server at a time: two servers side by side disturb
each other's timings), which shows what the lexical side and the fusion cost.
"""

from __future__ import annotations

import argparse
import os
import random
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
from benchmarks.run import (
    UNLIMITED,
    _free_port,
    _percentile,
    _wait_ready,
    build_store,
    write_figures,
)

TEXTS = [
    "laptop", "thin and light notebook", "gaming laptop 16GB", "17 inch laptop", "labtop",
    "27 inch monitor", "4k moniter", "lcd monitor 19\"", "hp monitor",
    "10 ft hdmi cable", "usb-c to usb-a cord", "cat6 patch cable 5 m", "ethernet cord",
    "displayport cabel", "sata cable", "power cord for pc", "fiber patch cable lc",
    "black toner for hp laserjet", "tonner", "xerox toner cartridge", "brother toner",
    "canon ink cartridge", "epson ink cyan", "hp 85 ink", "ink for officejet",
    "wireless mouse", "logitec mouse", "trackball", "ergonomic keyboard", "keybaord",
    "laser printer for a small office", "photo printer", "label printer",
    "noise cancelling headset", "hedphones", "webcam for video calls",
    "16GB DDR4 memory", "sodimm ram", "external hard drive 2TB", "usb flash drive 64gb",
    "replacement laptop battery", "aa batteries", "power adapter for a lenovo notebook",
    "usb-c charger", "laptop bag 15.6 inch", "notebook sleeve", "backpack",
    "projector for presentations", "projector lamp", "privacy filter 14 inch",
    "labels for dymo", "glossy photo paper a4", "ups battery backup", "wifi router",
    "gigabit switch 8 port", "intel xeon processor", "core i7 cpu", "tv wall mount",
    "monitor arm", "usb-c docking station", "kvm switch", "something to print photos at home",
    "a gift for my dad who travels", "keep my laptop safe on the train", "",
]  # fmt: skip
FILTERS: list[dict[str, Any]] = [
    {"category": "cable"},
    {"category": "laptop", "price_max": 800},
    {"brands": ["HP"]},
    {"brands": ["StarTech.com", "C2G"], "price_max": 30},
    {"exclude_brands": ["HP"]},
    {"price_min": 100, "price_max": 400},
    {"color": "black"},
    {"category": "toner", "brands": ["Xerox", "Lexmark"]},
]


def search_requests(root: Path, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` request bodies: texts above plus real part numbers and EANs; half filtered."""
    services = Services(_settings(root))
    rng = random.Random(seed)
    products = rng.sample(sorted(services.products.ids()), 40)
    found = services.products.get_many(products)
    services.close()
    codes = [str(found[pid].attributes.get("part_number", "")) for pid in products[:20]]
    codes += [str(found[pid].attributes.get("ean", "")) for pid in products[20:]]
    texts = TEXTS + [c for c in codes if c]
    bodies = []
    for i in range(n):
        body: dict[str, Any] = {"query": rng.choice(texts), "k": 10}
        if i % 2:
            body["filters"] = rng.choice(FILTERS)
        bodies.append(body)
    return bodies


def _settings(root: Path) -> Settings:
    return Settings(database_url=f"sqlite:///{root / 'shop.db'}", chroma_path=root / "chroma")


def reconcile(root: Path, rebuild_lexical: bool) -> dict[str, float | int]:
    """Bring both indexes in line with the table; optionally time a full lexical rebuild."""
    services = Services(_settings(root))
    report = services.build_index(show_progress=True)
    figures: dict[str, float | int] = {
        "products": report.total,
        "reconcile_seconds": report.total_seconds,
    }
    if rebuild_lexical:
        lexical = services.build_lexical_index(force=True)
        figures["lexical_build_seconds"] = lexical.seconds
    services.close()
    return figures


@contextmanager
def running_server(root: Path, mode: str) -> Iterator[str]:
    """The app (``app.py``) serving the store at ``root`` with ``mode`` retrieval, on loopback.

    The indexes were reconciled before, so the server only reads.
    """
    port = _free_port()
    env = {
        **os.environ,
        **UNLIMITED,
        "SHOPBOT_DATABASE_URL": f"sqlite:///{root / 'shop.db'}",
        "SHOPBOT_CHROMA_PATH": str(root / "chroma"),
        "SHOPBOT_PORT": str(port),
        "SHOPBOT_INDEX_ON_START": "false",
        "SHOPBOT_RETRIEVAL_MODE": mode,
    }
    proc = subprocess.Popen(
        [sys.executable, "app.py"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(base, proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def search_latency(mode: str, base: str, bodies: list[dict[str, Any]]) -> dict[str, float | int]:
    """p50/p95 of ``POST /api/v1/search`` over ``bodies``, overall and with/without filters."""
    timings: dict[str, list[float]] = {"all": [], "filtered": [], "unfiltered": []}
    errors = 0
    with httpx.Client(base_url=base, timeout=30) as client:
        for body in bodies[:5]:  # warm-up, not counted
            client.post("/api/v1/search", json=body)
        for body in bodies:
            started = time.perf_counter()
            response = client.post("/api/v1/search", json=body)
            elapsed = (time.perf_counter() - started) * 1000
            errors += response.status_code != 200
            timings["all"].append(elapsed)
            timings["filtered" if "filters" in body else "unfiltered"].append(elapsed)
    figures: dict[str, float | int] = {
        f"search_{mode}_requests": len(bodies),
        f"search_{mode}_errors": errors,
    }
    for name, values in timings.items():
        figures[f"search_{mode}_{name}_p50_ms"] = statistics.median(values)
        figures[f"search_{mode}_{name}_p95_ms"] = _percentile(values, 0.95)
    return figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="reuse (or create) the store in this folder")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--rebuild-lexical", action="store_true")
    parser.add_argument(
        "--compare-dense", action="store_true", help="also serve dense-only search, interleaved"
    )
    args = parser.parse_args(argv)
    root = args.store or Path(tempfile.mkdtemp(prefix="shopbot-search-"))
    root.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {"cpu_count": os.cpu_count()}
    if not (root / "shop.db").exists():
        built = build_store(root)  # ingest + vector + lexical index, then an unchanged rerun
        figures.update(built)
    figures.update(reconcile(root, args.rebuild_lexical or "index_seconds" in figures))
    if "index_seconds" in figures:
        # Vector index (embedding) + lexical index, both built from scratch.
        figures["index_total_seconds"] = figures["index_seconds"] + figures["lexical_build_seconds"]
    bodies = search_requests(root, args.queries, seed=5)
    for mode in ["hybrid", "dense"] if args.compare_dense else ["hybrid"]:
        with running_server(root, mode) as base:
            figures.update(search_latency(mode, base, bodies))
    write_figures(figures, "search.json")


if __name__ == "__main__":
    main()
