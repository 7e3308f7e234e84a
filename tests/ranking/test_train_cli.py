"""`shopbot ctr evaluate` reads what train wrote; it fails clearly when nothing was trained."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from ranking.cli_ctr import ctr_app
from ranking.evaluate import fold_metrics, summarise

pytestmark = pytest.mark.unit


def test_evaluate_without_a_training_run_exits_with_a_message(tmp_path: Path) -> None:
    result = CliRunner().invoke(ctr_app, ["evaluate", "--reports", str(tmp_path)])
    assert result.exit_code == 1
    assert "ctr train" in result.output


def test_evaluate_prints_the_table_json_and_redraws_the_calibration(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 2, 200).astype(np.float32)
    predictions = {"logreg": rng.random(200).astype(np.float32)}
    sessions = [f"s{i % 20}" for i in range(200)]
    folds = [fold_metrics(0, labels, predictions["logreg"], sessions, epochs=3)]
    payload = {
        "source": "simulated",
        "rows": 200,
        "sessions": 20,
        "models": [summarise("logreg", folds).model_dump()],
        "served": {"model": "logreg", "artifact": "x", "epochs": 3},
    }
    (tmp_path / "evaluation.json").write_text(json.dumps(payload))
    np.savez(tmp_path / "out_of_fold.npz", labels=labels, **predictions)
    table = CliRunner().invoke(ctr_app, ["evaluate", "--reports", str(tmp_path)])
    assert table.exit_code == 0, table.output
    assert "logreg" in table.output and f"{folds[0].auc:.4f} ± 0.0000" in table.output
    as_json = CliRunner().invoke(ctr_app, ["evaluate", "--json", "--reports", str(tmp_path)])
    assert json.loads(as_json.output)["models"][0]["auc"]["mean"] == pytest.approx(folds[0].auc)
    assert (tmp_path / "calibration.png").stat().st_size > 1000
