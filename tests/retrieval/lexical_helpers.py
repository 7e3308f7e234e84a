"""Shared helpers for the lexical and hybrid tests: an in-memory products table."""

from __future__ import annotations

from collections.abc import Sequence

from retrieval.catalog.product import Product


class MemoryProducts:
    """The products table's read side (``content_hashes``, ``get_many``) over a dict."""

    def __init__(self, products: Sequence[Product]) -> None:
        self.products = {p.id: p for p in products}
        self.get_many_calls = 0

    def content_hashes(self) -> dict[str, str]:
        return {pid: p.content_hash() for pid, p in self.products.items()}

    def get_many(self, ids: Sequence[str]) -> dict[str, Product]:
        self.get_many_calls += 1
        return {i: self.products[i] for i in ids if i in self.products}
