"""How far the confidences can be trusted, and the threshold below which to ask instead.

Cost model: a clarifying question costs the shopper one extra turn (cost 1); acting on a
wrong label costs that turn *and* an unwanted result to undo (cost 2). With calibrated
probabilities that says "ask when confidence < 0.5"; the threshold actually chosen is the
one with the lowest total cost on the cross-validated predictions of the store's own
utterances (the traffic the assistant mostly sees), on a 0.05 grid.

Example:
    >>> import numpy as np
    >>> y = np.array([0, 1])
    >>> probs = np.array([[0.9, 0.1], [0.6, 0.4]])
    >>> [row.threshold for row in threshold_table(y, probs, [0.0, 0.7])]
    [0.0, 0.7]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

WRONG_ACTION_COST = 2.0
QUESTION_COST = 1.0
THRESHOLD_GRID: tuple[float, ...] = tuple(round(0.05 * i, 2) for i in range(0, 19))


class ThresholdRow(BaseModel):
    """What happens at one threshold: shares of all turns asked about / acted on wrongly."""

    model_config = ConfigDict(frozen=True)

    threshold: float
    asked: float
    acted_accuracy: float
    wrong_acted: float
    cost: float


class ReliabilityBin(BaseModel):
    model_config = ConfigDict(frozen=True)

    low: float
    high: float
    rows: int
    mean_confidence: float
    accuracy: float


class CalibrationReport(BaseModel):
    """Calibration error, reliability bins and the chosen clarification threshold."""

    model_config = ConfigDict(frozen=True)

    expected_calibration_error: float
    expected_calibration_error_store: float
    reliability_store: list[ReliabilityBin]
    thresholds_store: list[ThresholdRow]
    thresholds_all: list[ThresholdRow]
    chosen_threshold: float
    rule: str


def reliability(
    y: npt.NDArray[np.int64], probs: npt.NDArray[np.float64], bins: int = 10
) -> list[ReliabilityBin]:
    """Rows binned by confidence, with each bin's mean confidence and accuracy."""
    confidence, correct = probs.max(axis=1), probs.argmax(axis=1) == y
    edges = np.linspace(0.0, 1.0, bins + 1)
    out = []
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence > low) & (confidence <= high)
        if inside.any():
            out.append(
                ReliabilityBin(
                    low=round(float(low), 2),
                    high=round(float(high), 2),
                    rows=int(inside.sum()),
                    mean_confidence=float(confidence[inside].mean()),
                    accuracy=float(correct[inside].mean()),
                )
            )
    return out


def expected_calibration_error(y: npt.NDArray[np.int64], probs: npt.NDArray[np.float64]) -> float:
    """Row-weighted mean |accuracy − confidence| over 10 confidence bins."""
    bins = reliability(y, probs)
    total = sum(b.rows for b in bins)
    return float(sum(b.rows * abs(b.accuracy - b.mean_confidence) for b in bins) / max(total, 1))


def threshold_table(
    y: npt.NDArray[np.int64], probs: npt.NDArray[np.float64], grid: Sequence[float]
) -> list[ThresholdRow]:
    confidence, correct = probs.max(axis=1), probs.argmax(axis=1) == y
    rows = []
    for threshold in grid:
        acted = confidence >= threshold
        asked = float((~acted).mean())
        wrong = float((acted & ~correct).mean())
        rows.append(
            ThresholdRow(
                threshold=threshold,
                asked=asked,
                acted_accuracy=float(correct[acted].mean()) if acted.any() else 1.0,
                wrong_acted=wrong,
                cost=QUESTION_COST * asked + WRONG_ACTION_COST * wrong,
            )
        )
    return rows


def calibration_report(
    y: npt.NDArray[np.int64], probs: npt.NDArray[np.float64], store: npt.NDArray[np.bool_]
) -> CalibrationReport:
    """Calibration figures over all rows and the store's rows; threshold from the latter."""
    table_store = threshold_table(y[store], probs[store], THRESHOLD_GRID)
    best = min(table_store, key=lambda row: (round(row.cost, 6), row.threshold))
    return CalibrationReport(
        expected_calibration_error=expected_calibration_error(y, probs),
        expected_calibration_error_store=expected_calibration_error(y[store], probs[store]),
        reliability_store=reliability(y[store], probs[store]),
        thresholds_store=table_store,
        thresholds_all=threshold_table(y, probs, THRESHOLD_GRID),
        chosen_threshold=best.threshold,
        rule=(
            f"threshold minimising {QUESTION_COST:g} x asked + {WRONG_ACTION_COST:g} x "
            "wrongly acted on, over the store's own utterances (stratified CV)"
        ),
    )
