"""Cross-validation of the intent classifier: scores overall, per label, per subset.

Two splits are run with the same model settings: a stratified k-fold over rows, and a
stratified *grouped* k-fold where near-paraphrases (see :mod:`assistant.intents.grouping`)
never straddle train and test, which shows how much paraphrase leakage flatters the first.
Every fold trains exactly what ``shopbot intents train`` ships (including the held-out
temperature), so the out-of-fold probabilities also choose the clarification threshold.

Example:
    >>> report = evaluate(rows, vectors, folds=5)  # doctest: +SKIP
    >>> round(report.stratified.overall.macro_f1, 3)  # doctest: +SKIP
    0.93
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from sklearn.metrics import precision_recall_fscore_support as prfs
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

from assistant.intents.base import INTENT_LABELS
from assistant.intents.calibration import CalibrationReport, calibration_report
from assistant.intents.classifier import TrainedIntentClassifier
from assistant.intents.data import LabelledUtterance
from assistant.intents.features import FeatureConfig
from assistant.intents.grouping import paraphrase_groups
from assistant.intents.training import TrainingConfig, training_context

log = logging.getLogger(__name__)
Indices = npt.NDArray[np.int64]


class Scores(BaseModel):
    model_config = ConfigDict(frozen=True)

    rows: int
    accuracy: float
    macro_f1: float


class LabelScores(BaseModel):
    model_config = ConfigDict(frozen=True)

    precision: float
    recall: float
    f1: float
    support: int


class SplitReport(BaseModel):
    """Out-of-fold scores of one way of splitting the data."""

    model_config = ConfigDict(frozen=True)

    method: str
    folds: int
    overall: Scores
    subsets: dict[str, Scores]
    per_label: dict[str, LabelScores]
    confusion: list[list[int]]


class EvaluationReport(BaseModel):
    """Everything ``shopbot intents evaluate`` measures; written as ``report.json``."""

    model_config = ConfigDict(frozen=True)

    seconds: float
    data: dict[str, int]
    features: FeatureConfig
    training: TrainingConfig
    stratified: SplitReport
    grouped: SplitReport
    calibration: CalibrationReport
    notes: list[str]


def subset_masks(rows: Sequence[LabelledUtterance]) -> dict[str, npt.NDArray[np.bool_]]:
    """Row masks of the subsets reported separately."""
    store = np.array([r.source == "store" for r in rows])
    chinese = np.array([r.is_chinese for r in rows])
    return {
        "bitext": ~store,
        "store": store,
        "store_english": store & ~chinese,
        "chinese": chinese,
    }


def scores(y_true: npt.NDArray[np.int64], y_pred: npt.NDArray[np.int64]) -> Scores:
    """Accuracy and macro-F1 over the labels present in ``y_true``."""
    present = np.unique(y_true)
    return Scores(
        rows=len(y_true),
        accuracy=float(accuracy_score(y_true, y_pred)),
        macro_f1=float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
    )


def out_of_fold_probabilities(
    rows: Sequence[LabelledUtterance],
    vectors: npt.NDArray[np.float32],
    folds: Sequence[tuple[Indices, Indices]],
    feature_config: FeatureConfig,
    training: TrainingConfig,
) -> npt.NDArray[np.float64]:
    """Each row's probabilities from the model of the fold that held it out."""
    probs = np.zeros((len(rows), len(INTENT_LABELS)))
    for number, (train_idx, test_idx) in enumerate(folds, start=1):
        model = TrainedIntentClassifier.fit(
            [rows[i] for i in train_idx], vectors[train_idx], feature_config, training
        )
        held = [rows[i] for i in test_idx]
        contexts = [training_context(r, training.seed) for r in held]
        probs[test_idx] = model.predict_proba([r.text for r in held], vectors[test_idx], contexts)
        log.info("fold %d/%d done", number, len(folds))
    return probs


def split_report(
    method: str,
    rows: Sequence[LabelledUtterance],
    y: npt.NDArray[np.int64],
    probs: npt.NDArray[np.float64],
    folds: int,
) -> SplitReport:
    pred = probs.argmax(axis=1)
    labels = list(range(len(INTENT_LABELS)))
    precision, recall, f1, support = prfs(y, pred, labels=labels, zero_division=0)
    return SplitReport(
        method=method,
        folds=folds,
        overall=scores(y, pred),
        subsets={name: scores(y[m], pred[m]) for name, m in subset_masks(rows).items() if m.any()},
        per_label={
            INTENT_LABELS[i]: LabelScores(
                precision=float(precision[i]),
                recall=float(recall[i]),
                f1=float(f1[i]),
                support=int(support[i]),
            )
            for i in labels
        },
        confusion=confusion_matrix(y, pred, labels=labels).tolist(),
    )


def evaluate(
    rows: Sequence[LabelledUtterance],
    vectors: npt.NDArray[np.float32],
    folds: int = 5,
    feature_config: FeatureConfig | None = None,
    training: TrainingConfig | None = None,
) -> EvaluationReport:
    """Stratified and paraphrase-grouped k-fold cross-validation, plus calibration."""
    if folds < 2:
        raise ValueError("folds must be at least 2")
    started = time.perf_counter()
    feature_config = feature_config or FeatureConfig(embedding_dim=vectors.shape[1])
    training = training or TrainingConfig()
    y = np.array([INTENT_LABELS.index(r.label) for r in rows], dtype=np.int64)
    groups = paraphrase_groups([r.text for r in rows], vectors, [r.label for r in rows])
    splits = {
        f"StratifiedKFold(n_splits={folds}, shuffle=True) over rows": StratifiedKFold(
            folds, shuffle=True, random_state=training.seed
        ).split(vectors, y),
        f"StratifiedGroupKFold(n_splits={folds}, shuffle=True), groups = near-paraphrases": (
            StratifiedGroupKFold(folds, shuffle=True, random_state=training.seed).split(
                vectors, y, groups
            )
        ),
    }
    probs = {
        method: out_of_fold_probabilities(rows, vectors, list(split), feature_config, training)
        for method, split in splits.items()
    }
    (plain_method, plain_probs), (grouped_method, grouped_probs) = probs.items()
    return EvaluationReport(
        seconds=round(time.perf_counter() - started, 1),
        data=_data_summary(rows, groups),
        features=feature_config,
        training=training,
        stratified=split_report(plain_method, rows, y, plain_probs, folds),
        grouped=split_report(grouped_method, rows, y, grouped_probs, folds),
        calibration=calibration_report(y, plain_probs, subset_masks(rows)["store"]),
        notes=_notes(),
    )


def _data_summary(
    rows: Sequence[LabelledUtterance], groups: npt.NDArray[np.int64]
) -> dict[str, int]:
    masks = subset_masks(rows)
    return {
        "rows": len(rows),
        "bitext_rows": int(masks["bitext"].sum()),
        "store_rows": int(masks["store"].sum()),
        "chinese_rows": int(masks["chinese"].sum()),
        "paraphrase_groups": int(groups.max() + 1) if len(groups) else 0,
        "largest_group": int(np.bincount(groups).max()) if len(groups) else 0,
    }


def _notes() -> list[str]:
    return [
        "Each fold trains what `shopbot intents train` ships: same features and settings, "
        "temperature fitted on a stratified 15% of the fold's training rows.",
        "Context features per row come from assistant.intents.training.training_context "
        "(deterministic), in training and in testing.",
        "Subset macro-F1 averages over the labels present in the subset.",
        "Model settings were chosen by comparing a few settings on the stratified split; "
        "the grouped split was not used for that choice.",
    ]
