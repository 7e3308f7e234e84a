"""Retriever and ranker wrappers that time their calls as the ``retrieve`` and ``rerank`` stages.

:class:`~assistant.service.ShoppingAssistant` wraps what it is given, so neither the search
code nor the ranking code knows about metrics.

Example:
    >>> retriever = TimedRetriever(hybrid_retriever, metrics)
    >>> retriever.retrieve(SearchQuery(text="usb-c cable", k=50)).items[0].product.category
    'cable'
"""

from __future__ import annotations

from typing import Protocol

from assistant.observability.stages import TurnObserver, timed
from ranking.rerank import RankedProducts, Ranker, RankingContext
from retrieval.search import Candidates, SearchQuery


class _Retriever(Protocol):
    def retrieve(self, query: SearchQuery) -> Candidates: ...


class TimedRetriever:
    """A retriever whose ``retrieve`` calls are timed as the ``retrieve`` stage."""

    def __init__(self, retriever: _Retriever, observer: TurnObserver) -> None:
        self._retriever = retriever
        self._observer = observer

    def retrieve(self, query: SearchQuery) -> Candidates:
        with timed(self._observer, "retrieve"):
            return self._retriever.retrieve(query)


class TimedRanker:
    """A ranker whose ``rank`` calls are timed as the ``rerank`` stage."""

    def __init__(self, ranker: Ranker, observer: TurnObserver) -> None:
        self._ranker = ranker
        self._observer = observer

    def rank(self, candidates: Candidates, context: RankingContext, k: int) -> RankedProducts:
        with timed(self._observer, "rerank"):
            return self._ranker.rank(candidates, context, k)
