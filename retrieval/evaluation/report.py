"""The evaluation report: one JSON document, a PNG bar chart and plain-text tables.

Example:
    >>> report = EvaluationReport(split="test", systems=[run], ...)
    >>> write_json(report, Path("reports/retrieval/report.json"))
    >>> write_chart(report, Path("reports/retrieval/chart.png"))
    >>> print(format_summary(report))
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from retrieval.evaluation.metrics import MetricSettings
from retrieval.evaluation.runner import SystemRun

METRIC_DEFINITIONS = {
    "ndcg": "nDCG@{ndcg_k}: gains 2^grade-1, log2(rank+1) discount, ideal from all judged docs",
    "recall": "Recall@{recall_k}: share of docs graded >= {recall_min_grade} in the top {recall_k}",
    "mrr": "MRR@{mrr_k}: 1/rank of the first doc graded >= {mrr_min_grade} in the top {mrr_k}",
    "judged": "judged@{judged_k}: share of the top {judged_k} with a judgment (pool coverage)",
}


class EvaluationReport(BaseModel):
    """Everything one ``shopbot eval retrieval`` run measured."""

    created_at: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    queries_file: str
    qrels_file: str
    split: str
    depth: int
    metrics: MetricSettings
    definitions: dict[str, str]
    notes: list[str] = Field(default_factory=list)
    query_text: dict[str, str]
    query_type: dict[str, str] = Field(default_factory=dict)
    skipped: list[str] = Field(default_factory=list)
    systems: list[SystemRun]


def metric_definitions(settings: MetricSettings) -> dict[str, str]:
    """The definitions with the configured cut-offs filled in."""
    values = settings.model_dump()
    return {name: text.format(**values) for name, text in METRIC_DEFINITIONS.items()}


def write_json(report: EvaluationReport, path: Path, *, rankings: bool = False) -> None:
    """Write the report; per-query rankings are left out unless asked for (they are large)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    exclude = None if rankings else {"systems": {"__all__": {"rankings"}}}
    payload = report.model_dump(mode="json", exclude=exclude)
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def write_chart(report: EvaluationReport, path: Path) -> None:
    """A grouped bar chart of the mean metrics per system (matplotlib, Agg backend)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    m = report.metrics
    labels = [f"nDCG@{m.ndcg_k}", f"Recall@{m.recall_k}", f"MRR@{m.mrr_k}"]
    names = [s.name for s in report.systems]
    width = 0.8 / len(labels)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.4 * len(names) + 2), 4.5))
    for i, label in enumerate(labels):
        values = [(s.mean.ndcg, s.mean.recall, s.mean.mrr)[i] for s in report.systems]
        xs = [x + (i - (len(labels) - 1) / 2) * width for x in range(len(names))]
        bars = ax.bar(xs, values, width, label=label)
        ax.bar_label(bars, fmt="%.2f", fontsize=7, padding=1)
    queries = report.systems[0].mean.queries if report.systems else 0
    ax.set_xticks(range(len(names)), names)
    ax.set_ylim(0, 1.05)
    ax.set_ylabel("mean over queries")
    ax.set_title(f"Retrieval on {queries} '{report.split}' queries")
    ax.legend(loc="upper left", fontsize=8, ncols=3)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def format_summary(report: EvaluationReport) -> str:
    """The means table, one row per system."""
    m = report.metrics
    header = (
        f"{'system':<12} {'nDCG@' + str(m.ndcg_k):>8} {'R@' + str(m.recall_k):>8} "
        f"{'MRR@' + str(m.mrr_k):>8} {'judged@' + str(m.judged_k):>10} {'sec':>7}"
    )
    rows = [
        f"{s.name:<12} {s.mean.ndcg:>8.3f} {s.mean.recall:>8.3f} {s.mean.mrr:>8.3f} "
        f"{s.mean.judged:>10.3f} {s.seconds:>7.1f}"
        for s in report.systems
    ]
    return "\n".join([header, *rows])


def format_per_query(report: EvaluationReport, width: int = 34) -> str:
    """One row per query: ``nDCG/Recall/MRR`` for every system."""
    names = [s.name for s in report.systems]
    by_system = [s.scores_by_qid() for s in report.systems]
    header = f"{'qid':<6} {'type':<18} {'query':<{width}} " + " ".join(
        f"{n[:17]:>17}" for n in names
    )
    lines = [header]
    for qid, text in report.query_text.items():
        if qid in report.skipped:
            continue
        cells = []
        for scores in by_system:
            s = scores.get(qid)
            cells.append(f"{s.ndcg:.2f}/{s.recall:.2f}/{s.mrr:.2f}" if s else "-")
        kind = report.query_type.get(qid, "")[:18]
        lines.append(
            f"{qid:<6} {kind:<18} {text[:width]:<{width}} " + " ".join(f"{c:>17}" for c in cells)
        )
    return "\n".join(lines)
