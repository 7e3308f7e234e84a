"""Ranking metrics over graded judgments: nDCG@k, Recall@k, MRR@k and the judged fraction.

Definitions (also in ``data/eval/METHOD.md``):

* **nDCG@k** — gain of a document with grade ``g`` is ``2**g - 1``, discounted by
  ``log2(rank + 1)`` (rank 1-based). The ideal DCG sorts *all judged documents of the query*
  by grade, not only the retrieved ones, so a system that misses the best products is penalised.
* **Recall@k** — the share of the query's documents with grade >= ``recall_min_grade``
  (default 1, "related or better") that appear in the top ``k``.
* **MRR@k** — ``1 / rank`` of the first document in the top ``k`` with grade >=
  ``mrr_min_grade`` (default 2, "relevant"), 0 when there is none.
* **judged@k** — the share of the top ``k`` that has any judgment; the rest count as
  non-relevant, so a low value warns that a score may be biased by the judging pool.

Unjudged documents count as non-relevant (grade 0). Negative grades are treated as 0. A
document id repeated in a ranking counts once, at its first position.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from statistics import fmean
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

Judgments = Mapping[str, int]


def _unique(ranking: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(ranking))


def _gain(grade: int) -> float:
    return float(2 ** max(grade, 0) - 1)


def dcg(grades: Sequence[int], k: int) -> float:
    """Discounted cumulative gain of the first ``k`` grades, in rank order.

    Example:
        >>> round(dcg([3, 0, 1], k=10), 4)  # 7/1 + 0/log2(3) + 1/log2(4)
        7.5
    """
    if k <= 0:
        raise ValueError("k must be positive")
    return sum(_gain(g) / math.log2(i + 2) for i, g in enumerate(grades[:k]))


def ndcg_at_k(ranking: Sequence[str], judgments: Judgments, k: int = 10) -> float:
    """nDCG@k with exponential gains and the ideal ranking of all judged documents.

    Returns 0.0 when the query has no document with a positive grade.
    """
    ideal = dcg(sorted((max(g, 0) for g in judgments.values()), reverse=True), k)
    if ideal == 0.0:
        return 0.0
    actual = dcg([judgments.get(doc, 0) for doc in _unique(ranking)], k)
    return actual / ideal


def recall_at_k(
    ranking: Sequence[str], judgments: Judgments, k: int = 50, min_grade: int = 1
) -> float:
    """Share of documents graded >= ``min_grade`` found in the top ``k`` (0.0 if none exist)."""
    if k <= 0:
        raise ValueError("k must be positive")
    relevant = {doc for doc, g in judgments.items() if g >= min_grade}
    if not relevant:
        return 0.0
    found = relevant.intersection(_unique(ranking)[:k])
    return len(found) / len(relevant)


def reciprocal_rank_at_k(
    ranking: Sequence[str], judgments: Judgments, k: int = 10, min_grade: int = 2
) -> float:
    """``1 / rank`` of the first top-``k`` document graded >= ``min_grade``, else 0.0."""
    if k <= 0:
        raise ValueError("k must be positive")
    for rank, doc in enumerate(_unique(ranking)[:k], start=1):
        if judgments.get(doc, 0) >= min_grade:
            return 1.0 / rank
    return 0.0


def judged_at_k(ranking: Sequence[str], judgments: Judgments, k: int = 10) -> float:
    """Share of the top ``k`` (or of all retrieved, if fewer) that has a judgment."""
    if k <= 0:
        raise ValueError("k must be positive")
    top = _unique(ranking)[:k]
    if not top:
        return 0.0
    return sum(doc in judgments for doc in top) / len(top)


PositiveInt = Annotated[int, Field(ge=1, le=1000)]


class MetricSettings(BaseModel):
    """Cut-offs and grade thresholds of the reported metrics.

    Example:
        >>> MetricSettings().ndcg_k, MetricSettings().mrr_min_grade
        (10, 2)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    ndcg_k: PositiveInt = 10
    recall_k: PositiveInt = 50
    mrr_k: PositiveInt = 10
    judged_k: PositiveInt = 10
    recall_min_grade: Annotated[int, Field(ge=1, le=3)] = 1
    mrr_min_grade: Annotated[int, Field(ge=1, le=3)] = 2


class QueryScores(BaseModel):
    """The metrics of one query for one system."""

    model_config = ConfigDict(frozen=True)

    qid: str
    ndcg: float
    recall: float
    mrr: float
    judged: float
    retrieved: int


def score_query(
    qid: str, ranking: Sequence[str], judgments: Judgments, settings: MetricSettings
) -> QueryScores:
    """All metrics of one ranked list against the query's judgments."""
    return QueryScores(
        qid=qid,
        ndcg=ndcg_at_k(ranking, judgments, settings.ndcg_k),
        recall=recall_at_k(ranking, judgments, settings.recall_k, settings.recall_min_grade),
        mrr=reciprocal_rank_at_k(ranking, judgments, settings.mrr_k, settings.mrr_min_grade),
        judged=judged_at_k(ranking, judgments, settings.judged_k),
        retrieved=len(_unique(ranking)),
    )


class MeanScores(BaseModel):
    """Arithmetic means over queries (each query weighs the same)."""

    model_config = ConfigDict(frozen=True)

    queries: int
    ndcg: float
    recall: float
    mrr: float
    judged: float


def mean_scores(scores: Sequence[QueryScores]) -> MeanScores:
    """Mean of each metric over ``scores``; all zeros for an empty list."""
    if not scores:
        return MeanScores(queries=0, ndcg=0.0, recall=0.0, mrr=0.0, judged=0.0)
    return MeanScores(
        queries=len(scores),
        ndcg=fmean(s.ndcg for s in scores),
        recall=fmean(s.recall for s in scores),
        mrr=fmean(s.mrr for s in scores),
        judged=fmean(s.judged for s in scores),
    )
