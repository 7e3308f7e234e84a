"""Build the lexical index from the products table and keep it in line with it.

The products table is the source of truth. The persisted index records the content hash of
every product it was built from; when the table's hashes (or the tokenizer) differ, the whole
index is rebuilt, since BM25 statistics (document frequencies, average length) are global.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np
from pydantic import BaseModel

from retrieval.catalog.product import Product
from retrieval.catalog.taxonomy import category_label
from retrieval.identifiers import build_key_table, product_keys
from retrieval.lexical_index import LexicalIndex, LexicalManifest, read_manifest
from retrieval.tokenizer import ProductTokenizer
from retrieval.vector_store import product_metadata

if TYPE_CHECKING:
    import bm25s  # imported where used: it pulls in scipy, slow for SQL-only commands

log = logging.getLogger(__name__)

# Textual attributes worth matching words against (codes, compatibility, connectors, kinds).
LEXICAL_ATTRIBUTES: tuple[str, ...] = (
    "part_number", "oem_code", "ean", "product_colour", "cable_colour", "printing_colours",
    "type", "product_type", "compatibility", "brand_compatibility", "connector_1", "connector_2",
    "form_factor", "print_technology", "processor_family", "processor_model", "cable_type",
    "cable_standard", "ink_type", "internal_memory_type", "product_family", "material",
)  # fmt: skip
# Numeric attributes whose Icecat unit is fixed, indexed as measurements ("15.6in", "16gb").
UNIT_ATTRIBUTES: dict[str, str] = {
    "display_diagonal": "in",
    "internal_memory": "gb",
    "cable_length": "m",
}


class ProductSource(Protocol):
    """Where the lexical index reads products from (the products table)."""

    def content_hashes(self) -> dict[str, str]: ...

    def get_many(self, ids: Sequence[str]) -> dict[str, Product]: ...


class LexicalBuildReport(BaseModel):
    """What one lexical index run did."""

    documents: int
    rebuilt: bool
    vocabulary: int | None = None
    seconds: float


def lexical_text(product: Product) -> str:
    """The text a product is found by: title, brand, category, description, key attributes."""
    parts = [product.title, product.brand, category_label(product.category), product.description]
    for name in LEXICAL_ATTRIBUTES:
        value = product.attributes.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool):
            parts.append(str(value))
    for name, unit in UNIT_ATTRIBUTES.items():
        value = product.attributes.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
            parts.append(f"{value:g} {unit}")
    return " \n ".join(p for p in parts if p)


def build_lexical_index(
    products: Sequence[Product],
    tokenizer: ProductTokenizer,
    content_hashes: Mapping[str, str] | None = None,
    *,
    k1: float = 1.2,
    b: float = 0.75,
) -> LexicalIndex:
    """A fresh in-memory index over ``products``, in the given order.

    Args:
        products: The documents, in document order.
        tokenizer: Turns each product's :func:`lexical_text` into terms.
        content_hashes: Known content hashes by product id (computed when missing).
        k1: BM25 term-frequency saturation.
        b: BM25 length normalisation.
    """
    import bm25s

    hashes = content_hashes or {}
    corpus = [tokenizer.tokenize(lexical_text(p)) for p in products]
    bm25 = bm25s.BM25(k1=k1, b=b, method="lucene")
    if corpus:
        bm25.index(corpus, show_progress=False)
    else:
        _make_empty(bm25)
    manifest = LexicalManifest(
        tokenizer=tokenizer.signature,
        product_ids=[p.id for p in products],
        content_hashes=[hashes.get(p.id) or p.content_hash() for p in products],
    )
    keys = build_key_table((doc, product_keys(p)) for doc, p in enumerate(products))
    # The content hash is kept in the manifest; the metadata rows only serve filtering.
    metadata = [
        {k: v for k, v in product_metadata(p).items() if k != "content_hash"} for p in products
    ]
    index = LexicalIndex(bm25, manifest, metadata, keys)
    index.keys = {k: docs for k, docs in keys.items() if _names_one_product(index, k, docs)}
    return index


def _make_empty(bm25: bm25s.BM25) -> None:
    """An index of no documents (bm25s cannot index an empty corpus)."""
    bm25.scores = {
        "data": np.zeros(0, dtype=np.float32),
        "indices": np.zeros(0, dtype=np.int32),
        "indptr": np.zeros(1, dtype=np.int32),
        "num_docs": 0,
    }
    bm25.vocab_dict = {}
    bm25.nonoccurrence_array = None


def _names_one_product(index: LexicalIndex, key: str, docs: list[int]) -> bool:
    """False for a code that many other products mention (a printer model their ink fits)."""
    return index.document_frequency(key) <= max(20, 3 * len(docs))


class LexicalIndexBuilder:
    """Brings the persisted lexical index in line with the products table.

    Example:
        >>> report = LexicalIndexBuilder(repository, Path("var/lexical")).build()
        >>> report.documents, report.rebuilt
        (19406, True)
    """

    def __init__(
        self,
        source: ProductSource,
        path: Path,
        tokenizer: ProductTokenizer | None = None,
        *,
        chunk_size: int = 2000,
    ) -> None:
        if chunk_size <= 0:
            raise ValueError("chunk_size must be positive")
        self._source = source
        self._path = path
        self._tokenizer = tokenizer or ProductTokenizer()
        self._chunk_size = chunk_size

    def is_current(self, wanted: dict[str, str] | None = None) -> bool:
        """Whether the index on disk was built from exactly the products in the table."""
        manifest = read_manifest(self._path)
        if manifest is None or manifest.tokenizer != self._tokenizer.signature:
            return False
        return manifest.hashes() == (wanted if wanted is not None else self._hashes())

    def build(self, force: bool = False) -> LexicalBuildReport:
        """Rebuild and save the index if the table changed (or ``force``); else leave it."""
        started = time.perf_counter()
        wanted = self._hashes()
        if not force and self.is_current(wanted):
            manifest = read_manifest(self._path)
            assert manifest is not None
            return LexicalBuildReport(
                documents=len(manifest.product_ids),
                rebuilt=False,
                seconds=time.perf_counter() - started,
            )
        index = build_lexical_index(self._products(sorted(wanted)), self._tokenizer, wanted)
        index.save(self._path)
        report = LexicalBuildReport(
            documents=index.size,
            rebuilt=True,
            vocabulary=len(index.terms()),
            seconds=time.perf_counter() - started,
        )
        log.info("lexical index built %s", report.model_dump())
        return report

    def load(self) -> LexicalIndex:
        """The index on disk, built first if it is missing or stale."""
        if not self.is_current():
            self.build()
        return LexicalIndex.load(self._path)

    def _hashes(self) -> dict[str, str]:
        return self._source.content_hashes()

    def _products(self, ids: list[str]) -> list[Product]:
        products: list[Product] = []
        for start in range(0, len(ids), self._chunk_size):
            chunk = ids[start : start + self._chunk_size]
            found = self._source.get_many(chunk)
            products.extend(found[i] for i in chunk if i in found)
        return products
