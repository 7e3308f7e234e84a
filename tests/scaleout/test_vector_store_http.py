"""The product vector index through a Chroma server (``HttpClient``): the same answers as the
embedded client, writes seen at once by another client, a dead server is a VectorIndexError."""

from __future__ import annotations

import uuid
from decimal import Decimal

import numpy as np
import pytest

from retrieval.catalog.product import Product
from retrieval.errors import VectorIndexError
from retrieval.filters import SearchFilters
from retrieval.vector_store import ChromaVectorIndex, product_metadata
from tests.backends import ChromaServer, free_port

pytestmark = [pytest.mark.integration, pytest.mark.chroma_server]

PRODUCTS = [
    ("1", "HP", "laptop", "650", "Black"),
    ("2", "HP", "laptop", "1200", "Silver"),
    ("3", "Lenovo", "laptop", "700", "Black"),
    ("4", "HP", "toner", "60", "Black"),
]


def _products() -> list[Product]:
    return [
        Product(id=pid, title=f"{b} {c} {pid}", brand=b, category=c, price=Decimal(p), color=col)
        for pid, b, c, p, col in PRODUCTS
    ]


@pytest.fixture
def index(chroma_server: ChromaServer) -> ChromaVectorIndex:
    products = _products()
    idx = ChromaVectorIndex(
        collection=f"t_{uuid.uuid4().hex[:12]}", host=chroma_server.host, port=chroma_server.port
    )
    vectors = np.eye(4, 8, dtype=np.float32)
    idx.upsert([p.id for p in products], vectors, [product_metadata(p) for p in products])
    return idx


def test_filtered_and_unfiltered_queries_over_http(index: ChromaVectorIndex) -> None:
    query = np.ones(8, dtype=np.float32) / np.sqrt(8)
    got = lambda f: {h.product_id for h in index.query(query, 10, f)}  # noqa: E731
    assert got(None) == {"1", "2", "3", "4"}
    assert got(SearchFilters(category="laptop", price_max=Decimal("800"))) == {"1", "3"}
    assert got(SearchFilters(brands=["HP"], color="silver")) == {"2"}
    assert got(SearchFilters(category="laptop", exclude_brands=["HP"])) == {"3"}
    assert got(SearchFilters(category="camera")) == set()
    hits = index.query(np.eye(1, 8, 2, dtype=np.float32)[0], 2, None)
    assert hits[0].product_id == "3" and hits[0].score == pytest.approx(1.0, abs=1e-4)


def test_export_hashes_and_delete_over_http(index: ChromaVectorIndex) -> None:
    ids, vectors, metadatas = index.export()
    assert sorted(ids) == ["1", "2", "3", "4"] and vectors.shape == (4, 8)
    row = ids.index("3")
    assert vectors[row].argmax() == 2 and metadatas[row]["brand"] == "Lenovo"
    hashes = index.content_hashes()
    assert hashes == {p.id: p.content_hash() for p in _products()}
    index.delete(["4"])
    assert index.count() == 3 and "4" not in index.content_hashes()


def test_a_second_client_sees_writes_at_once(
    index: ChromaVectorIndex, chroma_server: ChromaServer
) -> None:
    # Two app processes each hold their own HttpClient on one collection.
    name = index._collection.name
    other = ChromaVectorIndex(collection=name, host=chroma_server.host, port=chroma_server.port)
    assert other.count() == 4
    extra = Product(id="5", title="Dell mouse", brand="DELL", category="mouse", price=Decimal(9))
    other.upsert(["5"], np.eye(1, 8, 5, dtype=np.float32), [product_metadata(extra)])
    hits = index.query(np.eye(1, 8, 5, dtype=np.float32)[0], 1, SearchFilters(category="mouse"))
    assert [h.product_id for h in hits] == ["5"]


def test_unreachable_server_is_a_vector_index_error() -> None:
    with pytest.raises(VectorIndexError, match="could not open"):
        ChromaVectorIndex(collection="products", host="127.0.0.1", port=free_port())


def test_server_going_away_is_a_vector_index_error() -> None:
    # A private server: stopping the session's one would break the other tests.
    with ChromaServer.start() as server:
        idx = ChromaVectorIndex(collection="products", host=server.host, port=server.port)
        assert idx.count() == 0
    query = np.ones(8, dtype=np.float32)
    for call in (idx.count, idx.content_hashes, idx.export, lambda: idx.query(query, 3, None)):
        with pytest.raises(VectorIndexError):
            call()
    with pytest.raises(VectorIndexError):
        idx.upsert(["1"], np.ones((1, 8), dtype=np.float32), [{"brand": "HP"}])
