"""The lexical filter evaluator must agree with Chroma on every clause ``build_where`` makes."""

from decimal import Decimal
from pathlib import Path

import pytest

from retrieval.catalog.product import Product
from retrieval.filters import SearchFilters
from retrieval.metadata_filter import MetadataFilterError, MetadataTable
from retrieval.vector_store import ChromaVectorIndex, build_where, product_metadata
from tests.retrieval.fakes import HashEmbedder

ROWS = [
    {"brand": "HP", "price": 10.0, "color_black": True},
    {"brand": "Dell", "price": 25.5},
    {"brand": "HP", "price": 99.0, "color_black": True, "color_silver": True},
    {"brand": "Acer", "price": 5.0, "size": 15},
]


def _ids(mask: object) -> list[int]:
    assert mask is not None
    return [i for i, flag in enumerate(mask) if flag]  # type: ignore[attr-defined]


@pytest.mark.unit
@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ({"brand": "HP"}, [0, 2]),
        ({"brand": {"$eq": "Dell"}}, [1]),
        ({"brand": {"$ne": "HP"}}, [1, 3]),
        ({"brand": {"$in": ["Dell", "Acer"]}}, [1, 3]),
        ({"brand": {"$nin": ["Dell", "Acer"]}}, [0, 2]),
        ({"price": {"$gte": 10.0}}, [0, 1, 2]),
        ({"price": {"$gt": 10}}, [1, 2]),
        ({"price": {"$lt": 10.0}}, [3]),
        ({"price": {"$lte": 25.5}}, [0, 1, 3]),
        ({"color_black": True}, [0, 2]),
        ({"color_silver": {"$ne": True}}, [0, 1, 3]),
        ({"size": {"$gte": 14}}, [3]),
        ({"missing_key": "x"}, []),
        ({"$and": [{"brand": "HP"}, {"price": {"$lte": 50.0}}]}, [0]),
        ({"$or": [{"brand": "Dell"}, {"color_silver": True}]}, [1, 2]),
        ({"brand": "HP", "price": {"$gt": 50.0}}, [2]),
    ],
)
def test_where_clauses(where: dict, expected: list[int]) -> None:
    assert _ids(MetadataTable(ROWS).mask(where)) == expected


@pytest.mark.unit
def test_no_clause_means_no_mask_and_bad_clauses_fail() -> None:
    table = MetadataTable(ROWS)
    assert table.mask(None) is None and table.mask({}) is None
    with pytest.raises(MetadataFilterError):
        table.mask({"brand": {"$like": "H%"}})
    with pytest.raises(MetadataFilterError):
        table.mask({"brand": {"$gt": 3}})


def _products() -> list[Product]:
    specs = [
        ("HP", "laptop", "499.00", "Black"),
        ("HP", "laptop", "899.00", "Black,Silver"),
        ("Dell", "laptop", "650.00", "Silver"),
        ("Lenovo", "laptop", "300.00", ""),
        ("HP", "monitor", "150.00", "White"),
        ("C2G", "cable", "9.99", "Light blue"),
        ("StarTech.com", "cable", "15.00", "Black"),
        ("Dell", "mouse", "19.00", "Black"),
    ]
    return [
        Product(id=str(i), title=f"{b} {c} {i}", brand=b, category=c, price=Decimal(p), color=col)
        for i, (b, c, p, col) in enumerate(specs)
    ]


FILTERS = [
    SearchFilters(),
    SearchFilters(category="laptop"),
    SearchFilters(brands=["HP", "Dell"]),
    SearchFilters(exclude_brands=["HP"]),
    SearchFilters(price_min=Decimal("300"), price_max=Decimal("650")),
    SearchFilters(price_max=Decimal("15")),
    SearchFilters(color="silver"),
    SearchFilters(color="Light Blue"),
    SearchFilters(category="laptop", exclude_brands=["Dell"], color="Black"),
    SearchFilters(category="cable", brands=["C2G"], price_min=Decimal("1")),
    SearchFilters(category="tv"),
]


@pytest.mark.integration
def test_same_products_pass_as_in_chroma(tmp_path: Path) -> None:
    products = _products()
    index = ChromaVectorIndex(collection="parity", path=tmp_path / "chroma")
    index.upsert(
        [p.id for p in products],
        HashEmbedder().embed([p.title for p in products]),
        [product_metadata(p) for p in products],
    )
    table = MetadataTable([product_metadata(p) for p in products])
    for filters in FILTERS:
        where = build_where(filters)
        mask = table.mask(where)
        ours = {p.id for i, p in enumerate(products) if mask is None or mask[i]}
        chroma = (
            set(index._collection.get(where=where)["ids"]) if where else {p.id for p in products}
        )
        assert ours == chroma, filters


@pytest.mark.integration
def test_missing_keys_behave_as_in_chroma(tmp_path: Path) -> None:
    index = ChromaVectorIndex(collection="missing", path=tmp_path / "chroma")
    ids = [str(i) for i in range(len(ROWS))]
    index.upsert(ids, HashEmbedder().embed(ids), ROWS)
    table = MetadataTable(ROWS)
    for where in (
        {"color_silver": {"$ne": True}},
        {"size": {"$nin": [15]}},
        {"size": {"$lt": 100}},
        {"color_black": True},
    ):
        chroma = sorted(int(i) for i in index._collection.get(where=where)["ids"])
        assert _ids(table.mask(where)) == chroma, where
