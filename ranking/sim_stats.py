"""Statistics for the conversion experiment: Wilson intervals, paired bootstrap, McNemar.

Per arm, proportions over sessions (a click, an add-to-cart, a purchase in the session) get a
Wilson score interval; clicks per impression (a ratio of sums, sessions being the independent
unit) gets a percentile bootstrap over sessions. The lift treatment vs control gets a percentile
interval from a *paired* bootstrap (the same resampled shopper indices in both arms, since
both arms ran the same shoppers), and a p-value: McNemar's exact test on the discordant pairs
for the per-session proportions, the paired bootstrap's two-sided p for the ratio.

Example:
    >>> wilson(30, 100)
    (0.2189..., 0.3958...)
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel

__all__ = ["Comparison", "Estimate", "mcnemar_p", "paired_bootstrap", "wilson"]

FloatArray = NDArray[np.float64]
_Z95 = 1.959963984540054


class Estimate(BaseModel):
    """A point estimate with its 95% interval and how the interval was computed."""

    value: float
    low: float
    high: float
    method: str


class Comparison(BaseModel):
    """Treatment vs control on one metric (``lift`` relative: ``t / c - 1``)."""

    control: Estimate
    treatment: Estimate
    difference: float
    lift: float | None
    lift_low: float | None
    lift_high: float | None
    p_value: float
    test: str


def wilson(successes: int, n: int, z: float = _Z95) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion (``(0, 1)`` when ``n`` is 0)."""
    if n <= 0:
        return 0.0, 1.0
    if not 0 <= successes <= n:
        raise ValueError("successes must be between 0 and n")
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def mcnemar_p(control: NDArray[np.bool_], treatment: NDArray[np.bool_]) -> float:
    """Exact two-sided McNemar p-value for paired binary outcomes (1.0 with no discordance)."""
    only_treatment = int(np.sum(treatment & ~control))
    only_control = int(np.sum(control & ~treatment))
    discordant = only_treatment + only_control
    if discordant == 0:
        return 1.0
    # Two-sided exact binomial test of the discordant split against 1/2 (what
    # scipy.stats.binomtest gives; computed here to keep scipy.stats' slow import out).
    tail = sum(math.comb(discordant, k) for k in range(min(only_treatment, only_control) + 1))
    return min(1.0, 2.0 * tail / 2.0**discordant)


def _ratio(numerators: FloatArray, denominators: FloatArray) -> FloatArray:
    """Row-wise sum ratio, 0 where the denominator is 0."""
    num, den = numerators.sum(axis=-1), denominators.sum(axis=-1)
    return np.divide(num, den, out=np.zeros_like(num, dtype=float), where=den > 0)


def _lift(treatment: float, control: float) -> float | None:
    return treatment / control - 1.0 if control > 0 else None


def paired_bootstrap(
    control: tuple[FloatArray, FloatArray],
    treatment: tuple[FloatArray, FloatArray],
    resamples: int,
    rng: np.random.Generator,
) -> tuple[FloatArray, FloatArray]:
    """Bootstrap distributions of ``sum(num) / sum(den)`` in both arms, resampling pairs.

    Each arm is ``(numerators, denominators)`` per session, aligned by shopper; a proportion
    is the case ``denominators == 1``.
    """
    n = len(control[0])
    if n == 0 or any(len(a) != n for a in (*control, *treatment)):
        raise ValueError("both arms need the same, non-zero number of sessions")
    if resamples < 1:
        raise ValueError("resamples must be positive")
    idx = rng.integers(0, n, size=(resamples, n))
    return (
        _ratio(control[0][idx], control[1][idx]),
        _ratio(treatment[0][idx], treatment[1][idx]),
    )


def compare(
    control: tuple[FloatArray, FloatArray],
    treatment: tuple[FloatArray, FloatArray],
    resamples: int,
    seed: int,
    binary: bool,
) -> Comparison:
    """Both arms' estimates, the difference, the lift with its paired-bootstrap CI, a p-value."""
    rng = np.random.default_rng(seed)
    boot_c, boot_t = paired_bootstrap(control, treatment, resamples, rng)
    value_c = float(_ratio(*control))
    value_t = float(_ratio(*treatment))
    estimates = [
        _estimate(arm, value, boot, binary)
        for arm, value, boot in ((control, value_c, boot_c), (treatment, value_t, boot_t))
    ]
    lifts = np.divide(boot_t, boot_c, out=np.full_like(boot_t, np.nan), where=boot_c > 0) - 1.0
    lifts = lifts[np.isfinite(lifts)]
    lift = _lift(value_t, value_c)
    low, high = (
        (float(np.quantile(lifts, 0.025)), float(np.quantile(lifts, 0.975)))
        if lift is not None and len(lifts)
        else (None, None)
    )
    if binary:
        p_value = mcnemar_p(control[0] > 0, treatment[0] > 0)
        test = "McNemar exact (paired sessions)"
    else:
        p_value = _bootstrap_p(boot_t - boot_c, value_t - value_c)
        test = "paired bootstrap over sessions"
    return Comparison(
        control=estimates[0],
        treatment=estimates[1],
        difference=value_t - value_c,
        lift=lift,
        lift_low=low,
        lift_high=high,
        p_value=p_value,
        test=test,
    )


def _estimate(
    arm: tuple[FloatArray, FloatArray], value: float, boot: FloatArray, binary: bool
) -> Estimate:
    if binary:
        low, high = wilson(int(np.sum(arm[0] > 0)), len(arm[0]))
        return Estimate(value=value, low=low, high=high, method="Wilson score")
    low, high = float(np.quantile(boot, 0.025)), float(np.quantile(boot, 0.975))
    # A percentile interval always contains the point estimate of a ratio of sums only
    # approximately; widen it to include the estimate so the reported interval is coherent.
    return Estimate(
        value=value, low=min(low, value), high=max(high, value), method="bootstrap percentile"
    )


def _bootstrap_p(differences: FloatArray, observed: float) -> float:
    """Two-sided p of "no difference" from the bootstrap distribution of the difference."""
    if observed == 0 and not np.any(differences):
        return 1.0
    below = float(np.mean(differences <= 0))
    above = float(np.mean(differences >= 0))
    return min(1.0, 2.0 * min(below, above) + 1.0 / (len(differences) + 1))
