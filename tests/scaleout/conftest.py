"""Fixtures: the assistant on PostgreSQL + a Chroma server (HttpClient), the catalog slice
indexed through the server once per test session.

The deployment has its own PostgreSQL database and its own Chroma collections (random names),
so it never sees the rows or vectors of other tests on the shared session servers. Its tests
only assert on the sessions, cases and returns they create themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from assistant.config import Settings
from assistant.wiring import Services
from retrieval.catalog.product import Product
from retrieval.embedder import TransformerEmbedder
from tests.backends import ChromaServer, PostgresServer


@pytest.fixture(scope="session")
def scaleout_settings(
    postgres_server: PostgresServer,
    chroma_server: ChromaServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Settings]:
    """Settings of one deployment: a fresh PostgreSQL database and fresh collections."""
    suffix = uuid.uuid4().hex[:10]
    url = postgres_server.create_database(f"scaleout_{suffix}")
    local = tmp_path_factory.mktemp("scaleout")
    yield Settings(
        environment="test",
        database_url=url,
        chroma_host=chroma_server.host,
        chroma_port=chroma_server.port,
        collection_name=f"products_{suffix}",
        policy_collection=f"policies_{suffix}",
        # Only process-local files live here now: the BM25 folder and the token secret.
        chroma_path=local / "chroma-unused",
        lexical_path=local / "lexical",
        secret_key=SecretStr("scale-out-test-secret-0123456789abcdef"),  # shared by all instances
        index_on_start=False,
        ctr_model_path=local / "models" / "ctr",
    )
    postgres_server.drop_database(url)


@pytest.fixture(scope="session")
def scaleout_services(
    scaleout_settings: Settings,
    embedder: TransformerEmbedder,
    catalog_slice: list[Product],
) -> Iterator[Services]:
    """Services over PostgreSQL + Chroma server holding the indexed slice and the policies."""
    services = Services(scaleout_settings)
    services.__dict__["embedder"] = embedder
    services.products.upsert_many(catalog_slice)
    services.build_index(show_progress=False)
    services.support.sync_policies()
    yield services
    services.close()


def scaleout_env(settings: Settings, local: Path) -> dict[str, str]:
    """The SHOPBOT_* environment that makes a server process join the deployment."""
    secret = settings.secret_key.get_secret_value() if settings.secret_key else ""
    return {
        "SHOPBOT_ENVIRONMENT": "test",
        "SHOPBOT_DATABASE_URL": settings.database_url,
        "SHOPBOT_CHROMA_HOST": settings.chroma_host or "",
        "SHOPBOT_CHROMA_PORT": str(settings.chroma_port),
        "SHOPBOT_COLLECTION_NAME": settings.collection_name,
        "SHOPBOT_POLICY_COLLECTION": settings.policy_collection,
        "SHOPBOT_CHROMA_PATH": str(local / "chroma-unused"),
        "SHOPBOT_LEXICAL_PATH": str(local / "lexical"),
        "SHOPBOT_SECRET_KEY": secret,
        "SHOPBOT_CTR_MODEL_PATH": str(local / "models" / "ctr"),
        "SHOPBOT_INDEX_ON_START": "true",
        "SHOPBOT_LOG_FORMAT": "text",
    }
