"""Fixed-answer retrievers and tiny product sets for evaluation tests."""

from __future__ import annotations

from decimal import Decimal

from retrieval.catalog.product import Product
from retrieval.search import Candidate, Candidates, SearchQuery


def product(pid: str, title: str = "", brand: str = "Acme") -> Product:
    return Product(id=pid, title=title or f"Product {pid}", brand=brand, price=Decimal("10"))


class FixedRetriever:
    """Answers every query text with the ranking configured for it (ids in order)."""

    def __init__(self, answers: dict[str, list[str]], brands: dict[str, str] | None = None):
        self.answers = answers
        self.brands = brands or {}
        self.seen: list[SearchQuery] = []

    def retrieve(self, query: SearchQuery) -> Candidates:
        self.seen.append(query)
        ids = self.answers.get(query.text, [])[: query.k]
        items = [
            Candidate(
                product=product(pid, brand=self.brands.get(pid, "Acme")), score=1.0 / r, rank=r
            )
            for r, pid in enumerate(ids, start=1)
        ]
        return Candidates(query=query, items=items)
