from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from retrieval.catalog.product import Product
from retrieval.filters import SearchFilters
from retrieval.vector_store import ChromaVectorIndex, build_where, product_metadata

pytestmark = pytest.mark.unit


def _product(pid: str, brand: str, category: str, price: str, color: str = "") -> Product:
    return Product(
        id=pid,
        title=f"{brand} {category} {pid}",
        brand=brand,
        category=category,
        price=Decimal(price),
        color=color,
    )


def test_build_where_translates_every_filter() -> None:
    assert build_where(None) is None
    assert build_where(SearchFilters()) is None
    assert build_where(SearchFilters(category="laptop")) == {"category": "laptop"}
    where = build_where(
        SearchFilters(
            category="laptop",
            brands=["HP"],
            exclude_brands=["DELL"],
            price_min=Decimal("100"),
            price_max=Decimal("800"),
            color="Black",
        )
    )
    assert where == {
        "$and": [
            {"category": "laptop"},
            {"brand": {"$in": ["HP"]}},
            {"brand": {"$nin": ["DELL"]}},
            {"price": {"$gte": 100.0}},
            {"price": {"$lte": 800.0}},
            {"color_black": True},
        ]
    }


def test_multi_colour_products_get_one_flag_per_colour() -> None:
    meta = product_metadata(_product("1", "HP", "mouse", "10", color="Black,Silver"))
    assert meta["color_black"] is True and meta["color_silver"] is True


@pytest.fixture
def index(tmp_path: Path) -> ChromaVectorIndex:
    products = [
        _product("1", "HP", "laptop", "650", "Black"),
        _product("2", "HP", "laptop", "1200", "Silver"),
        _product("3", "Lenovo", "laptop", "700", "Black"),
        _product("4", "HP", "toner", "60", "Black"),
    ]
    idx = ChromaVectorIndex(collection="products", path=tmp_path / "chroma")
    vectors = np.eye(4, 8, dtype=np.float32)
    idx.upsert([p.id for p in products], vectors, [product_metadata(p) for p in products])
    return idx


def test_filtered_query_returns_only_matching_products(index: ChromaVectorIndex) -> None:
    query = np.ones(8, dtype=np.float32) / np.sqrt(8)
    got = lambda f: {h.product_id for h in index.query(query, 10, f)}  # noqa: E731
    assert got(None) == {"1", "2", "3", "4"}
    assert got(SearchFilters(category="laptop", price_max=Decimal("800"))) == {"1", "3"}
    assert got(SearchFilters(brands=["HP"], color="silver")) == {"2"}
    assert got(SearchFilters(category="laptop", exclude_brands=["HP"])) == {"3"}
    assert got(SearchFilters(category="camera")) == set()


def test_scores_are_cosine_similarities(index: ChromaVectorIndex) -> None:
    hits = index.query(np.eye(1, 8, 2, dtype=np.float32)[0], 2, None)
    assert hits[0].product_id == "3"
    assert hits[0].score == pytest.approx(1.0, abs=1e-4)
    assert hits[1].score == pytest.approx(0.0, abs=1e-4)


def test_hashes_and_delete(index: ChromaVectorIndex) -> None:
    hashes = index.content_hashes()
    assert set(hashes) == {"1", "2", "3", "4"} and all(hashes.values())
    index.delete(["4"])
    assert index.count() == 3


def test_constructor_validates(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        ChromaVectorIndex(collection="ab", path=tmp_path)
    with pytest.raises(ValueError):
        ChromaVectorIndex(collection="products")
