from decimal import Decimal
from pathlib import Path

import pytest

from retrieval.catalog.product import Product
from retrieval.index import IndexBuilder, document_text
from retrieval.vector_store import ChromaVectorIndex
from tests.retrieval.fakes import HashEmbedder

pytestmark = pytest.mark.unit


class MemorySource:
    def __init__(self, products: list[Product]) -> None:
        self.products = {p.id: p for p in products}

    def content_hashes(self) -> dict[str, str]:
        return {pid: p.content_hash() for pid, p in self.products.items()}

    def get_many(self, ids):  # type: ignore[no-untyped-def]
        return {i: self.products[i] for i in ids if i in self.products}


def _p(pid: str, price: str = "10") -> Product:
    return Product(
        id=pid, title=f"Cable {pid}", brand="C2G", category="cable", price=Decimal(price)
    )


def test_build_is_idempotent_and_incremental(tmp_path: Path) -> None:
    source = MemorySource([_p(str(i)) for i in range(30)])
    index = ChromaVectorIndex(collection="products", path=tmp_path / "chroma")
    embedder = HashEmbedder()
    builder = IndexBuilder(embedder, index, source, chunk_size=8, show_progress=False)

    first = builder.build()
    assert (first.embedded, first.unchanged, first.deleted) == (30, 0, 0)
    assert index.count() == 30

    second = builder.build()
    assert (second.embedded, second.unchanged) == (0, 30)

    source.products["3"] = _p("3", price="11")  # changed
    del source.products["4"]  # removed
    third = builder.build()
    assert (third.embedded, third.unchanged, third.deleted) == (1, 28, 1)
    assert index.count() == 29
    assert index.content_hashes()["3"] == source.products["3"].content_hash()


def test_document_text_adds_brand_and_category_once() -> None:
    p = Product(
        id="1",
        title="HP 85 Original",
        brand="HP",
        category="ink",
        price=Decimal("5"),
        description="Light magenta ink",
    )
    text = document_text(p)
    assert text.count("HP") == 1 and "Ink" in text and "Light magenta ink" in text
