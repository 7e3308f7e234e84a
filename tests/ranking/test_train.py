"""Cross-validation folds, metrics against sklearn, determinism and learning on tiny logs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from sklearn.metrics import log_loss, roc_auc_score

from ranking.evaluate import auc, logloss, plot_calibration, session_auc, summarise
from ranking.features import NUMERIC_FEATURES
from ranking.train import (
    TrainSettings,
    cross_validate,
    fit_popularity,
    popularity_columns,
    prepare_fold,
    session_folds,
)
from tests.ranking.ctr_logs import tiny_training_rows

pytestmark = pytest.mark.unit


def test_folds_never_split_a_session_and_cover_every_row() -> None:
    rng = np.random.default_rng(0)
    sessions = [f"s{rng.integers(0, 37)}" for _ in range(500)]
    folds = session_folds(sessions, 5)
    seen = np.concatenate([test for _, test in folds])
    assert sorted(seen.tolist()) == list(range(500))
    for train, test in folds:
        assert not {sessions[i] for i in train} & {sessions[i] for i in test}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_auc_and_logloss_match_sklearn_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, size=300)
    scores = np.round(rng.random(300), 1)  # many ties
    assert auc(labels, scores) == pytest.approx(roc_auc_score(labels, scores), abs=1e-12)
    probabilities = np.clip(rng.random(300), 0.01, 0.99)
    assert logloss(labels, probabilities) == pytest.approx(log_loss(labels, probabilities))


def test_auc_needs_both_labels() -> None:
    with pytest.raises(ValueError):
        auc(np.zeros(4), np.arange(4.0))


def test_session_auc_averages_sessions_with_both_labels() -> None:
    labels = np.array([1, 0, 0, 1, 1, 0, 0])
    scores = np.array([0.9, 0.1, 0.5, 0.2, 0.3, 0.4, 0.8])
    sessions = ["a", "a", "a", "b", "b", "c", "c"]  # b has no negative, c no positive
    expected = roc_auc_score([1, 0, 0], [0.9, 0.1, 0.5])
    assert session_auc(labels, scores, sessions) == pytest.approx(expected)
    assert math.isnan(session_auc(np.ones(3), scores[:3], ["a"] * 3))


def test_training_rows_priors_leave_out_their_own_session() -> None:
    rows, _, _ = tiny_training_rows(sessions=20)
    everything = np.arange(len(rows))
    numeric = popularity_columns(rows, everything, fit_popularity(rows, everything))
    column = NUMERIC_FEATURES.index("product_ctr")
    sessions = np.array(rows.sessions)
    products = np.array(rows.raw.product_ids)
    compared = 0
    for session in ("s0", "s5", "s11"):
        others = np.flatnonzero(sessions != session)
        refit = fit_popularity(rows, others)  # as if this session had never been logged
        for i in np.flatnonzero(sessions == session):
            if products[i] in set(products[others]):
                assert numeric[i, column] == pytest.approx(refit.product_ctr(products[i]))
                compared += 1
    assert compared > 5


def test_encoders_are_fitted_on_the_training_fold_only() -> None:
    rows, _, _ = tiny_training_rows(sessions=30)
    train = np.flatnonzero(np.array([s != "s0" for s in rows.sessions]))
    rows.raw.brands[int(np.flatnonzero(np.array(rows.sessions) == "s0")[0])] = "OnlyInTest"
    prepared = prepare_fold(rows, train, TrainSettings(min_brand_count=1))
    assert "onlyintest" not in prepared.encoders.brands


@pytest.mark.slow
def test_cross_validation_is_deterministic_and_learns_the_brand_preference(tmp_path) -> None:
    rows, _, _ = tiny_training_rows(sessions=120)
    settings = TrainSettings(folds=3, epochs=6, patience=2, batch_size=64)
    first = cross_validate(rows, ["baseline", "logreg"], settings)
    second = cross_validate(rows, ["baseline", "logreg"], settings)
    assert [e.model_dump() for e in first.evaluations] == [
        e.model_dump() for e in second.evaluations
    ]
    by_name = {e.model: e for e in first.evaluations}
    # Clicks follow the session's favourite brand, which only the history features reveal.
    assert by_name["logreg"].auc.mean > by_name["baseline"].auc.mean + 0.05
    assert len(by_name["logreg"].folds) == 3
    summary = summarise("logreg", by_name["logreg"].folds)
    assert summary.auc.std >= 0
    png = plot_calibration(first.labels, first.out_of_fold, tmp_path / "calibration.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
