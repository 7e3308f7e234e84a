"""Re-ranking of retrieved candidates into the short list a shopper sees."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from typing import Annotated, Protocol

from pydantic import BaseModel, ConfigDict, Field

from ranking.features import signals_from_candidate
from retrieval.search import Candidate, Candidates

DIVERSIFIED = "diversified"


class RankingContext(BaseModel):
    """What the ranker knows about the shopper's session."""

    model_config = ConfigDict(extra="forbid")

    session_id: str | None = None
    offset: Annotated[int, Field(ge=0)] = 0
    exclude_ids: list[str] = Field(default_factory=list)


class RankedProducts(BaseModel):
    """The final ordered list, each with the score it was ranked by.

    ``ranker`` names what ordered the list (``"diversified"``, ``"ctr:<model version>"``);
    ``signals`` and ``reasons`` run parallel to ``items``: the serving signals logged with
    each impression (:func:`serving_signals`) and short personal reasons for showing it.

    Example:
        >>> ranked = DiversifiedRanker().rank(candidates, RankingContext(), k=5)
        >>> ranked.ranker, sorted(ranked.signals[0])[:2]
        ('diversified', ['dense_rank', 'dense_score'])
    """

    items: list[Candidate]
    total_candidates: int
    has_more: bool
    ranker: str = DIVERSIFIED
    signals: list[dict[str, float]] = Field(default_factory=list)
    reasons: list[list[str]] = Field(default_factory=list)

    def signals_at(self, index: int) -> dict[str, float]:
        """The logged signals of ``items[index]`` (retrieval signals if none were set)."""
        if index < len(self.signals):
            return self.signals[index]
        return serving_signals(self.items[index])

    def reasons_at(self, index: int) -> list[str]:
        """The personal reasons of ``items[index]`` (none if the ranker gave none)."""
        return self.reasons[index] if index < len(self.reasons) else []


def serving_signals(candidate: Candidate) -> dict[str, float]:
    """The retrieval signals logged with an impression (the CTR model's training features).

    ``dense_score``/``dense_rank`` and ``lexical_score``/``lexical_rank`` for each retriever
    that found the product (a retriever that missed it has no keys), plus the fused
    ``retrieval_score`` and ``retrieval_rank``; the same function training reads them back
    with (:func:`ranking.features.candidate_from_signals` is its inverse).

    Example:
        >>> serving_signals(candidate)
        {'retrieval_score': 0.041, 'retrieval_rank': 2.0, 'dense_score': 0.61, 'dense_rank': 3.0}
    """
    return signals_from_candidate(candidate)


class Ranker(Protocol):
    """Orders candidates for one shopper; returns at most ``k`` of them."""

    def rank(self, candidates: Candidates, context: RankingContext, k: int) -> RankedProducts: ...


_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def _title_key(title: str, words: int = 6) -> str:
    """A coarse key under which near-identical listings collide (colour/pack variants)."""
    tokens = _NON_ALNUM.sub(" ", title.lower()).split()
    return " ".join(tokens[:words])


class DiversifiedRanker:
    """Keeps retrieval order but caps products per brand and folds near-duplicate titles.

    Icecat lists the same cable or cartridge many times (lengths, colours, pack sizes);
    a shopper is better served by five different products than five copies of one.
    Items pushed out by the caps are not lost: they fill the list after the diverse
    ones, so paging ("show more") still reaches every candidate.

    Example:
        >>> DiversifiedRanker(max_per_brand=2).rank(candidates, RankingContext(), k=5)
    """

    def __init__(self, max_per_brand: int = 3) -> None:
        if max_per_brand <= 0:
            raise ValueError("max_per_brand must be positive")
        self.max_per_brand = max_per_brand

    def rank(self, candidates: Candidates, context: RankingContext, k: int) -> RankedProducts:
        if k <= 0:
            raise ValueError("k must be positive")
        excluded = set(context.exclude_ids)
        pool = [c for c in candidates.items if c.product.id not in excluded]
        ordered = self._diversify(pool)
        page = ordered[context.offset : context.offset + k]
        return RankedProducts(
            items=page,
            total_candidates=len(pool),
            has_more=context.offset + k < len(ordered),
        )

    def _diversify(self, pool: list[Candidate]) -> list[Candidate]:
        return diversify(pool, self.max_per_brand)


def diversify(
    pool: Sequence[Candidate], max_per_brand: int, needed: int | None = None
) -> list[Candidate]:
    """Caps products per brand and folds near-duplicate titles, keeping the given order.

    Items over a cap or folded as duplicates follow the diverse ones, in their order. With
    ``needed``, scanning stops once that many diverse items are found (the rest keep their
    order after them), which is all a page needs.

    Example:
        >>> [c.product.id for c in diversify(candidates, max_per_brand=1)]
        ['1', '5', '2', '3', '4']
    """
    per_brand: Counter[str] = Counter()
    seen_titles: set[str] = set()
    first: list[Candidate] = []
    rest: list[Candidate] = []
    for at, cand in enumerate(pool):
        if needed is not None and len(first) >= needed:
            return first + rest + list(pool[at:])
        brand = cand.product.brand.lower()
        key = _title_key(cand.product.title)
        if per_brand[brand] >= max_per_brand or key in seen_titles:
            rest.append(cand)
            continue
        per_brand[brand] += 1
        seen_titles.add(key)
        first.append(cand)
    return first + rest
