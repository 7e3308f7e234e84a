"""Shared fixtures: the BERT encoder once per session, a small real catalog slice, a built app."""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from assistant.config import Settings, _default_model_path  # noqa: E402
from retrieval.catalog.product import Product  # noqa: E402
from retrieval.embedder import TransformerEmbedder  # noqa: E402
from tests.backends import ChromaServer, PostgresServer  # noqa: E402  (issue 8, backends)

REPO = Path(__file__).resolve().parents[1]
SLICE_CATEGORIES = ("laptop", "monitor", "cable", "toner", "ink", "mouse", "keyboard", "printer")
PER_CATEGORY = 40


@pytest.fixture(scope="session")
def embedder() -> TransformerEmbedder:
    return TransformerEmbedder(_default_model_path(), batch_size=32)


@pytest.fixture(scope="session")
def catalog_slice() -> list[Product]:
    """A deterministic slice of the real bundled catalog: the first products per category."""
    from retrieval.catalog.loading import load_catalog

    loaded = load_catalog(REPO / "data" / "icecat" / "1.json.zip", "icecat")
    picked: dict[str, list[Product]] = defaultdict(list)
    for product in sorted(loaded.products, key=lambda p: int(p.id)):
        bucket = picked[product.category]
        if product.category in SLICE_CATEGORIES and len(bucket) < PER_CATEGORY:
            bucket.append(product)
    return [p for c in SLICE_CATEGORIES for p in picked[c]]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        environment="test",
        database_url=f"sqlite:///{tmp_path / 'shop.db'}",
        chroma_path=tmp_path / "chroma",
        index_on_start=False,
        ctr_model_path=tmp_path / "models" / "ctr",
    )


@pytest.fixture(scope="session")
def built_store(
    tmp_path_factory: pytest.TempPathFactory,
    embedder: TransformerEmbedder,
    catalog_slice: list[Product],
) -> Path:
    """A SQLite file and Chroma directory holding the indexed slice, built once."""
    from assistant.wiring import Services

    root = tmp_path_factory.mktemp("store")
    services = Services(
        Settings(
            environment="test",
            database_url=f"sqlite:///{root / 'shop.db'}",
            chroma_path=root / "chroma",
        )
    )
    services.__dict__["embedder"] = embedder
    services.products.upsert_many(catalog_slice)
    services.build_index(show_progress=False)
    services.support.sync_policies()  # the policy passages' own collection (issue 6)
    services.close()
    return root


@pytest.fixture
def services(built_store: Path, tmp_path: Path, embedder: TransformerEmbedder) -> Iterator[object]:
    """Services over a private copy of the built store, so tests can write freely."""
    import shutil

    from assistant.wiring import Services

    shutil.copytree(built_store, tmp_path / "store")
    root = tmp_path / "store"
    svc = Services(
        Settings(
            environment="test",
            database_url=f"sqlite:///{root / 'shop.db'}",
            chroma_path=root / "chroma",
            index_on_start=False,
            ctr_model_path=root / "models" / "ctr",  # never the repository's var/models/ctr
        )
    )
    svc.__dict__["embedder"] = embedder
    yield svc
    svc.close()


# --- Issue 8, backends: a throwaway PostgreSQL cluster and Chroma server (tests/backends.py) ---


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server (``SHOPBOT_TEST_POSTGRES_URL`` or a throwaway cluster); skips
    (fails with ``SHOPBOT_TEST_BACKENDS=required``) when none can be had."""
    from tests.backends import postgres_for_tests

    yield from postgres_for_tests()


@pytest.fixture(scope="session")
def chroma_server() -> Iterator[ChromaServer]:
    """A throwaway ``chroma run`` server on loopback; skips (or fails, as above) without one."""
    from tests.backends import chroma_for_tests

    yield from chroma_for_tests()
