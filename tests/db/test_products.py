"""ProductRepository: bulk upsert by content hash and the read methods."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from db.models import ProductRow
from db.products import ProductRepository
from retrieval.catalog.product import Product
from tests.db.conftest import make_product

pytestmark = pytest.mark.unit


def test_upsert_inserts_then_reports_unchanged(products: ProductRepository) -> None:
    items = [make_product(f"p{i}") for i in range(5)]
    first = products.upsert_many(items)
    assert (first.inserted, first.updated, first.unchanged) == (5, 0, 0)
    second = products.upsert_many(items)
    assert (second.inserted, second.updated, second.unchanged) == (0, 0, 5)
    assert products.count() == 5


def test_upsert_updates_changed_products_only(
    products: ProductRepository, session_factory: sessionmaker[Session]
) -> None:
    products.upsert_many([make_product("a"), make_product("b")])
    created_at = _timestamps(session_factory, "a")[0]
    counts = products.upsert_many(
        [make_product("a", price=Decimal("19.99")), make_product("b"), make_product("c")]
    )
    assert (counts.inserted, counts.updated, counts.unchanged) == (1, 1, 1)
    stored = products.get("a")
    assert stored is not None and stored.price == Decimal("19.99")
    assert products.content_hashes()["a"] == stored.content_hash()
    created_again, updated_at = _timestamps(session_factory, "a")
    assert created_again == created_at
    assert updated_at > created_at


def _timestamps(
    session_factory: sessionmaker[Session], product_id: str
) -> tuple[datetime, datetime]:
    with session_factory() as session:
        row = session.get(ProductRow, product_id)
        assert row is not None
        assert row.created_at.tzinfo == UTC
        return row.created_at, row.updated_at


def test_upsert_last_duplicate_in_batch_wins(products: ProductRepository) -> None:
    counts = products.upsert_many([make_product("a", title="old"), make_product("a", title="new")])
    assert counts.total == 1
    stored = products.get("a")
    assert stored is not None and stored.title == "new"


def test_upsert_batches_use_one_select_each(products: ProductRepository, engine: Engine) -> None:
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        products.upsert_many((make_product(f"p{i:03d}") for i in range(250)), batch_size=100)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 3
    assert products.count() == 250


def test_upsert_rejects_non_positive_batch_size(products: ProductRepository) -> None:
    with pytest.raises(ValueError):
        products.upsert_many([], batch_size=0)


def test_round_trip_preserves_every_field(products: ProductRepository) -> None:
    original = make_product(
        "x1",
        description='Ünïcode — 15.6" screen',
        color="silver",
        price=Decimal("1234567890.05"),
        image_url="https://example.com/x1.jpg",
        source="dummyjson",
        attributes={"ram_gb": 16, "weight_kg": 1.5, "touch": True, "os": "win"},
    )
    products.upsert_many([original])
    stored = products.get("x1")
    assert stored == original
    assert stored is not None and stored.content_hash() == original.content_hash()


def test_get_and_get_many(catalog: list[Product], products: ProductRepository) -> None:
    assert products.get("missing") is None
    found = products.get_many(["p3", "p1", "missing", "p1"])
    assert set(found) == {"p1", "p3"}
    assert found["p3"] == catalog[2]
    assert products.get_many([]) == {}


def test_iter_all_is_ordered_across_pages(products: ProductRepository) -> None:
    ids = [f"id-{i:02d}" for i in range(23)]
    products.upsert_many(make_product(i) for i in reversed(ids))
    assert [p.id for p in products.iter_all(batch_size=5)] == ids
    assert [p.id for p in products.iter_all(batch_size=23)] == ids
    with pytest.raises(ValueError):
        products.iter_all(batch_size=0)


def test_iter_all_on_empty_catalog(products: ProductRepository) -> None:
    assert list(products.iter_all()) == []
    assert products.count() == 0
    assert products.brands() == []
    assert products.category_counts() == {}


def test_brands_categories_and_ids(products: ProductRepository) -> None:
    products.upsert_many(
        [
            make_product("1", brand="HP", category="laptop"),
            make_product("2", brand="Dell", category="laptop"),
            make_product("3", brand="", category="toner"),
            make_product("4", brand="HP", category="toner"),
            make_product("5", brand="Apple", category="phone"),
        ]
    )
    assert products.brands() == ["Apple", "Dell", "HP"]
    assert products.category_counts() == {"laptop": 2, "toner": 2, "phone": 1}
    assert products.ids() == {"1", "2", "3", "4", "5"}


def test_injection_looking_strings_are_stored_verbatim(products: ProductRepository) -> None:
    nasty = "x'); DROP TABLE products; --"
    products.upsert_many([make_product(nasty, title=nasty, brand=nasty, description='" OR 1=1')])
    stored = products.get(nasty)
    assert stored is not None
    assert (stored.title, stored.brand, stored.description) == (nasty, nasty, '" OR 1=1')
    assert products.brands() == [nasty]
    assert products.count() == 1


def test_repository_requires_a_sessionmaker() -> None:
    with pytest.raises(TypeError):
        ProductRepository("sqlite:///shop.db")  # type: ignore[arg-type]
