"""Fixtures: a migrated database per test, on SQLite and on PostgreSQL.

``db_url`` is parametrised: every test in tests/db runs once on a SQLite file under tmp_path
and once on an empty PostgreSQL database of the session's server (``postgres_server``, marker
``postgres``; skipped when no PostgreSQL can be had unless ``SHOPBOT_TEST_BACKENDS=required``).
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from db.conversations import ConversationRepository
from db.products import ProductRepository
from db.session import create_db_engine, make_session_factory, migrate
from retrieval.catalog.product import Product
from tests.backends import PostgresServer


def make_product(product_id: str, **overrides: Any) -> Product:
    """A small valid product; keyword arguments override fields."""
    fields: dict[str, Any] = {
        "id": product_id,
        "title": f"Product {product_id}",
        "brand": "Acme",
        "category": "laptop",
        "price": Decimal("499.99"),
        "attributes": {"ram_gb": 16, "weight_kg": 1.4, "touch": False, "os": "linux"},
    }
    fields.update(overrides)
    return Product(**fields)


@pytest.fixture(scope="module")
def postgres_module_db(postgres_server: PostgresServer) -> Iterator[str]:
    """One migrated PostgreSQL database per test module (its tables are emptied per test)."""
    url = postgres_server.create_database()
    engine = create_db_engine(url)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    yield url
    postgres_server.drop_database(url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'var' / 'shop.db'}"
    url: str = request.getfixturevalue("postgres_module_db")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    server.empty_tables(url)
    return url


@pytest.fixture
def dialect(db_url: str) -> str:
    """``sqlite`` or ``postgresql``: the backend the test runs on."""
    return make_url(db_url).get_backend_name()


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = create_db_engine(db_url)
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session_factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def products(session_factory: sessionmaker[Session]) -> ProductRepository:
    return ProductRepository(session_factory)


@pytest.fixture
def conversations(session_factory: sessionmaker[Session]) -> ConversationRepository:
    return ConversationRepository(session_factory)


@pytest.fixture
def catalog(products: ProductRepository) -> list[Product]:
    """Three stored products: p1, p2, p3."""
    items = [make_product(f"p{i}") for i in (1, 2, 3)]
    products.upsert_many(items)
    return items
