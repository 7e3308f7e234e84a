"""Build and reconcile the vector index from the SQL catalog (the source of truth)."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence
from typing import Protocol

from pydantic import BaseModel
from tqdm import tqdm

from retrieval.catalog.product import Product
from retrieval.catalog.taxonomy import category_label
from retrieval.embedder import Embedder
from retrieval.lexical_build import LexicalBuildReport
from retrieval.vector_store import VectorIndex, product_metadata

log = logging.getLogger(__name__)


class ProductSource(Protocol):
    """Where the index reads products from (the products table)."""

    def content_hashes(self) -> dict[str, str]: ...

    def get_many(self, ids: Sequence[str]) -> dict[str, Product]: ...


class IndexReport(BaseModel):
    """What one index run did (``seconds`` is the vector index; ``lexical`` the BM25 index)."""

    total: int
    embedded: int
    unchanged: int
    deleted: int
    seconds: float
    lexical: LexicalBuildReport | None = None

    @property
    def total_seconds(self) -> float:
        return self.seconds + (self.lexical.seconds if self.lexical else 0.0)

    @property
    def products_per_second(self) -> float:
        return self.embedded / self.seconds if self.seconds > 0 else 0.0


def document_text(product: Product) -> str:
    """The text a product is embedded from: title, brand, category and description."""
    parts = [product.title]
    if product.brand and product.brand.lower() not in product.title.lower():
        parts.append(product.brand)
    if product.category != "other":
        parts.append(category_label(product.category))
    if product.description:
        parts.append(product.description)
    return ". ".join(parts)


class IndexBuilder:
    """Brings the vector index in line with the products table.

    Idempotent: a product whose content hash is already in the index is skipped,
    changed products are re-embedded and upserted, products gone from the table are
    deleted from the index.

    Example:
        >>> report = IndexBuilder(embedder, index, repository).build()
        >>> report.embedded, report.unchanged
        (19406, 0)
    """

    def __init__(
        self,
        embedder: Embedder,
        index: VectorIndex,
        source: ProductSource,
        *,
        chunk_size: int = 512,
        show_progress: bool = True,
    ) -> None:
        if chunk_size <= 0:
            raise ValueError("chunk_size must be positive")
        self._embedder = embedder
        self._index = index
        self._source = source
        self._chunk_size = chunk_size
        self._show_progress = show_progress

    def pending(self) -> tuple[list[str], list[str]]:
        """Ids to (re-)embed and ids to delete, without changing anything."""
        wanted = self._source.content_hashes()
        present = self._index.content_hashes()
        stale = sorted(pid for pid, h in wanted.items() if present.get(pid) != h)
        removed = sorted(pid for pid in present if pid not in wanted)
        return stale, removed

    def build(self) -> IndexReport:
        started = time.perf_counter()
        stale, removed = self.pending()
        total = len(self._source.content_hashes())
        self._index.delete(removed)
        with tqdm(
            total=len(stale),
            desc="Indexing products",
            unit="product",
            disable=not self._show_progress or not stale,
        ) as bar:
            for chunk in _chunks(stale, self._chunk_size):
                self._embed_and_store(chunk, bar.update)
        seconds = time.perf_counter() - started
        report = IndexReport(
            total=total,
            embedded=len(stale),
            unchanged=total - len(stale),
            deleted=len(removed),
            seconds=seconds,
        )
        log.info("index built %s", report.model_dump())
        return report

    def _embed_and_store(self, ids: list[str], progress: object) -> None:
        products = self._source.get_many(ids)
        batch = [products[pid] for pid in ids if pid in products]
        vectors = self._embedder.embed(
            [document_text(p) for p in batch],
            progress=progress if callable(progress) else None,
        )
        self._index.upsert([p.id for p in batch], vectors, [product_metadata(p) for p in batch])


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
