"""Fixtures: a migrated SQLite file per test under tmp_path."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from db.conversations import ConversationRepository
from db.products import ProductRepository
from db.session import create_db_engine, make_session_factory, migrate
from retrieval.catalog.product import Product


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


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'var' / 'shop.db'}"


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
