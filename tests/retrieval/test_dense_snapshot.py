from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from retrieval.catalog.product import Product
from retrieval.dense_snapshot import SnapshotVectorIndex
from retrieval.filters import SearchFilters
from retrieval.vector_store import ChromaVectorIndex, product_metadata
from tests.retrieval.fakes import HashEmbedder

pytestmark = pytest.mark.integration

BRANDS = ("HP", "Dell", "Lenovo", "C2G", "StarTech.com")
CATEGORIES = ("laptop", "cable", "monitor", "mouse")
COLORS = ("Black", "Silver", "Black,Silver", "White", "")


def _products(n: int) -> list[Product]:
    rng = np.random.default_rng(3)
    return [
        Product(
            id=str(i),
            title=f"product {i}",
            brand=BRANDS[int(rng.integers(len(BRANDS)))],
            category=CATEGORIES[int(rng.integers(len(CATEGORIES)))],
            price=Decimal(str(round(float(rng.uniform(1, 1000)), 2))),
            color=COLORS[int(rng.integers(len(COLORS)))],
        )
        for i in range(n)
    ]


@pytest.fixture
def chroma(tmp_path: Path) -> ChromaVectorIndex:
    products = _products(300)
    index = ChromaVectorIndex(collection="snapshot", path=tmp_path / "chroma")
    index.upsert(
        [p.id for p in products],
        HashEmbedder().embed([p.title for p in products]),
        [product_metadata(p) for p in products],
    )
    return index


FILTERS = [
    SearchFilters(category="laptop"),
    SearchFilters(brands=["HP", "Dell"], price_max=Decimal("500")),
    SearchFilters(exclude_brands=["HP"], price_min=Decimal("100"), price_max=Decimal("400")),
    SearchFilters(color="silver"),
    SearchFilters(category="cable", brands=["C2G"], color="black"),
    SearchFilters(category="tv"),
]


def test_filtered_queries_match_chroma(chroma: ChromaVectorIndex) -> None:
    snapshot = SnapshotVectorIndex(chroma)
    assert snapshot.warm_up() == 300
    queries = HashEmbedder().embed([f"query {i}" for i in range(5)])
    for filters in FILTERS:
        for vector in queries:
            ours = snapshot.query(vector, 20, filters)
            theirs = chroma.query(vector, 20, filters)
            assert [h.product_id for h in ours] == [h.product_id for h in theirs], filters
            assert [h.score for h in ours] == pytest.approx([h.score for h in theirs], abs=1e-4)


def test_unfiltered_queries_and_writes_go_to_chroma(chroma: ChromaVectorIndex) -> None:
    snapshot = SnapshotVectorIndex(chroma)
    vector = HashEmbedder().embed(["anything"])[0]
    assert snapshot.query(vector, 5, SearchFilters()) == chroma.query(vector, 5, None)
    assert snapshot.count() == 300 and snapshot.content_hashes() == chroma.content_hashes()
    laptops = SearchFilters(category="laptop")
    before = snapshot.query(vector, 300, laptops)
    extra = Product(id="new", title="new laptop", category="laptop", price=Decimal("1"))
    snapshot.upsert(["new"], vector.reshape(1, -1), [product_metadata(extra)])
    after = snapshot.query(vector, 300, laptops)
    assert after[0].product_id == "new" and len(after) == len(before) + 1
    snapshot.delete(["new"])
    assert "new" not in {h.product_id for h in snapshot.query(vector, 300, laptops)}
    with pytest.raises(ValueError):
        snapshot.query(vector, 0, laptops)
