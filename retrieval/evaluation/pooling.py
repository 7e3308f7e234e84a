"""Candidate pooling for judging: simple baseline retrievers and the union of their top lists.

These retrievers exist to build the judging pool (and as a fallback BM25 when no lexical
index is available); the production lexical search lives in ``retrieval/lexical*.py``.

Example:
    >>> systems = {"bm25": PlainBM25Retriever(products), "title": TitleMatchRetriever(products)}
    >>> pool = pool_candidates(systems, {"q001": "hdmi cable 10 ft"}, depth=20)
    >>> pool["q001"]["2103305"]  # which systems had this product in their top 20
    ['bm25', 'title', 'rrf']
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from retrieval.catalog.product import Product
from retrieval.evaluation.runner import Retriever
from retrieval.index import document_text
from retrieval.search import Candidate, Candidates, SearchQuery

_WORD = re.compile(r"\w+")
_STOP = frozenset("a an and for in of on or the to with under over my i me need".split())


def _words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOP]


class PlainBM25Retriever:
    """BM25 (bm25s, Lucene variant, k1=1.5, b=0.75) over the indexed product text.

    Tokens are lower-cased words of two or more characters with English stop words removed;
    no stemming, no part-number handling: a deliberately plain baseline.
    """

    def __init__(self, products: Sequence[Product]) -> None:
        if not products:
            raise ValueError("need at least one product")
        import bm25s

        self._bm25s = bm25s
        self._products = list(products)
        corpus = bm25s.tokenize(
            [document_text(p) for p in self._products], return_ids=False, show_progress=False
        )
        self._index = bm25s.BM25()
        self._index.index(corpus, show_progress=False)
        self._vocabulary = set(self._index.vocab_dict)

    def retrieve(self, query: SearchQuery) -> Candidates:
        tokens = self._bm25s.tokenize([query.text], return_ids=False, show_progress=False)[0]
        known = [t for t in tokens if t in self._vocabulary]
        if not known:
            return Candidates(query=query, items=[])
        k = min(query.k, len(self._products))
        ids, scores = self._index.retrieve([known], k=k, show_progress=False)
        items = [
            Candidate(product=self._products[int(i)], score=float(s), rank=rank)
            for rank, (i, s) in enumerate(zip(ids[0], scores[0], strict=True), start=1)
            if s > 0
        ]
        return Candidates(query=query, items=items)


class TitleMatchRetriever:
    """Products whose title contains the most query words; ties go to the shorter title."""

    def __init__(self, products: Sequence[Product]) -> None:
        if not products:
            raise ValueError("need at least one product")
        self._titles = [(p, set(_words(f"{p.brand} {p.title}"))) for p in products]

    def retrieve(self, query: SearchQuery) -> Candidates:
        wanted = set(_words(query.text))
        if not wanted:
            return Candidates(query=query, items=[])
        scored = [
            (len(wanted & words) / len(wanted), -len(p.title), p.id, p)
            for p, words in self._titles
            if wanted & words
        ]
        scored.sort(key=lambda s: (-s[0], -s[1], s[2]))
        items = [
            Candidate(product=p, score=share, rank=rank)
            for rank, (share, _, _, p) in enumerate(scored[: query.k], start=1)
        ]
        return Candidates(query=query, items=items)


def reciprocal_rank_fusion(rankings: Sequence[Sequence[str]], k: int = 60) -> list[str]:
    """Ids ordered by ``sum(1 / (k + rank))`` over the rankings (Cormack et al., 2009)."""
    if k <= 0:
        raise ValueError("k must be positive")
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, doc in enumerate(ranking, start=1):
            scores[doc] = scores.get(doc, 0.0) + 1.0 / (k + rank)
    return sorted(scores, key=lambda d: (-scores[d], d))


def pool_candidates(
    systems: Mapping[str, Retriever], queries: Mapping[str, str], depth: int = 20
) -> dict[str, dict[str, list[str]]]:
    """``{qid: {docid: [systems that returned it in their top depth]}}``.

    The fused list of all systems (RRF) is pooled too, under the name ``"rrf"``.
    """
    if depth <= 0:
        raise ValueError("depth must be positive")
    pool: dict[str, dict[str, list[str]]] = {}
    for qid, text in queries.items():
        found: dict[str, list[str]] = {}
        rankings = []
        for name, system in systems.items():
            ranking = [c.product.id for c in system.retrieve(SearchQuery(text=text, k=depth)).items]
            rankings.append(ranking)
            for doc in ranking[:depth]:
                found.setdefault(doc, []).append(name)
        for doc in reciprocal_rank_fusion(rankings)[:depth]:
            found.setdefault(doc, []).append("rrf")
        pool[qid] = found
    return pool
