"""The hybrid product search as a LangChain retriever.

Each product becomes a :class:`~langchain_core.documents.Document` whose ``page_content`` is
the text the product was indexed from and whose metadata carries the id, title, brand,
category, price, currency and the retrieval score and rank. Hard filters
(:class:`~retrieval.filters.SearchFilters`) pass through to the search; ``k`` and ``filters``
can also be given per call: ``retriever.invoke("usb-c cable", k=3, filters=...)``.
"""

from __future__ import annotations

from typing import Annotated, Any, Protocol, runtime_checkable

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import Field

from retrieval.filters import SearchFilters
from retrieval.index import document_text
from retrieval.search import Candidate, Candidates, SearchQuery


@runtime_checkable
class CandidateSearch(Protocol):
    """Filtered retrieval of ``k`` candidates (:meth:`assistant.shopping.ProductSearch.candidates`
    also enforces the attribute constraints: screen size, memory, cable length, compatibility)."""

    def candidates(self, text: str, filters: SearchFilters, k: int | None = None) -> Candidates: ...


class PlainSearch:
    """A :class:`CandidateSearch` over any ``retrieve(SearchQuery)`` retriever (no attribute check).

    Example:
        >>> PlainSearch(hybrid_retriever).candidates("hdmi cable", SearchFilters(), 3).items[0].rank
        1
    """

    def __init__(self, retriever: Any) -> None:
        if not callable(getattr(retriever, "retrieve", None)):
            raise ValueError("the retriever needs a retrieve(SearchQuery) method")
        self._retriever = retriever

    def candidates(self, text: str, filters: SearchFilters, k: int | None = None) -> Candidates:
        found: Candidates = self._retriever.retrieve(
            SearchQuery(text=text[:2000], filters=filters, k=k or 50)
        )
        return found


def product_document(candidate: Candidate) -> Document:
    """A retrieved product as a LangChain document (price as a float, for JSON and filters)."""
    product = candidate.product
    return Document(
        page_content=document_text(product),
        id=product.id,
        metadata={
            "id": product.id,
            "title": product.title,
            "brand": product.brand,
            "category": product.category,
            "price": float(product.price),
            "currency": product.currency,
            "score": float(candidate.score),
            "rank": candidate.rank,
            "exact_match": candidate.exact_match,
        },
    )


class ProductRetriever(BaseRetriever):
    """LangChain retriever over the store's product search (hybrid dense + BM25 by default).

    Args:
        search: Where candidates come from (``services.langchain_product_retriever()`` wires the
            assistant's search, which also checks attribute constraints).
        k: Documents returned per query.
        filters: Hard filters applied to every query unless a call passes its own.

    Example:
        >>> retriever = services.langchain_product_retriever(k=3)
        >>> docs = retriever.invoke("thin and light laptop",
        ...                         filters=SearchFilters(price_max=Decimal("800")))
        >>> docs[0].metadata["category"], docs[0].metadata["price"] <= 800
        ('laptop', True)
    """

    search: CandidateSearch
    k: Annotated[int, Field(ge=1, le=1000)] = 5
    filters: SearchFilters = Field(default_factory=SearchFilters)

    def _get_relevant_documents(
        self,
        query: str,
        *,
        run_manager: CallbackManagerForRetrieverRun,
        k: int | None = None,
        filters: SearchFilters | None = None,
    ) -> list[Document]:
        wanted = self.k if k is None else k
        if wanted <= 0:
            raise ValueError("k must be positive")
        found = self.search.candidates(query, filters or self.filters, wanted)
        return [product_document(c) for c in found.items[:wanted]]
