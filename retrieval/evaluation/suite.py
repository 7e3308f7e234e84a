"""Load a judged query set (any TREC-style files), pick a split, evaluate systems, report.

Example:
    >>> request = EvaluationRequest(queries=Path("data/eval/queries.tsv"),
    ...                             qrels=Path("data/eval/qrels.tsv"),
    ...                             split_file=Path("data/eval/split.tsv"), part="test")
    >>> report = evaluate(request, build_systems(services, ["bm25", "dense"], ranker=ranker))
    >>> report.systems[0].mean.ndcg
    0.52
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from retrieval.evaluation.errors import JudgmentFileError
from retrieval.evaluation.metrics import MetricSettings
from retrieval.evaluation.report import EvaluationReport, metric_definitions
from retrieval.evaluation.runner import EvaluationRunner
from retrieval.evaluation.systems import System
from retrieval.evaluation.trec import Qrels, read_qrels, read_queries, read_split

log = logging.getLogger(__name__)

ALL_PARTS = "all"


class EvaluationRequest(BaseModel):
    """Which judgments to use, which part of the split, how deep to retrieve."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    queries: Path
    qrels: Path
    split_file: Path | None = None
    part: Annotated[str, Field(min_length=1, max_length=32)] = "test"
    depth: Annotated[int, Field(ge=1, le=1000)] = 50
    metrics: MetricSettings = Field(default_factory=MetricSettings)


class JudgedQuerySet(BaseModel):
    """The selected queries with their judgments and (when known) their types."""

    queries: dict[str, str]
    qrels: Qrels
    types: dict[str, str]


def load_query_set(request: EvaluationRequest) -> JudgedQuerySet:
    """Read the files and keep the queries of ``request.part`` (all of them for ``"all"``).

    Raises:
        JudgmentFileError: A file is malformed, a split is asked for without a split file,
            or no query is left.
    """
    queries = read_queries(request.queries)
    qrels = read_qrels(request.qrels)
    types: dict[str, str] = {}
    if request.split_file is not None and request.split_file.exists():
        split = read_split(request.split_file)
        types = {qid: meta.type for qid, meta in split.items()}
        if request.part != ALL_PARTS:
            wanted = {q for q, meta in split.items() if meta.part == request.part}
            queries = {q: t for q, t in queries.items() if q in wanted}
    elif request.part != ALL_PARTS:
        raise JudgmentFileError(f"part {request.part!r} needs a split file; use 'all' without one")
    if not queries:
        raise JudgmentFileError(f"no queries in part {request.part!r} of {request.queries}")
    unjudged = [q for q in queries if q not in qrels]
    if unjudged:
        log.warning("%d queries have no judgments at all: %s", len(unjudged), unjudged)
    return JudgedQuerySet(queries=queries, qrels=qrels, types=types)


def evaluate(
    request: EvaluationRequest, systems: Mapping[str, System], notes: list[str] | None = None
) -> EvaluationReport:
    """Run every system over the selected queries and collect the report."""
    if not systems:
        raise ValueError("no systems to evaluate")
    query_set = load_query_set(request)
    runner = EvaluationRunner(
        query_set.queries, query_set.qrels, request.metrics, depth=request.depth
    )
    runs = [runner.run(name, s.retriever, s.description) for name, s in systems.items()]
    return EvaluationReport(
        queries_file=str(request.queries),
        qrels_file=str(request.qrels),
        split=request.part,
        depth=request.depth,
        metrics=request.metrics,
        definitions=metric_definitions(request.metrics),
        notes=notes or [],
        query_text=runner.queries | {q: query_set.queries[q] for q in runner.skipped},
        query_type={q: query_set.types.get(q, "") for q in query_set.queries},
        skipped=runner.skipped,
        systems=runs,
    )
