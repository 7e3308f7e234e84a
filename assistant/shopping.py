"""Product search for a dialogue state: retrieve, apply attribute constraints, rank.

Category, brands, price and colour are filtered inside retrieval (the vector store's where
clause). Screen size, memory, cable length and compatibility are checked on the retrieved
candidates (:func:`assistant.product_facts.satisfies`), so when such a constraint is active
the candidate pool is widened (``widen`` times ``candidates_k``, at most 1,000) to leave
enough products after the check.
"""

from __future__ import annotations

from typing import Protocol

from assistant.product_facts import has_attribute_filters, satisfies
from ranking.rerank import RankedProducts, Ranker, RankingContext
from retrieval.filters import SearchFilters
from retrieval.search import Candidates, SearchQuery

_MAX_POOL = 1000


class Retriever(Protocol):
    def retrieve(self, query: SearchQuery) -> Candidates: ...


class ProductSearch:
    """Runs one filtered search and returns the ranked page.

    Example:
        >>> search = ProductSearch(retriever, DiversifiedRanker(), candidates_k=50)
        >>> search.run("hdmi cable", SearchFilters(cable_length_m_min=2.7), k=5).items[0]
    """

    def __init__(
        self, retriever: Retriever, ranker: Ranker, *, candidates_k: int = 50, widen: int = 8
    ) -> None:
        if candidates_k <= 0 or widen <= 0:
            raise ValueError("candidates_k and widen must be positive")
        self._retriever = retriever
        self._ranker = ranker
        self.candidates_k = candidates_k
        self.widen = widen

    def candidates(self, text: str, filters: SearchFilters, k: int | None = None) -> Candidates:
        """Retrieved candidates that also meet the attribute constraints, re-numbered."""
        wanted = max(k or 0, self.candidates_k)
        constrained = has_attribute_filters(filters)
        pool = min(_MAX_POOL, wanted * self.widen) if constrained else min(_MAX_POOL, wanted)
        found = self._retriever.retrieve(SearchQuery(text=text[:2000], filters=filters, k=pool))
        if not constrained:
            return found
        kept = [c for c in found.items if satisfies(c.product, filters)]
        items = [
            c.model_copy(update={"rank": rank}) for rank, c in enumerate(kept[:wanted], start=1)
        ]
        return Candidates(query=found.query, items=items)

    def top(self, text: str, filters: SearchFilters, k: int) -> RankedProducts:
        """The best ``k`` products, no session (the stateless search API)."""
        return self._ranker.rank(self.candidates(text, filters, k), RankingContext(), k)

    def run(
        self,
        text: str,
        filters: SearchFilters,
        k: int,
        offset: int = 0,
        session_id: str | None = None,
    ) -> RankedProducts:
        """The ``k`` products at ``offset`` for ``text`` under ``filters``."""
        context = RankingContext(session_id=session_id, offset=offset)
        return self._ranker.rank(self.candidates(text, filters), context, k)
