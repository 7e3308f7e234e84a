"""Experiment statistics: Wilson intervals, McNemar, paired bootstrap, lift."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binomtest

from ranking.sim_stats import compare, mcnemar_p, wilson

pytestmark = pytest.mark.unit


def test_wilson_matches_the_closed_form_and_the_edges() -> None:
    low, high = wilson(30, 100)
    assert low == pytest.approx(0.2189, abs=1e-4) and high == pytest.approx(0.3958, abs=1e-4)
    assert wilson(0, 50)[0] == pytest.approx(0.0, abs=1e-12)
    assert wilson(50, 50)[1] == pytest.approx(1.0, abs=1e-12)
    assert wilson(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson(5, 3)


def test_mcnemar_counts_only_discordant_pairs() -> None:
    control = np.array([1, 1, 0, 0, 0, 0, 1, 0], dtype=bool)
    treatment = np.array([1, 1, 1, 1, 1, 0, 0, 1], dtype=bool)
    # discordant: 4 treatment-only, 1 control-only
    assert mcnemar_p(control, treatment) == pytest.approx(binomtest(4, 5, 0.5).pvalue)
    assert mcnemar_p(control, control) == 1.0
    many_c = np.array([True] * 35 + [False] * 60 + [True] * 500)
    many_t = np.array([False] * 35 + [True] * 60 + [True] * 500)
    assert mcnemar_p(many_c, many_t) == pytest.approx(binomtest(60, 95, 0.5).pvalue, rel=1e-9)


def _binary(values: list[int]) -> tuple[np.ndarray, np.ndarray]:
    return np.array(values, dtype=float), np.ones(len(values))


def test_identical_arms_have_zero_lift_and_p_one() -> None:
    arm = _binary([1, 0, 1, 1, 0, 0, 1, 0])
    result = compare(arm, arm, resamples=500, seed=1, binary=True)
    assert result.lift == 0.0 and result.difference == 0.0 and result.p_value == 1.0
    assert result.lift_low == 0.0 and result.lift_high == 0.0
    ratio = (np.array([1.0, 0, 3, 2]), np.array([5.0, 5, 10, 5]))
    assert compare(ratio, ratio, 500, 1, binary=False).p_value == 1.0


def test_lift_comes_from_the_arms_and_intervals_contain_the_estimates() -> None:
    rng = np.random.default_rng(3)
    control = _binary(list((rng.random(400) < 0.3).astype(int)))
    treatment = _binary(list((rng.random(400) < 0.45).astype(int)))
    result = compare(control, treatment, resamples=1000, seed=2, binary=True)
    c, t = control[0].mean(), treatment[0].mean()
    assert result.control.value == pytest.approx(c) and result.treatment.value == pytest.approx(t)
    assert result.lift == pytest.approx(t / c - 1)
    assert result.lift_low is not None and result.lift_high is not None
    assert result.lift_low < result.lift < result.lift_high
    for estimate in (result.control, result.treatment):
        assert estimate.low <= estimate.value <= estimate.high
    assert result.p_value < 0.001


def test_ratio_metric_uses_sums_over_sessions() -> None:
    clicks = np.array([0.0, 2, 1, 0, 3])
    shown = np.array([5.0, 10, 5, 5, 10])
    more = clicks + np.array([1.0, 0, 1, 0, 1])
    result = compare((clicks, shown), (more, shown), resamples=500, seed=4, binary=False)
    assert result.control.value == pytest.approx(6 / 35)
    assert result.treatment.value == pytest.approx(9 / 35)
    assert result.lift == pytest.approx(0.5)
    assert result.test.startswith("paired bootstrap")
    with pytest.raises(ValueError):
        compare((clicks, shown), (clicks[:3], shown[:3]), 10, 1, binary=False)
