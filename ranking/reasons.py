"""Short, true personal reasons for a product card, from the session features that moved it.

Each reason is stated only when the feature behind it holds for that product:

* "you opened it earlier" -- the session has an event on this very product;
* "similar to the Lenovo laptop you opened" -- the cosine of the product's vector to the most
  similar history item (another product) is at least ``similarity``; names that item;
* "you've been looking at HP" -- the session acted on products of this brand;
* "popular with laptop shoppers" -- the product's smoothed CTR is above its category's median
  among products with at least ``min_impressions`` impressions, and so are its own.

Budget, attribute and query-word reasons are worded in :mod:`assistant.replies`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ranking.features import SessionHistory
from retrieval.catalog.product import Product
from retrieval.catalog.taxonomy import category_label
from retrieval.embedder import Vectors


class PopularityStats(Protocol):
    """What the "popular" reason needs (:class:`ranking.popularity.PopularityTable`)."""

    def product_ctr(self, product_id: str) -> float: ...

    def impressions_of(self, product_id: str) -> int: ...

    def category_median(self, category: str, min_impressions: int) -> float | None: ...


class ReasonSettings(BaseModel):
    """Thresholds above which a feature is worth saying.

    Example:
        >>> ReasonSettings(similarity=0.8).max_reasons
        2
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    similarity: float = Field(default=0.75, ge=0, le=1)
    min_impressions: int = Field(default=20, ge=1)
    max_reasons: int = Field(default=2, ge=1)


class ReasonFacts(BaseModel):
    """The feature values one product's reasons were worded from (kept for checking)."""

    model_config = ConfigDict(frozen=True)

    acted_on: bool = False
    similar_to: int | None = None  # index into history.items
    similarity: float = 0.0
    brand_clicks: int = 0
    popular: bool = False


def _label(category: str) -> str:
    return category_label(category).lower() if category and category != "other" else "product"


def reason_facts(
    products: Sequence[Product],
    vectors: Vectors,
    history: SessionHistory,
    history_vectors: Vectors,
    popularity: PopularityStats | None,
    settings: ReasonSettings,
) -> list[ReasonFacts]:
    """The reason-worthy feature values of each product."""
    items = history.items
    acted = {item.product_id for item in items}
    brands: dict[str, int] = {}
    for item in items:
        if item.brand:
            brands[item.brand.lower()] = brands.get(item.brand.lower(), 0) + 1
    sims = vectors @ history_vectors.T if items else np.zeros((len(products), 0), dtype=np.float32)
    out: list[ReasonFacts] = []
    for i, product in enumerate(products):
        row = np.where([item.product_id != product.id for item in items], sims[i], -1.0)
        best = int(np.argmax(row)) if len(items) else -1
        best_sim = float(row[best]) if best >= 0 else 0.0
        out.append(
            ReasonFacts(
                acted_on=product.id in acted,
                similar_to=best if best >= 0 and best_sim >= settings.similarity else None,
                similarity=max(best_sim, 0.0),
                brand_clicks=brands.get(product.brand.lower(), 0) if product.brand else 0,
                popular=_is_popular(product, popularity, settings.min_impressions),
            )
        )
    return out


def _is_popular(product: Product, stats: PopularityStats | None, min_impressions: int) -> bool:
    if stats is None or stats.impressions_of(product.id) < min_impressions:
        return False
    median = stats.category_median(product.category, min_impressions)
    return median is not None and stats.product_ctr(product.id) > median


def word_reasons(
    product: Product, facts: ReasonFacts, history: SessionHistory, settings: ReasonSettings
) -> list[str]:
    """At most ``settings.max_reasons`` short reasons, strongest first."""
    reasons: list[str] = []
    if facts.acted_on:
        reasons.append("you opened it earlier")
    elif facts.similar_to is not None:
        item = history.items[facts.similar_to]
        name = f"{item.brand} {_label(item.category)}".strip()
        reasons.append(f"similar to the {name} you opened")
    if facts.brand_clicks:
        reasons.append(f"you've been looking at {product.brand}")
    if facts.popular:
        reasons.append(f"popular with {_label(product.category)} shoppers")
    return reasons[: settings.max_reasons]


def personal_reasons(
    products: Sequence[Product],
    vectors: Vectors,
    history: SessionHistory,
    history_vectors: Vectors,
    popularity: PopularityStats | None,
    settings: ReasonSettings | None = None,
) -> list[list[str]]:
    """The personal reasons of each product (empty lists when nothing personal applies).

    Example:
        >>> personal_reasons([thinkpad], vectors, history, history_vectors, table)
        [['similar to the Lenovo laptop you opened', "you've been looking at Lenovo"]]
    """
    settings = settings or ReasonSettings()
    facts = reason_facts(products, vectors, history, history_vectors, popularity, settings)
    return [word_reasons(p, f, history, settings) for p, f in zip(products, facts, strict=True)]
