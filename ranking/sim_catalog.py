"""What the shopper simulator knows of the catalog: needs, brands, prices, words, vectors.

Simulated shoppers draw their needs from the real catalog so that their messages use the
store's own vocabulary and their favourite brands are brands that actually sell what they want.
Everything here is computed once from the products table (a few seconds on the full catalog).

Example:
    >>> stats = CatalogStats.from_products(services.products.iter_all())
    >>> stats.categories[:3]
    ('laptop', 'monitor', 'printer')
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from retrieval.catalog.categories import CATEGORY_SYNONYMS
from retrieval.catalog.product import Product

__all__ = [
    "NEED_CATEGORIES",
    "CatalogStats",
    "CategoryStats",
    "ProductVectors",
]

# Categories a shopper plausibly comes to buy (accessories and consumables included); only
# those with enough products in the loaded catalog are used.
NEED_CATEGORIES: tuple[str, ...] = (
    "laptop", "monitor", "printer", "headset", "mouse", "keyboard", "toner", "ink", "cable",
    "storage", "desktop", "memory", "bag", "tv", "ups", "dock", "phone", "adapter", "scanner",
)  # fmt: skip

_WORD = re.compile(r"\b[a-z]{4,}\b")
_FEATURE_MIN_SHARE = 0.04  # a feature word appears in at least 4% of the category's titles
_FEATURE_MIN_LIFT = 2.0  # ... and at least twice as often as in the whole catalog
_MAX_FEATURES = 12


class CategoryStats(BaseModel):
    """One need category: its words, its brands by product count, its prices.

    Example:
        >>> stats.category("mouse").nouns
        ('mouse', 'mice', 'trackball')
    """

    model_config = ConfigDict(frozen=True)

    slug: str
    count: int
    nouns: tuple[str, ...]
    plural: str
    brands: tuple[str, ...]
    brand_counts: tuple[int, ...]
    price_quantiles: tuple[float, ...]  # the 0%, 5%, ..., 100% quantiles of the prices
    features: tuple[str, ...]  # distinctive title words ("wireless", "gaming")
    product_ids: tuple[str, ...] = ()  # the category's products (a shopper's taste is one)

    def price_at(self, quantile: float) -> float:
        """The price at ``quantile`` (0-1) of this category's price distribution."""
        grid = np.linspace(0.0, 1.0, len(self.price_quantiles))
        return float(np.interp(quantile, grid, self.price_quantiles))


def _category_words(slug: str) -> tuple[tuple[str, ...], str]:
    """The first few plain English words the query parser maps to ``slug``, and a plural."""
    words = [w for w, s in CATEGORY_SYNONYMS.items() if s == slug and w.isascii()]
    nouns = tuple(w for w in words[:4] if not (w.endswith("s") and w[:-1] in words))
    plural = next((w for w in words if w.endswith("s") and w[:-1] in words), "")
    if not nouns:
        nouns = (slug.replace("-", " "),)
    return nouns, plural or nouns[0]


def _title_words(title: str) -> set[str]:
    return set(_WORD.findall(title.lower()))


def _features(
    titles: list[str], global_share: Mapping[str, float], total: int, excluded: set[str]
) -> tuple[str, ...]:
    counts: Counter[str] = Counter()
    for title in titles:
        counts.update(_title_words(title) - excluded)
    picked: list[str] = []
    for word, n in counts.most_common():
        share = n / len(titles)
        if share < _FEATURE_MIN_SHARE or len(picked) >= _MAX_FEATURES:
            break
        if share >= _FEATURE_MIN_LIFT * global_share.get(word, 1.0 / total):
            picked.append(word)
    return tuple(sorted(picked))


class CatalogStats(BaseModel):
    """Need categories with enough products, and their :class:`CategoryStats`.

    Example:
        >>> stats = CatalogStats.from_products(products, min_products=30)
        >>> stats.category("laptop").brands[0]
        'HP'
    """

    model_config = ConfigDict(frozen=True)

    by_slug: dict[str, CategoryStats]

    @property
    def categories(self) -> tuple[str, ...]:
        """The need categories, in :data:`NEED_CATEGORIES` order."""
        return tuple(self.by_slug)

    def category(self, slug: str) -> CategoryStats:
        """The statistics of one need category (``KeyError`` if it is not one)."""
        return self.by_slug[slug]

    @classmethod
    def from_products(
        cls,
        products: Iterable[Product],
        min_products: int = 30,
        needs: Sequence[str] = NEED_CATEGORIES,
    ) -> CatalogStats:
        """Collect the statistics of every need category with ``min_products`` or more.

        Raises:
            ValueError: ``min_products`` < 1, or no need category has enough products.
        """
        if min_products < 1:
            raise ValueError("min_products must be at least 1")
        by_category: defaultdict[str, list[Product]] = defaultdict(list)
        document_counts: Counter[str] = Counter()
        total = 0
        for product in products:
            total += 1
            document_counts.update(_title_words(product.title))
            if product.category in needs:
                by_category[product.category].append(product)
        share = {w: n / max(total, 1) for w, n in document_counts.items()}
        stats = {}
        for slug in needs:
            items = by_category.get(slug, [])
            # A shopper needs a favourite brand among the category's sellers.
            if len(items) >= min_products and any(p.brand for p in items):
                stats[slug] = _category_stats(slug, items, share, total)
        if not stats:
            raise ValueError(f"no need category has {min_products} products or more")
        return cls(by_slug=stats)


def _category_stats(
    slug: str, items: list[Product], share: Mapping[str, float], total: int
) -> CategoryStats:
    nouns, plural = _category_words(slug)
    brands = Counter(p.brand for p in items if p.brand)
    ordered = sorted(brands.items(), key=lambda item: (-item[1], item[0]))
    prices = np.array([float(p.price) for p in items if p.price > 0] or [1.0])
    excluded = {b.lower() for b in brands} | {w for n in nouns for w in n.split()}
    excluded |= {plural, slug}
    return CategoryStats(
        slug=slug,
        count=len(items),
        nouns=nouns,
        plural=plural,
        brands=tuple(b for b, _ in ordered),
        brand_counts=tuple(n for _, n in ordered),
        price_quantiles=tuple(float(q) for q in np.quantile(prices, np.linspace(0, 1, 21))),
        features=_features([p.title for p in items], share, total, excluded),
        product_ids=tuple(sorted(p.id for p in items)),
    )


class ProductVectors(Protocol):
    """Unit-length embedding vectors of products by id (zeros for unknown ids)."""

    def vectors(self, ids: Sequence[str]) -> NDArray[np.float32]: ...
