"""Crash safety: SIGKILL the real server again and again; nothing acknowledged may be lost.

The server is the real app (``app.main``, what ``python app.py`` runs) over a copy of the
indexed catalog slice, started by a fork server (``tests/crash/launcher.py``) so a restart
takes ~2 s instead of ~12 s. After every kill it is restarted, and it reconciles the vector
index with the products table on start (``SHOPBOT_INDEX_ON_START=true``, the default).

Run with ``-s`` to see the figures. ``SHOPBOT_CRASH_KILLS`` (default 30),
``SHOPBOT_CRASH_INDEX_KILLS`` (default 6) and ``SHOPBOT_CRASH_SEED`` (default 8) change the run.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import httpx
import pytest

from retrieval.catalog.product import Product
from retrieval.embedder import TransformerEmbedder
from tests.crash.checks import (
    chroma_integrity_problems,
    index_mismatches,
    integrity_problems,
    missing_events,
    missing_turns,
    product_hashes,
    table_count,
)
from tests.crash.killing import files_under, kill_on_write, wait_for_text
from tests.crash.servers import Launcher, Server, free_port, store_env
from tests.crash.shoppers import Ledger, Shopper, Target

pytestmark = [pytest.mark.crash, pytest.mark.slow, pytest.mark.integration]

KILLS = int(os.environ.get("SHOPBOT_CRASH_KILLS", "30"))
INDEX_KILLS = int(os.environ.get("SHOPBOT_CRASH_INDEX_KILLS", "6"))
SEED = int(os.environ.get("SHOPBOT_CRASH_SEED", "8"))
SHOPPERS = 4


@pytest.fixture(scope="module")
def launcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launcher]:
    with Launcher(tmp_path_factory.mktemp("crash-logs")) as started:
        yield started


@pytest.fixture
def store(built_store: Path, tmp_path: Path) -> Path:
    shutil.copytree(built_store, tmp_path / "store")
    return tmp_path / "store"


def report(name: str, figures: dict[str, object]) -> None:
    """The run's figures on stdout (shown with ``pytest -s``)."""
    sys.stdout.write(f"\n{name}: {json.dumps(figures)}\n")


def start(launcher: Launcher, store: Path) -> Server:
    server = launcher.start(store_env(store, free_port()))
    server.wait_ready()
    return server


def check_serving(server: Server, expected_products: int) -> None:
    """The restarted server's index answers and covers the whole products table."""
    health = httpx.get(f"{server.base_url}/health", timeout=10).json()
    assert health["products"] == health["indexed"] == expected_products, health
    found = httpx.post(
        f"{server.base_url}/api/v1/search", json={"query": "laptop", "k": 5}, timeout=30
    )
    assert found.status_code == 200, found.text
    assert found.json()["products"], "the vector index answered nothing"


def test_sigkill_under_traffic_loses_no_acknowledged_write(
    launcher: Launcher, store: Path, embedder: TransformerEmbedder
) -> None:
    rng = random.Random(SEED)
    ledger, target = Ledger(), Target()
    shoppers = [Shopper(f"shopper-{i}", target, ledger, SEED * 100 + i) for i in range(SHOPPERS)]
    turns_before = table_count(store / "shop.db", "turns")
    wal = [store / "shop.db-wal"]
    started, mid_write, startup = time.monotonic(), 0, []
    for shopper in shoppers:
        shopper.start()
    try:
        for kill in range(KILLS):
            server = launcher.start(store_env(store, free_port()))
            startup.append(server.wait_ready())
            target.up(server.base_url)
            if kill % 2:  # the moment a commit is seen hitting the WAL, after some traffic
                time.sleep(rng.uniform(0.1, 0.8))
                mid_write += kill_on_write(server, wal, delay=0, timeout=5, before_kill=target.down)
            else:  # at a random moment
                time.sleep(rng.uniform(0.2, 1.5))
                target.down()
                server.kill()
    finally:
        target.stop()
        for shopper in shoppers:
            shopper.join(timeout=60)
    traffic_seconds = time.monotonic() - started

    # The store as the last crash left it: nothing acknowledged is missing, SQLite is sound.
    db = store / "shop.db"
    assert ledger.unexpected == []
    assert integrity_problems(db) == []
    assert missing_turns(db, ledger) == []
    assert missing_events(db, ledger) == []
    # A run that acknowledged next to nothing would prove nothing.
    assert len(ledger.turns) >= 3 * KILLS and len(ledger.events) >= KILLS
    assert mid_write >= 1, "no kill was triggered by a commit: the WAL watch is broken"

    # Restarted, the server serves from an index that matches the products table.
    server = start(launcher, store)
    check_serving(server, len(product_hashes(db)))
    server.kill()
    problems, hits = index_mismatches(store, embedder)
    assert problems == [] and hits == 10
    assert chroma_integrity_problems(store) == []
    report(
        "crash under traffic",
        {
            "kills": KILLS,
            "kills_triggered_by_a_wal_write": mid_write,
            "acknowledged_turns": len(ledger.turns),
            "acknowledged_events": len(ledger.events),
            "found_turns": len(ledger.turns) - len(missing_turns(db, ledger)),
            "found_events": len(ledger.events) - len(missing_events(db, ledger)),
            "unanswered_requests": ledger.unanswered,
            "stored_turns_never_acknowledged": table_count(db, "turns")
            - turns_before
            - len(ledger.turns),
            "startup_p50_s": round(sorted(startup)[len(startup) // 2], 2),
            "traffic_seconds": round(traffic_seconds, 1),
        },
    )


def changed_catalog(products: list[Product], round_: int, rng: random.Random) -> list[Product]:
    """A catalog update: 6 edited products and 4 new ones (ids unique to the round)."""
    edited = [
        p.model_copy(update={"title": f"{p.title} (catalog revision {round_})"})
        for p in rng.sample(products, 6)
    ]
    added = [
        p.model_copy(update={"id": f"crash-{round_}-{p.id}", "title": f"{p.title} bundle {round_}"})
        for p in rng.sample(products, 4)
    ]
    return edited + added


def apply_update(store: Path, update: list[Product], drop_prefix: str) -> None:
    """Upsert ``update`` (as ``shopbot ingest`` does) and delete earlier added products."""
    from db.products import ProductRepository
    from db.session import create_db_engine, make_session_factory

    engine = create_db_engine(f"sqlite:///{store / 'shop.db'}")
    try:
        ProductRepository(make_session_factory(engine)).upsert_many(update)
    finally:
        engine.dispose()
    # The repository has no delete: products leave the catalog by hand (nothing refers to them).
    with closing(sqlite3.connect(store / "shop.db")) as db, db:
        db.execute("DELETE FROM products WHERE id LIKE ?", (f"{drop_prefix}%",))


# Where in the start-up reconcile (delete, embed, upsert into Chroma, HNSW flush, BM25 build)
# each round's kill lands.
INDEX_KILL_MOMENTS = ("embedding", "chroma upsert", "after the upsert")


def kill_during_reconcile(server: Server, chroma: Path, moment: str, rng: random.Random) -> bool:
    """Kill ``server`` at ``moment`` of its start-up reconcile; whether a Chroma write was seen
    at the moment's trigger."""
    watched = [*files_under(chroma), chroma / "chroma.sqlite3-journal"]
    watched.append(chroma / "chroma.sqlite3-wal")
    if moment == "embedding":  # some time after Chroma was opened
        return kill_on_write(server, watched, delay=rng.uniform(0, 1.0), timeout=60)
    # The progress bar reaches 100% when the vectors are computed, just before the upsert.
    assert wait_for_text(server.log, "Indexing products: 100%", timeout=180), (
        f"no index build in {server.log}"
    )
    delay = 0.0 if moment == "chroma upsert" else rng.uniform(0, 0.8)
    return kill_on_write(server, watched, delay=delay, timeout=60)


def test_sigkill_during_index_build_then_restart_reconciles(
    launcher: Launcher,
    store: Path,
    embedder: TransformerEmbedder,
    catalog_slice: list[Product],
) -> None:
    rng = random.Random(SEED + 1)
    moments: dict[str, int] = {}
    before_serving = 0
    started = time.monotonic()
    for round_ in range(INDEX_KILLS):
        apply_update(store, changed_catalog(catalog_slice, round_, rng), f"crash-{round_ - 1}-")
        server = launcher.start(store_env(store, free_port()))
        moment = INDEX_KILL_MOMENTS[round_ % len(INDEX_KILL_MOMENTS)]
        seen = kill_during_reconcile(server, store / "chroma", moment, rng)
        moments[moment] = moments.get(moment, 0) + seen
        before_serving += not _was_serving(server)
    server = start(launcher, store)
    check_serving(server, len(product_hashes(store / "shop.db")))
    server.kill()
    problems, hits = index_mismatches(store, embedder)
    assert problems == [] and hits == 10
    assert chroma_integrity_problems(store) == []
    assert integrity_problems(store / "shop.db") == []
    report(
        "crash during index build",
        {
            "kills": INDEX_KILLS,
            "kills_before_serving": before_serving,
            "kills_on_a_seen_chroma_write_by_moment": moments,
            "seconds": round(time.monotonic() - started, 1),
        },
    )


def _was_serving(server: Server) -> bool:
    """Whether the killed server's log says it had finished starting (the build was over)."""
    return "Application startup complete" in server.log.read_text(errors="replace")
