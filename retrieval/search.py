"""Dense product search: embed the query, filtered nearest neighbours, hydrate from SQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Protocol

from pydantic import BaseModel, ConfigDict, Field

from retrieval.catalog.product import Product
from retrieval.embedder import Embedder
from retrieval.filters import SearchFilters
from retrieval.vector_store import VectorHit, VectorIndex


class ProductLookup(Protocol):
    """Fetches full products by id (the products table)."""

    def get_many(self, ids: Sequence[str]) -> dict[str, Product]: ...


class SearchQuery(BaseModel):
    """A retrieval request: free text plus hard filters."""

    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, Field(max_length=2000)]
    filters: SearchFilters = Field(default_factory=SearchFilters)
    k: Annotated[int, Field(ge=1, le=1000)] = 50


class RetrievalSignal(BaseModel):
    """What one retriever said about a candidate: its own score and 1-based rank."""

    model_config = ConfigDict(frozen=True)

    score: float
    rank: int


class Candidate(BaseModel):
    """A retrieved product with its retrieval score and rank (1-based).

    ``signals`` keeps each retriever's own score and rank (``"dense"``, ``"lexical"``) for
    ranking features; ``exact_match`` marks a product whose part number or EAN was queried.
    """

    model_config = ConfigDict(frozen=True)

    product: Product
    score: float
    rank: int
    signals: dict[str, RetrievalSignal] = Field(default_factory=dict)
    exact_match: bool = False


class Candidates(BaseModel):
    """The ordered candidates of one query."""

    query: SearchQuery
    items: list[Candidate]


class DenseRetriever:
    """Embeds the query with the product encoder and searches the vector index.

    Example:
        >>> retriever = DenseRetriever(embedder, index, repository)
        >>> retriever.retrieve(SearchQuery(text="usb-c cable", k=10)).items[0].product.category
        'cable'
    """

    def __init__(self, embedder: Embedder, index: VectorIndex, products: ProductLookup) -> None:
        self._embedder = embedder
        self._index = index
        self._products = products

    def hits(self, query: SearchQuery) -> list[VectorHit]:
        """The nearest products by id and cosine similarity, not yet hydrated."""
        text = query.text.strip() or "popular products"
        vector = self._embedder.embed([text])[0]
        return self._index.query(vector, query.k, query.filters)

    def retrieve(self, query: SearchQuery) -> Candidates:
        hits = self.hits(query)
        return hydrate(query, [(h.product_id, h.score) for h in hits], self._products, "dense")


def hydrate(
    query: SearchQuery,
    scored_ids: Sequence[tuple[str, float]],
    products: ProductLookup,
    signal: str,
    exact_ids: frozenset[str] = frozenset(),
) -> Candidates:
    """Turn ranked ``(product_id, score)`` pairs into candidates, reading products from SQL.

    The SQL catalog is the source of truth: a hit whose product is gone is dropped.
    """
    found = products.get_many([pid for pid, _ in scored_ids])
    live = [(pid, score) for pid, score in scored_ids if pid in found]
    items = [
        Candidate(
            product=found[pid],
            score=score,
            rank=rank,
            signals={signal: RetrievalSignal(score=score, rank=rank)},
            exact_match=pid in exact_ids,
        )
        for rank, (pid, score) in enumerate(live, start=1)
    ]
    return Candidates(query=query, items=items)
