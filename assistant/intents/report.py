"""Writing the evaluation: ``report.json``, ``confusion.png`` and a text summary.

Example:
    >>> paths = write_report(report, Path("reports/intents"))  # doctest: +SKIP
    >>> print(format_summary(report))  # doctest: +SKIP
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from assistant.intents.base import INTENT_LABELS
from assistant.intents.evaluation import EvaluationReport, SplitReport

REPORT_FILE = "report.json"
PLOT_FILE = "confusion.png"


def write_report(report: EvaluationReport, directory: Path) -> tuple[Path, Path]:
    """Write the JSON report and the confusion-matrix plot into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    json_path = directory / REPORT_FILE
    payload = report.model_dump(mode="json")
    json_path.write_text(json.dumps(payload, indent=1, ensure_ascii=False) + "\n", "utf-8")
    png_path = directory / PLOT_FILE
    plot_confusions(report, png_path)
    return json_path, png_path


def plot_confusions(report: EvaluationReport, path: Path) -> None:
    """Row-normalised confusion matrices of both splits, side by side, with counts."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(17, 7.5), constrained_layout=True)
    for ax, split, title in (
        (axes[0], report.stratified, "stratified 5-fold"),
        (axes[1], report.grouped, "paraphrase-grouped 5-fold"),
    ):
        counts = np.array(split.confusion, dtype=float)
        shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
        image = ax.imshow(shares, cmap="Blues", vmin=0, vmax=1)
        ticks = range(len(INTENT_LABELS))
        ax.set_xticks(ticks, INTENT_LABELS, rotation=45, ha="right")
        ax.set_yticks(ticks, INTENT_LABELS)
        ax.set_xlabel("predicted")
        ax.set_ylabel("true")
        ax.set_title(
            f"{title}: accuracy {split.overall.accuracy:.3f}, macro-F1 {split.overall.macro_f1:.3f}"
        )
        for (i, j), value in np.ndenumerate(counts):
            if value:
                colour = "white" if shares[i, j] > 0.5 else "black"
                ax.text(j, i, f"{int(value)}", ha="center", va="center", fontsize=7, color=colour)
    fig.colorbar(image, ax=axes, shrink=0.8, label="share of the true label's rows")
    fig.suptitle("Intent classifier, out-of-fold predictions (counts; colour = row share)")
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _split_lines(name: str, split: SplitReport) -> list[str]:
    lines = [
        f"{name}: {split.method}",
        f"  overall        rows {split.overall.rows:>5}  accuracy {split.overall.accuracy:.3f}"
        f"  macro-F1 {split.overall.macro_f1:.3f}",
    ]
    for subset, s in split.subsets.items():
        lines.append(
            f"  {subset:<14} rows {s.rows:>5}  accuracy {s.accuracy:.3f}  macro-F1 {s.macro_f1:.3f}"
        )
    return lines


def format_summary(report: EvaluationReport) -> str:
    """A plain-text summary: both splits, per-label scores, the threshold."""
    lines = _split_lines("stratified", report.stratified) + [""]
    lines += _split_lines("grouped", report.grouped) + ["", "per label (stratified | grouped F1):"]
    for label in INTENT_LABELS:
        s, g = report.stratified.per_label[label], report.grouped.per_label[label]
        lines.append(
            f"  {label:<17} P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}"
            f"  | {g.f1:.3f}   n={s.support}"
        )
    cal = report.calibration
    lines += [
        "",
        f"ECE {cal.expected_calibration_error:.3f} (store rows "
        f"{cal.expected_calibration_error_store:.3f}); clarification threshold "
        f"{cal.chosen_threshold:.2f} ({cal.rule})",
        f"{report.data['rows']} rows, {report.data['paraphrase_groups']} paraphrase groups; "
        f"{report.seconds:.0f} s",
    ]
    return "\n".join(lines)
