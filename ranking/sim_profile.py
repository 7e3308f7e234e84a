"""Simulated shoppers: a latent need, favourite brands, a budget, a price sensitivity, a patience,
and a taste (the kind of product they have in mind, a point in the embedding space).

A profile is drawn from a numpy ``Generator`` seeded by ``(seed, session index)``, so one
session can be re-created alone. The assistant never sees the profile: it only reads the
messages the shopper writes (which mostly do not name the favourite brands).

Example:
    >>> sampler = ProfileSampler(stats)
    >>> profile = sampler.sample(seed=1, index=0)
    >>> profile.category in stats.categories
    True
"""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from ranking.sim_catalog import CatalogStats

__all__ = ["ProfileParams", "ProfileSampler", "ShopperProfile", "session_rng"]

Probability = Annotated[float, Field(ge=0.0, le=1.0)]


def session_rng(seed: int, index: int, stream: int) -> np.random.Generator:
    """The generator of one stream (0 profile, 1 behaviour) of session ``index`` under ``seed``."""
    return np.random.default_rng([seed, index, stream])


class ShopperProfile(BaseModel):
    """One simulated shopper's latent preferences (never shown to the assistant).

    Example:
        >>> ShopperProfile(seed=1, index=0, category="mouse", noun="mouse", plural="mice",
        ...                feature="wireless", favourite_brands=["Logitech"], budget=40.0,
        ...                price_sensitivity=1.5, patience=4).need_text
        'wireless mouse'
    """

    model_config = ConfigDict(frozen=True)

    seed: int
    index: Annotated[int, Field(ge=0)]
    category: str
    noun: str
    plural: str
    feature: str | None = None
    favourite_brands: list[str]
    budget: Annotated[float, Field(gt=0)]
    price_sensitivity: Annotated[float, Field(ge=0)]
    patience: Annotated[int, Field(ge=1)]
    taste_id: str | None = None

    @property
    def need_text(self) -> str:
        """The need in words ("wireless mouse"): its embedding is the shopper's taste vector."""
        return f"{self.feature} {self.noun}" if self.feature else self.noun


class ProfileParams(BaseModel):
    """How profiles are drawn (see docs/simulation.md for each parameter).

    Example:
        >>> ProfileParams(second_brand_probability=0.0).max_patience
        6
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    feature_probability: Probability = 0.5
    second_brand_probability: Probability = 0.5
    budget_quantile_low: Probability = 0.3
    budget_quantile_high: Probability = 0.9
    sensitivity_low: Annotated[float, Field(ge=0)] = 0.5
    sensitivity_high: Annotated[float, Field(ge=0)] = 3.0
    min_patience: Annotated[int, Field(ge=1, le=50)] = 2
    max_patience: Annotated[int, Field(ge=1, le=50)] = 6

    @model_validator(mode="after")
    def _ordered_ranges(self) -> ProfileParams:
        if self.budget_quantile_low > self.budget_quantile_high:
            raise ValueError("budget_quantile_low must not exceed budget_quantile_high")
        if self.sensitivity_low > self.sensitivity_high:
            raise ValueError("sensitivity_low must not exceed sensitivity_high")
        if self.min_patience > self.max_patience:
            raise ValueError("min_patience must not exceed max_patience")
        return self


def _round_budget(value: float) -> float:
    """A budget a person would say: $5 steps under $100, $25 under $1000, else $100."""
    step = 5.0 if value < 100 else 25.0 if value < 1000 else 100.0
    return max(step, round(value / step) * step)


class ProfileSampler:
    """Draws :class:`ShopperProfile` s from the catalog's need categories.

    Category: uniform over the need categories (so small categories get shoppers too).
    Favourite brands: one, or two with ``second_brand_probability``, drawn without replacement
    from the brands selling the category, weighted by their product counts. Taste: one of the
    category's products, uniformly (the shopper likes products whose embedding is near it).

    Example:
        >>> ProfileSampler(stats).sample(seed=7, index=3).favourite_brands
        ['Logitech']
    """

    def __init__(self, stats: CatalogStats, params: ProfileParams | None = None) -> None:
        if not stats.categories:
            raise ValueError("the catalog statistics have no need category")
        self.stats = stats
        self.params = params or ProfileParams()

    def sample(self, seed: int, index: int) -> ShopperProfile:
        """The profile of session ``index`` under ``seed`` (same inputs, same profile)."""
        p = self.params
        rng = session_rng(seed, index, 0)
        category = self.stats.category(str(rng.choice(list(self.stats.categories))))
        noun = str(rng.choice(list(category.nouns)))
        with_feature = bool(category.features) and rng.random() < p.feature_probability
        feature = str(rng.choice(list(category.features))) if with_feature else None
        counts = np.asarray(category.brand_counts, dtype=float)
        wanted = 2 if len(counts) > 1 and rng.random() < p.second_brand_probability else 1
        picked = rng.choice(len(counts), size=min(wanted, len(counts)), replace=False,
                            p=counts / counts.sum())  # fmt: skip
        quantile = rng.uniform(p.budget_quantile_low, p.budget_quantile_high)
        sensitivity = float(rng.uniform(p.sensitivity_low, p.sensitivity_high))
        patience = int(rng.integers(p.min_patience, p.max_patience + 1))
        # Drawn last, so adding it left every earlier draw of a profile unchanged.
        ids = category.product_ids
        taste = ids[int(rng.integers(len(ids)))] if ids else None
        return ShopperProfile(
            seed=seed,
            index=index,
            category=category.slug,
            noun=noun,
            plural=category.plural if noun == category.nouns[0] else noun,
            feature=feature,
            favourite_brands=[category.brands[int(i)] for i in picked],
            budget=_round_budget(category.price_at(quantile)),
            price_sensitivity=sensitivity,
            patience=patience,
            taste_id=taste,
        )
