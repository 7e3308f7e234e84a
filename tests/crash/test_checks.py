"""The crash tests' index checks catch what they claim to (a garbled vector, a lost graph)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from db.products import ProductRepository
from db.session import create_db_engine, make_session_factory, migrate
from retrieval.catalog.product import Product
from retrieval.index import document_text
from retrieval.vector_store import ChromaVectorIndex
from tests.crash.checks import garbled_vectors, reachability_problems
from tests.retrieval.fakes import HashEmbedder

pytestmark = pytest.mark.integration


def _store(tmp_path: Path, products: list[Product]) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    migrate(engine)
    ProductRepository(make_session_factory(engine)).upsert_many(products)
    engine.dispose()


def test_garbled_vectors_names_exactly_the_vector_that_is_not_its_texts_embedding(
    tmp_path: Path,
) -> None:
    products = [Product(id=f"p{i}", title=f"Product {i}", brand="Acme", category="cable",
                        price=Decimal("9.99")) for i in range(5)]  # fmt: skip
    _store(tmp_path, products)
    embedder = HashEmbedder()
    vectors = embedder.embed([document_text(p) for p in products])
    vectors[3] = embedder.embed(["some other text"])[0]
    index = ChromaVectorIndex(collection="products", path=tmp_path / "chroma")
    index.upsert([p.id for p in products], vectors, [{"category": "cable"}] * len(products))

    assert [line.split(" (")[0] for line in garbled_vectors(tmp_path, index, embedder)] == [
        "garbled vector: p3"
    ]


def test_reachability_tolerates_one_percent_of_lost_products_and_no_more() -> None:
    class Graph:
        """An index whose graph answers ``lost`` products' own vectors with other products."""

        def __init__(self, n: int, lost: int) -> None:
            self.ids = [f"p{i}" for i in range(n)]
            self.vectors = np.eye(n, dtype=np.float32)
            self.lost = set(self.ids[:lost])

        def export(self) -> tuple[list[str], np.ndarray, list[dict[str, str]]]:
            return self.ids, self.vectors, [{} for _ in self.ids]

        def query(self, vector: np.ndarray, k: int, filters: object) -> list[object]:
            own = self.ids[int(np.argmax(vector))]
            found = [pid for pid in self.ids if pid not in self.lost][:k]
            if own not in self.lost:
                found = [own, *found[: k - 1]]
            return [type("Hit", (), {"product_id": pid})() for pid in found]

    assert reachability_problems(Graph(200, lost=2)) == []  # type: ignore[arg-type]
    assert reachability_problems(Graph(200, lost=3)) != []  # type: ignore[arg-type]
