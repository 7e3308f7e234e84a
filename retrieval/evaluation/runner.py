"""Run retrieval systems over a judged query set and score every query.

Every system is anything with ``retrieve(SearchQuery) -> Candidates`` (dense, BM25, hybrid, a
retriever followed by a re-ranker), so they are all measured the same way: the query text
alone, no filters, the top ``depth`` candidates.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Annotated, Protocol

from pydantic import BaseModel, ConfigDict, Field

from retrieval.evaluation.metrics import (
    MeanScores,
    MetricSettings,
    QueryScores,
    mean_scores,
    score_query,
)
from retrieval.evaluation.trec import Qrels
from retrieval.search import Candidates, SearchQuery

log = logging.getLogger(__name__)


class Retriever(Protocol):
    """What the runner evaluates: one query in, ordered candidates out."""

    def retrieve(self, query: SearchQuery) -> Candidates: ...


class SystemRun(BaseModel):
    """One system's scores on every evaluated query, its means and its rankings."""

    model_config = ConfigDict(frozen=True)

    name: str
    description: str = ""
    mean: MeanScores
    per_query: list[QueryScores]
    seconds: float
    rankings: dict[str, list[str]] = Field(default_factory=dict, repr=False)

    def scores_by_qid(self) -> dict[str, QueryScores]:
        return {s.qid: s for s in self.per_query}


class EvaluationRunner:
    """Scores retrievers on the queries that have at least one relevant judgment.

    Queries without any document graded >= ``settings.recall_min_grade`` cannot be scored
    (nDCG and recall are undefined) and are listed in :attr:`skipped`.

    Example:
        >>> runner = EvaluationRunner(queries, qrels, MetricSettings(), depth=50)
        >>> runner.run("dense", dense_retriever).mean.ndcg
        0.41
    """

    def __init__(
        self,
        queries: Mapping[str, str],
        qrels: Qrels,
        settings: MetricSettings | None = None,
        depth: Annotated[int, Field(ge=1)] = 50,
    ) -> None:
        self.settings = settings or MetricSettings()
        if depth <= 0:
            raise ValueError("depth must be positive")
        if depth < self.settings.recall_k:
            raise ValueError(f"depth {depth} is below the recall cut-off {self.settings.recall_k}")
        if not queries:
            raise ValueError("no queries to evaluate")
        self.depth = depth
        self.qrels = qrels
        min_grade = self.settings.recall_min_grade
        self.queries = {
            qid: text
            for qid, text in queries.items()
            if any(g >= min_grade for g in qrels.get(qid, {}).values())
        }
        self.skipped = sorted(set(queries) - set(self.queries))
        if self.skipped:
            log.warning("%d queries have no relevant judgment: %s", len(self.skipped), self.skipped)
        if not self.queries:
            raise ValueError("none of the queries has a relevant judgment")

    def run(self, name: str, retriever: Retriever, description: str = "") -> SystemRun:
        """Retrieve and score every query with ``retriever``."""
        started = time.perf_counter()
        per_query: list[QueryScores] = []
        rankings: dict[str, list[str]] = {}
        for qid, text in self.queries.items():
            candidates = retriever.retrieve(SearchQuery(text=text, k=self.depth))
            ranking = [c.product.id for c in candidates.items]
            rankings[qid] = ranking
            per_query.append(score_query(qid, ranking, self.qrels.get(qid, {}), self.settings))
        seconds = time.perf_counter() - started
        log.info("%s: %d queries in %.1fs", name, len(per_query), seconds)
        return SystemRun(
            name=name,
            description=description,
            mean=mean_scores(per_query),
            per_query=per_query,
            seconds=round(seconds, 2),
            rankings=rankings,
        )
