"""What must hold in a store after crashes: acknowledged writes, SQLite integrity, the index."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import numpy as np

from retrieval.embedder import Embedder
from retrieval.index import document_text
from retrieval.vector_store import ChromaVectorIndex
from tests.crash.shoppers import Ledger


@contextmanager
def connect(db_path: Path) -> Iterator[sqlite3.Connection]:
    """A plain sqlite3 connection (not the app's engine): what is on disk, nothing cached."""
    with closing(sqlite3.connect(db_path, timeout=10)) as connection:
        yield connection


def integrity_problems(db_path: Path) -> list[str]:
    """``PRAGMA integrity_check`` lines other than "ok", and ``foreign_key_check`` rows."""
    with connect(db_path) as db:
        integrity = [row[0] for row in db.execute("PRAGMA integrity_check")]
        problems = [line for line in integrity if line != "ok"]
        problems += [f"foreign key: {row}" for row in db.execute("PRAGMA foreign_key_check")]
    return problems


def missing_turns(db_path: Path, ledger: Ledger) -> list[str]:
    """Acknowledged turns absent from SQL, or stored differently from what was acknowledged."""
    problems: list[str] = []
    with connect(db_path) as db:
        for turn in ledger.turns:
            row = db.execute(
                "SELECT session_id, user_message, reply FROM turns WHERE id = ?", (turn.turn_id,)
            ).fetchone()
            if row is None:
                problems.append(f"turn {turn.turn_id} of {turn.session_id} missing")
                continue
            if row != (turn.session_id, turn.message.strip(), turn.reply):
                problems.append(f"turn {turn.turn_id} differs: {row!r} vs {turn!r}")
                continue
            shown = db.execute(
                "SELECT product_id FROM impressions WHERE turn_id = ? ORDER BY position",
                (turn.turn_id,),
            ).fetchall()
            if tuple(pid for (pid,) in shown) != turn.product_ids:
                problems.append(f"turn {turn.turn_id} impressions {shown} vs {turn.product_ids}")
    return problems


def missing_events(db_path: Path, ledger: Ledger) -> list[str]:
    """Acknowledged events absent from SQL or stored differently."""
    problems: list[str] = []
    with connect(db_path) as db:
        for event in ledger.events:
            row = db.execute(
                "SELECT session_id, product_id, type, turn_id FROM events WHERE id = ?",
                (event.event_id,),
            ).fetchone()
            expected = (event.session_id, event.product_id, event.type, event.turn_id)
            if row != expected:
                problems.append(f"event {event.event_id}: stored {row!r}, acknowledged {expected}")
    return problems


def table_count(db_path: Path, table: str) -> int:
    with connect(db_path) as db:
        (count,) = db.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
    return int(count)


def product_hashes(db_path: Path) -> dict[str, str]:
    """The products table's ids and content hashes (the source of truth of the index)."""
    with connect(db_path) as db:
        return dict(db.execute("SELECT id, content_hash FROM products").fetchall())


def index_mismatches(
    store: Path, embedder: Embedder, collection: str = "products"
) -> tuple[list[str], int]:
    """Differences between the embedded Chroma index and the products table, and the number
    of hits a query for "a laptop" returned (10 asked).

    Checked: the same ids with the same content hashes, ``count()``, every stored vector
    equal to the embedding of its product's current text (a garbled or stale vector fails),
    query hits only of known products, and the HNSW graph's reachability
    (:func:`reachability_problems`). Opens the Chroma directory in this process: only call it
    while no server runs.
    """
    index = ChromaVectorIndex(collection=collection, path=store / "chroma")
    wanted = product_hashes(store / "shop.db")
    present = index.content_hashes()
    problems = [f"not indexed: {pid}" for pid in sorted(wanted.keys() - present.keys())]
    problems += [f"not in products: {pid}" for pid in sorted(present.keys() - wanted.keys())]
    problems += [
        f"stale vector: {pid}"
        for pid in sorted(wanted.keys() & present.keys())
        if wanted[pid] != present[pid]
    ]
    if index.count() != len(present):
        problems.append(f"count() {index.count()} vs {len(present)} ids")
    hits = index.query(embedder.embed(["a laptop"])[0], k=10, filters=None)
    problems += [f"query hit unknown id {h.product_id}" for h in hits if h.product_id not in wanted]
    problems += garbled_vectors(store, index, embedder)
    return problems + reachability_problems(index), len(hits)


def garbled_vectors(store: Path, index: ChromaVectorIndex, embedder: Embedder) -> list[str]:
    """Stored vectors that are not the embedding of their product's text in the products table
    (cosine below 0.999: the server may embed with ONNX, which agrees with torch to 1e-4)."""
    from db.products import ProductRepository
    from db.session import create_db_engine, make_session_factory

    ids, vectors, _ = index.export()
    engine = create_db_engine(f"sqlite:///{store / 'shop.db'}")
    try:
        products = ProductRepository(make_session_factory(engine)).get_many(ids)
    finally:
        engine.dispose()
    known = [i for i, pid in enumerate(ids) if pid in products]
    expected = embedder.embed([document_text(products[ids[i]]) for i in known])
    stored = np.asarray(vectors, dtype=np.float32)[known]
    stored /= np.maximum(np.linalg.norm(stored, axis=1, keepdims=True), 1e-12)
    cosines = np.sum(stored * np.asarray(expected, dtype=np.float32), axis=1)
    return [
        f"garbled vector: {ids[i]} (cosine {c:.4f})"
        for i, c in zip(known, cosines, strict=True)
        if c < 0.999
    ]


HNSW_UNREACHABLE_ALLOWED = 0.01
"""Share of products the HNSW graph may fail to return for their own vector (top 10).

HNSW is approximate, and more so after in-place updates and deletes: hnswlib re-links an
updated element's neighbourhood, and its author notes reachability "cannot be guaranteed due to
the approximate nature of the algorithm" (nmslib/hnswlib#275). The crash test's repeated
catalog edits occasionally leave one product of ~315 without an inbound link (it still has its
vector, is found by BM25 and by filtered search). A crash that garbled the graph would cut off
far more than 1%; a garbled or stale *vector* is caught exactly by :func:`garbled_vectors`.
"""


def reachability_problems(index: ChromaVectorIndex) -> list[str]:
    """A problem if more than :data:`HNSW_UNREACHABLE_ALLOWED` of the products are not found
    by a query for their own stored vector (top 10)."""
    ids, vectors, _ = index.export()
    lost = [
        pid
        for pid, vector in zip(ids, vectors, strict=True)
        if pid not in {hit.product_id for hit in index.query(vector, k=10, filters=None)}
    ]
    if lost:
        print(f"\nHNSW: {len(lost)} of {len(ids)} products not found by their own vector: {lost}")
    if len(lost) > HNSW_UNREACHABLE_ALLOWED * len(ids):
        return [f"{len(lost)} of {len(ids)} products unreachable through HNSW: {lost[:10]}"]
    return []


def chroma_integrity_problems(store: Path) -> list[str]:
    """``PRAGMA integrity_check`` of Chroma's own SQLite file."""
    with connect(store / "chroma" / "chroma.sqlite3") as db:
        return [row[0] for row in db.execute("PRAGMA integrity_check") if row[0] != "ok"]
