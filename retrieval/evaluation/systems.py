"""The retrieval systems the evaluation compares, each as one ``Retriever``.

``bm25``, ``dense`` and ``hybrid`` are the services' own retrievers; ``full`` is the hybrid
followed by the production ranker (what the shopper is shown); ``*-ft`` are the same with the
fine-tuned encoder and its own vector index; ``bm25-plain`` is the untuned bm25s baseline
used for pooling.

Example:
    >>> systems = build_systems(services, ["bm25", "dense", "full"], ranker=ranker)
    >>> systems["full"].retriever.retrieve(SearchQuery(text="usb hub", k=10)).items[0].rank
    1
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol

from ranking.rerank import Ranker, RankingContext
from retrieval.catalog.product import Product
from retrieval.evaluation.errors import SystemUnavailableError
from retrieval.evaluation.pooling import PlainBM25Retriever
from retrieval.evaluation.runner import Retriever
from retrieval.search import Candidates, SearchQuery

BASE_SYSTEMS = ("bm25", "dense", "hybrid", "full")
FINETUNED_SYSTEMS = ("dense-ft", "hybrid-ft", "full-ft")
ALL_SYSTEMS = (*BASE_SYSTEMS, *FINETUNED_SYSTEMS, "bm25-plain")


class ProductTable(Protocol):
    def iter_all(self, batch_size: int = 1000) -> Iterator[Product]: ...


class RetrievalServices(Protocol):
    """What the systems are built from (``assistant.wiring.Services`` fits)."""

    @property
    def dense_retriever(self) -> Retriever: ...

    @property
    def lexical_retriever(self) -> Retriever: ...

    @property
    def retriever(self) -> Retriever: ...

    @property
    def products(self) -> ProductTable: ...


class RerankedRetriever:
    """A retriever followed by a ranker, seen as one retriever (the full pipeline).

    The ranker sees ``depth`` candidates (at least the query's ``k``) and returns ``k``.

    Example:
        >>> full = RerankedRetriever(hybrid, DiversifiedRanker(max_per_brand=3), depth=100)
        >>> len(full.retrieve(SearchQuery(text="toner", k=50)).items)
        50
    """

    def __init__(self, retriever: Retriever, ranker: Ranker, *, depth: int = 100) -> None:
        if depth <= 0:
            raise ValueError("depth must be positive")
        self._retriever = retriever
        self._ranker = ranker
        self.depth = depth

    def retrieve(self, query: SearchQuery) -> Candidates:
        wide = query.model_copy(update={"k": max(query.k, self.depth)})
        candidates = self._retriever.retrieve(wide)
        ranked = self._ranker.rank(candidates, RankingContext(), query.k)
        items = [c.model_copy(update={"rank": i}) for i, c in enumerate(ranked.items, start=1)]
        return Candidates(query=query, items=items)


@dataclass(frozen=True)
class System:
    """A named retriever with a one-line description for the report."""

    name: str
    retriever: Retriever
    description: str


def build_systems(
    services: RetrievalServices,
    names: Sequence[str],
    *,
    ranker: Ranker,
    finetuned: RetrievalServices | None = None,
    depth: int = 100,
) -> dict[str, System]:
    """The named systems, in the given order.

    Raises:
        SystemUnavailableError: A name is unknown, or a ``*-ft`` system is asked for
            without fine-tuned services.
    """
    systems: dict[str, System] = {}
    for name in names:
        base = name.removesuffix("-ft")
        source = services
        if name.endswith("-ft"):
            if finetuned is None:
                raise SystemUnavailableError(f"{name} needs a fine-tuned model (--model)")
            source = finetuned
        systems[name] = _build_one(name, base, source, ranker, depth)
    return systems


def _build_one(
    name: str, base: str, source: RetrievalServices, ranker: Ranker, depth: int
) -> System:
    suffix = " (fine-tuned encoder)" if name.endswith("-ft") else ""
    if base == "bm25":
        return System(name, source.lexical_retriever, "BM25 with the product tokenizer")
    if base == "bm25-plain":
        retriever = PlainBM25Retriever(list(source.products.iter_all()))
        return System(name, retriever, "plain bm25s baseline (pooling only)")
    if base == "dense":
        return System(name, source.dense_retriever, "dense MiniLM + Chroma" + suffix)
    if base == "hybrid":
        return System(name, source.retriever, "RRF of dense and BM25" + suffix)
    if base == "full":
        full = RerankedRetriever(source.retriever, ranker, depth=depth)
        return System(name, full, "hybrid + production ranker" + suffix)
    raise SystemUnavailableError(f"unknown system {name!r}; choose from {', '.join(ALL_SYSTEMS)}")
