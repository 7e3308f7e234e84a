"""Hybrid retrieval: dense (Chroma) and lexical (BM25) candidates fused by reciprocal rank.

Both retrievers get the query's filters. The query is analysed once: typo corrections go to
both (the dense encoder splits "labtop" into unrelated word pieces), synonyms only to BM25.
Products whose part number or EAN is in the query come first; the rest are ordered by
weighted reciprocal-rank fusion, ``sum_r w_r / (rrf_k + rank_r)``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from retrieval.lexical import LexicalRetriever
from retrieval.search import Candidate, Candidates, ProductLookup, RetrievalSignal, SearchQuery
from retrieval.vector_store import VectorHit


class ScoredHit(Protocol):
    """A retriever's hit: a product id and that retriever's score."""

    @property
    def product_id(self) -> str: ...

    @property
    def score(self) -> float: ...


class DenseSearcher(Protocol):
    """Dense nearest neighbours by product id (:meth:`retrieval.search.DenseRetriever.hits`)."""

    def hits(self, query: SearchQuery) -> list[VectorHit]: ...


def reciprocal_rank_fusion(
    rankings: Mapping[str, Sequence[str]],
    *,
    rrf_k: float = 60.0,
    weights: Mapping[str, float] | None = None,
) -> list[tuple[str, float]]:
    """Fuse ranked id lists: each id scores ``sum_r weight_r / (rrf_k + rank_r)`` (1-based).

    Ties keep the order in which ids were first seen (rankings in the given order).

    Example:
        >>> reciprocal_rank_fusion({"dense": ["a", "b"], "lexical": ["b", "c"]}, rrf_k=60)
        [('b', 0.0325...), ('a', 0.0163...), ('c', 0.0161...)]
    """
    if rrf_k < 0:
        raise ValueError("rrf_k must not be negative")
    fused: dict[str, float] = {}
    for name, ids in rankings.items():
        weight = 1.0 if weights is None else weights.get(name, 1.0)
        for rank, item in enumerate(dict.fromkeys(ids), start=1):
            fused[item] = fused.get(item, 0.0) + weight / (rrf_k + rank)
    return sorted(fused.items(), key=lambda pair: -pair[1])


class HybridRetriever:
    """Dense + lexical retrieval with reciprocal-rank fusion.

    Args:
        dense: The dense retriever (only its id-level :meth:`hits` is used).
        lexical: The lexical retriever.
        products: Where the fused top ``k`` is hydrated from.
        rrf_k: The fusion constant (larger flattens the rank discount).
        dense_weight: Weight of the dense ranking in the fusion.
        lexical_weight: Weight of the lexical ranking in the fusion.
        depth: Candidates taken from each retriever (at least the query's ``k``).

    Example:
        >>> retriever = HybridRetriever(dense_retriever, lexical_retriever, repository)
        >>> [c.product.category for c in retriever.retrieve(SearchQuery(text="labtop", k=3)).items]
        ['laptop', 'laptop', 'laptop']
    """

    def __init__(
        self,
        dense: DenseSearcher,
        lexical: LexicalRetriever,
        products: ProductLookup,
        *,
        rrf_k: float = 60.0,
        dense_weight: float = 1.0,
        lexical_weight: float = 1.0,
        depth: int = 100,
    ) -> None:
        if rrf_k < 0:
            raise ValueError("rrf_k must not be negative")
        if dense_weight < 0 or lexical_weight < 0 or dense_weight + lexical_weight == 0:
            raise ValueError("fusion weights must be non-negative and not both zero")
        if depth <= 0:
            raise ValueError("depth must be positive")
        self._dense = dense
        self._lexical = lexical
        self._products = products
        self.rrf_k = rrf_k
        self.weights = {"dense": dense_weight, "lexical": lexical_weight}
        self.depth = depth

    def retrieve(self, query: SearchQuery) -> Candidates:
        depth = max(query.k, self.depth)
        terms = self._lexical.analyze(query.text)
        lexical_hits = self._lexical.search(query.model_copy(update={"k": depth}), terms)
        dense_query = query.model_copy(update={"text": terms.corrected_text, "k": depth})
        dense_hits = self._dense.hits(dense_query) if self.weights["dense"] > 0 else []
        fused = reciprocal_rank_fusion(
            {"dense": [h.product_id for h in dense_hits],
             "lexical": [h.product_id for h in lexical_hits]},
            rrf_k=self.rrf_k,
            weights=self.weights,
        )  # fmt: skip
        exact = [h.product_id for h in lexical_hits if h.exact]
        exact_set = set(exact)
        scores = dict(fused)
        order = exact + [pid for pid, _ in fused if pid not in exact_set]
        chosen = order[: query.k]
        products = self._products.get_many(chosen)
        signals = _signals({"dense": dense_hits, "lexical": lexical_hits}, set(chosen))
        # Everything below is built from validated parts: skip re-validation (hundreds per query).
        items = [
            Candidate.model_construct(
                product=products[pid],
                score=scores[pid],
                rank=rank,
                signals=signals.get(pid, {}),
                exact_match=pid in exact_set,
            )
            for rank, pid in enumerate((p for p in chosen if p in products), start=1)
        ]
        return Candidates(query=query, items=items)


def _signals(
    hits: Mapping[str, Sequence[ScoredHit]], wanted: set[str]
) -> dict[str, dict[str, RetrievalSignal]]:
    """Each retriever's score and rank for the ``wanted`` products."""
    by_product: dict[str, dict[str, RetrievalSignal]] = {}
    for name, ranked in hits.items():
        for rank, hit in enumerate(ranked, start=1):
            if hit.product_id in wanted:
                signal = RetrievalSignal.model_construct(score=float(hit.score), rank=rank)
                by_product.setdefault(hit.product_id, {})[name] = signal
    return by_product
