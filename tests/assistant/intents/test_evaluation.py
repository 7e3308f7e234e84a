"""Cross-validation, calibration, paraphrase groups, the report files and the CLI commands."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from assistant.intents.base import INTENT_LABELS
from assistant.intents.calibration import (
    expected_calibration_error,
    reliability,
    threshold_table,
)
from assistant.intents.evaluation import evaluate, scores
from assistant.intents.features import FeatureConfig
from assistant.intents.grouping import paraphrase_groups
from assistant.intents.report import format_summary, write_report
from assistant.intents.training import TrainingConfig
from tests.assistant.intents.conftest import HashEmbedder, tiny_rows

pytestmark = pytest.mark.unit


def test_tiny_cross_validation_writes_a_complete_report(tmp_path):
    rows = tiny_rows()
    vectors = HashEmbedder().embed([r.text for r in rows])
    report = evaluate(
        rows,
        vectors,
        folds=2,
        feature_config=FeatureConfig(hash_buckets=256),
        training=TrainingConfig(epochs=3, hidden_dim=0),
    )
    assert report.data["rows"] == len(rows) == report.stratified.overall.rows
    assert report.data["store_rows"] == len(rows) and report.data["bitext_rows"] == 0
    assert set(report.stratified.per_label) == set(INTENT_LABELS)
    confusion = np.array(report.grouped.confusion)
    assert confusion.shape == (12, 12) and confusion.sum() == len(rows)
    assert "chinese" in report.stratified.subsets and "bitext" not in report.stratified.subsets
    assert 0.0 <= report.calibration.chosen_threshold <= 0.9
    json_path, png_path = write_report(report, tmp_path / "out")
    assert json.loads(json_path.read_text())["grouped"]["folds"] == 2
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = format_summary(report)
    assert "macro-F1" in summary and "product_question" in summary


def test_evaluate_needs_two_folds():
    with pytest.raises(ValueError):
        evaluate(tiny_rows(), np.zeros((48, 384), np.float32), folds=1)


def test_subset_scores_average_over_present_labels_only():
    y_true = np.array([0, 0, 1, 1])
    y_pred = np.array([0, 0, 1, 2])
    result = scores(y_true, y_pred)
    assert result.accuracy == 0.75
    assert result.macro_f1 == pytest.approx((1.0 + 2 / 3) / 2)


def test_threshold_table_counts_questions_and_wrong_actions():
    y = np.array([0, 0, 1, 1])
    probs = np.array([[0.9, 0.1], [0.4, 0.6], [0.3, 0.7], [0.55, 0.45]])
    none, half = threshold_table(y, probs, [0.0, 0.6])
    assert (none.asked, none.wrong_acted, none.acted_accuracy) == (0.0, 0.5, 0.5)
    # at 0.6 only the 0.55 turn is asked; the 0.6 turn is acted on, wrongly
    assert half.asked == 0.25 and half.wrong_acted == 0.25
    assert half.cost == pytest.approx(0.25 * 1 + 0.25 * 2)


def test_calibration_error_is_zero_when_confidence_matches_accuracy():
    y = np.array([0] * 8 + [1] * 2)
    probs = np.tile([0.8, 0.2], (10, 1))
    assert expected_calibration_error(y, probs) == pytest.approx(0.0)
    assert reliability(y, probs)[0].rows == 10
    overconfident = np.tile([0.99, 0.01], (10, 1))
    assert expected_calibration_error(y, overconfident) == pytest.approx(0.19)


def test_paraphrase_groups_join_near_duplicates_of_one_label_only():
    texts = ["create a gold account", "create a gold account!", "create a gold account?", "hi"]
    base = np.random.default_rng(0).standard_normal(384).astype(np.float32)
    base /= np.linalg.norm(base)
    other = np.random.default_rng(1).standard_normal(384).astype(np.float32)
    other /= np.linalg.norm(other)
    vectors = np.stack([base, base, base, other])
    groups = paraphrase_groups(texts, vectors, ["faq", "faq", "other", "faq"])
    assert groups[0] == groups[1]
    assert groups[2] != groups[0], "same words, different label: not one group"
    assert groups[3] != groups[0]
    # same embedding but no shared trigrams (e.g. two Chinese sentences MiniLM cannot read)
    chinese = paraphrase_groups(["我想退货", "订单到哪了"], np.stack([base, base]), ["x", "x"])
    assert chinese[0] != chinese[1]


def test_cli_map_bitext_and_train(tmp_path, tiny_data, monkeypatch):
    from assistant.cli import app

    raw = tmp_path / "raw.csv"
    raw.write_text("instruction,intent\nwhere is my order,track_order\nbuy it,place_order\n")
    runner = CliRunner()
    mapped = runner.invoke(
        app, ["intents", "map-bitext", str(raw), "--output", str(tmp_path / "m.csv")]
    )
    assert mapped.exit_code == 0, mapped.output
    assert "wrote 1 rows" in mapped.output
    monkeypatch.setattr("assistant.intents.cli._embedder", lambda settings: HashEmbedder())
    model_dir = tmp_path / "model"
    trained = runner.invoke(
        app,
        ["intents", "train", "--data", str(tiny_data), "--output", str(model_dir),
         "--cache", str(tmp_path / "cache")],
    )  # fmt: skip
    assert trained.exit_code == 0, trained.output
    assert (model_dir / "intent_model.json").is_file()
    assert "trained on 50 utterances" in trained.output
