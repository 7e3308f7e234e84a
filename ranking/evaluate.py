"""CTR metrics (AUC, logloss, session-grouped AUC), their fold summary, and a calibration plot."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

Array = npt.NDArray[np.floating]


def auc(labels: Array, scores: Array) -> float:
    """Area under the ROC curve (Mann-Whitney U with average ranks for ties).

    Raises:
        ValueError: ``labels`` do not hold both classes.

    Example:
        >>> auc(np.array([0, 1, 1]), np.array([0.1, 0.4, 0.35]))
        1.0
    """
    y = np.asarray(labels, dtype=np.float64)
    s = np.asarray(scores, dtype=np.float64)
    positives = float(y.sum())
    negatives = float(len(y) - positives)
    if positives == 0 or negatives == 0:
        raise ValueError("AUC needs both positive and negative labels")
    order = np.argsort(s, kind="mergesort")
    sorted_scores = s[order]
    ranks = np.empty(len(s), dtype=np.float64)
    start = 0
    while start < len(s):
        end = start
        while end + 1 < len(s) and sorted_scores[end + 1] == sorted_scores[start]:
            end += 1
        ranks[order[start : end + 1]] = (start + end) / 2.0 + 1.0
        start = end + 1
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def logloss(labels: Array, probabilities: Array, eps: float = 1e-7) -> float:
    """Mean binary cross-entropy of click probabilities (clipped to ``[eps, 1-eps]``)."""
    y = np.asarray(labels, dtype=np.float64)
    p = np.clip(np.asarray(probabilities, dtype=np.float64), eps, 1 - eps)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def session_auc(labels: Array, scores: Array, sessions: Sequence[str]) -> float:
    """Mean of per-session AUCs over the sessions with both a click and a non-click.

    This is what re-ranking within a session needs: ordering *this* shopper's candidates.
    ``nan`` when no session has both labels.
    """
    rows: defaultdict[str, list[int]] = defaultdict(list)
    for i, session in enumerate(sessions):
        rows[session].append(i)
    y = np.asarray(labels)
    s = np.asarray(scores)
    values = []
    for index in rows.values():
        ys = y[index]
        if 0 < ys.sum() < len(ys):
            values.append(auc(ys, s[index]))
    return float(np.mean(values)) if values else math.nan


class FoldMetrics(BaseModel):
    """Held-out metrics of one model on one fold."""

    model_config = ConfigDict(frozen=True)

    fold: int
    auc: float
    logloss: float
    session_auc: float
    rows: int
    epochs: int


class MetricSummary(BaseModel):
    """Mean and standard deviation of one metric over folds."""

    model_config = ConfigDict(frozen=True)

    mean: float
    std: float


class ModelEvaluation(BaseModel):
    """A model's cross-validated metrics."""

    model: str
    folds: list[FoldMetrics]
    auc: MetricSummary
    logloss: MetricSummary
    session_auc: MetricSummary


def fold_metrics(
    fold: int, labels: Array, probabilities: Array, sessions: Sequence[str], epochs: int
) -> FoldMetrics:
    """All three metrics of one held-out fold."""
    return FoldMetrics(
        fold=fold,
        auc=auc(labels, probabilities),
        logloss=logloss(labels, probabilities),
        session_auc=session_auc(labels, probabilities, sessions),
        rows=len(labels),
        epochs=epochs,
    )


def summarise(model: str, folds: list[FoldMetrics]) -> ModelEvaluation:
    """Mean ± std (population std over folds) of every metric."""

    def summary(values: list[float]) -> MetricSummary:
        finite = [v for v in values if not math.isnan(v)]
        if not finite:
            return MetricSummary(mean=math.nan, std=math.nan)
        return MetricSummary(mean=float(np.mean(finite)), std=float(np.std(finite)))

    return ModelEvaluation(
        model=model,
        folds=folds,
        auc=summary([f.auc for f in folds]),
        logloss=summary([f.logloss for f in folds]),
        session_auc=summary([f.session_auc for f in folds]),
    )


def format_table(evaluations: Sequence[ModelEvaluation]) -> str:
    """A plain-text table: one model per line, each metric as mean ± std."""
    lines = [f"{'model':<10} {'AUC':>17} {'logloss':>17} {'session AUC':>17}"]
    for e in evaluations:
        cells = [f"{m.mean:.4f} ± {m.std:.4f}" for m in (e.auc, e.logloss, e.session_auc)]
        lines.append(f"{e.model:<10} " + " ".join(f"{c:>17}" for c in cells))
    return "\n".join(lines)


def reliability(
    labels: Array, probabilities: Array, bins: int = 10
) -> list[tuple[float, float, int]]:
    """(mean predicted, observed rate, count) per equal-width probability bin that has rows."""
    p = np.asarray(probabilities, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    which = np.minimum((p * bins).astype(int), bins - 1)
    out = []
    for b in range(bins):
        mask = which == b
        if mask.any():
            out.append((float(p[mask].mean()), float(y[mask].mean()), int(mask.sum())))
    return out


def plot_calibration(
    labels: Array, predictions: Mapping[str, Array], path: Path, bins: int = 10
) -> Path:
    """Write a reliability diagram (out-of-fold predictions of each model) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5.5, 5))
    ax.plot([0, 1], [0, 1], linestyle="--", color="grey", label="perfectly calibrated")
    for name, probabilities in predictions.items():
        points = reliability(labels, probabilities, bins)
        ax.plot([p for p, _, _ in points], [o for _, o, _ in points], marker="o", label=name)
    ax.set_xlabel("predicted click probability")
    ax.set_ylabel("observed click rate")
    ax.set_title("CTR calibration (held-out folds)")
    ax.legend(loc="upper left")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return path
