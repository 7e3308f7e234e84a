"""Fitted feature encoders (vocabularies, price buckets, standardisation) and smoothed priors.

Everything here is fitted on training rows only and saved next to the model weights as JSON
(``encoders.json``), so serving encodes features with exactly the training-time values.
"""

from __future__ import annotations

import copy
from collections import Counter
from collections.abc import Iterable, Mapping

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from ranking.features import NUMERIC_FEATURES, FeatureBatch, RawFeatures
from ranking.popularity import DEFAULT_GLOBAL_CTR, DEFAULT_STRENGTH, smoothed_ctr

OOV = 0
"""Id 0 of every vocabulary: unseen or rare values (cold-start brands, new categories)."""


class FeatureEncoders(BaseModel):
    """Vocabularies, price bucket edges and numeric standardisation fitted on training rows.

    Example:
        >>> encoders = FeatureEncoders.fit(raw, min_brand_count=3, price_buckets=10)
        >>> batch = encoders.encode(raw, positions)
        >>> FeatureEncoders.model_validate_json(encoders.model_dump_json()) == encoders
        True
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    numeric_names: list[str]
    numeric_mean: list[float]
    numeric_std: list[float]
    categories: list[str]  # id = index + 1; 0 = OOV
    brands: list[str]  # lower-cased; id = index + 1; 0 = OOV
    price_edges: list[float]  # bucket id = number of edges <= price
    max_position: int = Field(ge=1)

    @classmethod
    def fit(
        cls,
        raw: RawFeatures,
        min_brand_count: int = 3,
        price_buckets: int = 10,
        max_position: int = 10,
    ) -> FeatureEncoders:
        """Fit on the training rows ``raw`` (never on held-out rows)."""
        if min_brand_count < 1 or price_buckets < 2 or len(raw) == 0:
            raise ValueError("need min_brand_count >= 1, price_buckets >= 2 and some rows")
        brand_counts = Counter(b.lower() for b in raw.brands if b)
        quantiles = np.quantile(raw.prices, np.linspace(0, 1, price_buckets + 1)[1:-1])
        std = raw.numeric.std(axis=0)
        return cls(
            numeric_names=list(NUMERIC_FEATURES),
            numeric_mean=[float(v) for v in raw.numeric.mean(axis=0)],
            numeric_std=[float(v) if v > 1e-9 else 1.0 for v in std],
            categories=sorted(set(raw.categories)),
            brands=sorted(b for b, n in brand_counts.items() if n >= min_brand_count),
            price_edges=sorted({float(q) for q in quantiles}),
            max_position=max_position,
        )

    @property
    def cardinalities(self) -> tuple[int, int, int]:
        """Number of ids of each categorical column (including the OOV id)."""
        return len(self.categories) + 1, len(self.brands) + 1, len(self.price_edges) + 1

    def encode(self, raw: RawFeatures, positions: npt.NDArray[np.int64]) -> FeatureBatch:
        """Standardise numerics, map categoricals to ids (OOV = 0) and clip positions."""
        mean = np.asarray(self.numeric_mean)
        std = np.asarray(self.numeric_std)
        numeric = ((raw.numeric - mean) / std).astype(np.float32)
        categorical = np.stack(
            [
                _lookup(self.categories, raw.categories),
                _lookup(self.brands, [b.lower() for b in raw.brands]),
                np.searchsorted(np.asarray(self.price_edges), raw.prices, side="right"),
            ],
            axis=1,
        ).astype(np.int64)
        cosine = raw.numeric[:, NUMERIC_FEATURES.index("cosine")].astype(np.float32)
        return FeatureBatch(
            numeric=numeric,
            categorical=categorical,
            positions=np.clip(positions, 1, self.max_position).astype(np.int64),
            cosine=cosine,
            vectors=raw.vectors,
            query_index=raw.query_index,
            candidate_index=raw.candidate_index,
            history_index=raw.history_index,
            reasons=dict(raw.reasons),
        )


def _lookup(vocabulary: list[str], values: Iterable[str]) -> npt.NDArray[np.int64]:
    ids = {value: i + 1 for i, value in enumerate(vocabulary)}
    return np.array([ids.get(v, OOV) for v in values], dtype=np.int64)


class CountPopularity:
    """:class:`ranking.features.Popularity` from (clicks, impressions) counts with Beta priors.

    The same smoothing as :class:`ranking.popularity.PopularityTable` (which serving uses),
    with cheap per-session views (:meth:`without`) so that a training row's priors never
    count its own session's clicks.

    Example:
        >>> pop = CountPopularity({"p1": (3, 10)}, {"laptop": (30, 200)}, {"p1": "laptop"})
        >>> pop.product_ctr("unknown") == pop.global_ctr  # cold start: the global rate
        True
    """

    def __init__(
        self,
        product_counts: Mapping[str, tuple[float, float]],
        category_counts: Mapping[str, tuple[float, float]],
        product_category: Mapping[str, str],
        strength: float = DEFAULT_STRENGTH,
    ) -> None:
        if strength <= 0:
            raise ValueError("strength must be positive")
        self._products = dict(product_counts)
        self._categories = dict(category_counts)
        self._product_category = dict(product_category)
        self.strength = strength
        self._totals = (
            sum(c for c, _ in self._categories.values()),
            sum(n for _, n in self._categories.values()),
        )
        self.global_ctr = smoothed_ctr(*self._totals, DEFAULT_GLOBAL_CTR, strength)
        self._minus_products: dict[str, tuple[float, float]] = {}
        self._minus_categories: dict[str, tuple[float, float]] = {}

    def category_ctr(self, category: str) -> float:
        clicks, shown = _net(self._categories, self._minus_categories, category)
        return smoothed_ctr(clicks, shown, self.global_ctr, self.strength)

    def product_ctr(self, product_id: str) -> float:
        clicks, shown = _net(self._products, self._minus_products, product_id)
        category = self._product_category.get(product_id)
        prior = self.category_ctr(category) if category is not None else self.global_ctr
        return smoothed_ctr(clicks, shown, prior, self.strength)

    def without(
        self,
        product_counts: Mapping[str, tuple[float, float]],
        category_counts: Mapping[str, tuple[float, float]],
    ) -> CountPopularity:
        """A view with some counts (one session's own) taken out: no label leakage.

        ``category_counts`` must total the same rows as ``product_counts``; the global rate
        is recomputed without them.
        """
        view = copy.copy(self)
        view._minus_products = dict(product_counts)
        view._minus_categories = dict(category_counts)
        clicks = self._totals[0] - sum(c for c, _ in category_counts.values())
        shown = self._totals[1] - sum(n for _, n in category_counts.values())
        view.global_ctr = smoothed_ctr(max(0.0, clicks), max(0.0, shown), DEFAULT_GLOBAL_CTR,
                                       self.strength)  # fmt: skip
        return view


Counts = Mapping[str, tuple[float, float]]


def _net(base: Counts, minus: Counts, key: str) -> tuple[float, float]:
    clicks, shown = base.get(key, (0.0, 0.0))
    c_minus, s_minus = minus.get(key, (0.0, 0.0))
    return max(0.0, clicks - c_minus), max(0.0, shown - s_minus)
