"""Re-ranking of retrieved candidates into the short list a shopper sees."""

from __future__ import annotations

import re
from collections import Counter
from typing import Annotated, Protocol

from pydantic import BaseModel, ConfigDict, Field

from retrieval.search import Candidate, Candidates


class RankingContext(BaseModel):
    """What the ranker knows about the shopper's session."""

    model_config = ConfigDict(extra="forbid")

    session_id: str | None = None
    offset: Annotated[int, Field(ge=0)] = 0
    exclude_ids: list[str] = Field(default_factory=list)


class RankedProducts(BaseModel):
    """The final ordered list, each with the score it was ranked by."""

    items: list[Candidate]
    total_candidates: int
    has_more: bool


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
        per_brand: Counter[str] = Counter()
        seen_titles: set[str] = set()
        first: list[Candidate] = []
        rest: list[Candidate] = []
        for cand in pool:
            brand = cand.product.brand.lower()
            key = _title_key(cand.product.title)
            if per_brand[brand] >= self.max_per_brand or key in seen_titles:
                rest.append(cand)
                continue
            per_brand[brand] += 1
            seen_titles.add(key)
            first.append(cand)
        return first + rest
