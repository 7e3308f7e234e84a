"""A catalog N times the bundled one, made of SYNTHETIC variants of the real products.

The bundled Icecat catalog has 19,406 real products. To benchmark at 10x (194,060 products)
every real product is kept and joined by 9 synthetic *sibling listings*, the way a shop lists
one model in several colours, capacities and bundles. A variant is drawn from its original's
own attributes and from the distributions of the original's category in the real catalog:

* id ``<original id>-v<k>``, ``source="synthetic"`` and the attribute ``variant_of`` (the
  original's id): a variant can never be mistaken for a real product;
* a model suffix on the part number (``08A0476`` -> ``08A0476-XL3``), replaced in the title
  where the title names the part number, appended to the title otherwise;
* an EAN in GS1's restricted-circulation range (prefix ``2``, valid check digit), which no
  real product carries;
* often a colour drawn from the colours of the category (weighted by how often they occur),
  the colour word in the title swapped;
* sometimes a capacity (memory, disk, cable length, page yield) drawn from the values that
  attribute takes in the category, the number in the title rewritten (or the value appended),
  the price scaled by the square root of the capacity ratio;
* a price jitter (x exp(N(0, 0.08))) that keeps the original's cents ending (``.95``).

Everything is seeded: the same products, scale and seed give the same catalog, and a
variant depends only on (seed, original id, k), not on the order of the products.

Example:
    >>> from retrieval.catalog.loading import bundled_catalog_path, load_catalog
    >>> real = load_catalog(bundled_catalog_path()).products  # doctest: +SKIP
    >>> catalog = list(scaled_catalog(real, scale=10, seed=0))  # doctest: +SKIP
    >>> len(catalog), catalog[1].id  # doctest: +SKIP
    (194060, '3920564-v1')
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from retrieval.catalog.product import AttributeValue, Product

SYNTHETIC_SOURCE = "synthetic"
# Numeric attributes a variant may change, with the unit their Icecat values are in and the
# unit spellings a title may use for them.
CAPACITIES: dict[str, tuple[str, str]] = {
    "internal_memory": ("GB", r"\s?GB"),
    "hdd_capacity": ("GB", r"\s?GB"),
    "ssd_capacity": ("GB", r"\s?GB"),
    "total_storage_capacity": ("GB", r"\s?GB"),
    "cable_length": ("m", r"\s?m\b|\s?M\b"),
    "black_toner_page_yield": ("pages", r"\s?(?:pages|pgs|p)\b"),
}
SUFFIXES = ("A", "B", "E", "K", "R", "XL", "EU", "BK", "W", "PRO")
COLOUR_CHANCE = 0.6
CAPACITY_CHANCE = 0.5
PRICE_SIGMA = 0.08


def scaled_size(n_real: int, scale: float) -> int:
    """How many products a catalog ``scale`` times ``n_real`` real products holds.

    Example:
        >>> scaled_size(19406, 10), scaled_size(19406, 0.05)
        (194060, 970)
    """
    if scale <= 0:
        raise ValueError(f"scale must be positive, got {scale}")
    return max(1, round(n_real * scale))


def scaled_catalog(products: Sequence[Product], scale: float, seed: int = 0) -> Iterator[Product]:
    """The real ``products`` scaled: a seeded sample below 1, all of them plus variants above.

    Products are yielded lazily (each real product, then its variants), so a 10x catalog
    never sits in memory at once.
    """
    target = scaled_size(len(products), scale)
    if target <= len(products):
        picked = sorted(random.Random(seed).sample(range(len(products)), target))
        yield from (products[i] for i in picked)
        return
    per_product, extra = divmod(target - len(products), len(products))
    one_more = set(random.Random(seed).sample(range(len(products)), extra))
    maker = VariantMaker(products, seed)
    for i, product in enumerate(products):
        yield product
        for k in range(1, per_product + (i in one_more) + 1):
            yield maker.variant(product, k)


class VariantMaker:
    """Makes synthetic variants of real products from the catalog's own distributions.

    Example:
        >>> maker = VariantMaker(real_products, seed=0)  # doctest: +SKIP
        >>> maker.variant(real_products[0], 1).attributes["variant_of"]  # doctest: +SKIP
        '3920564'
    """

    def __init__(self, products: Sequence[Product], seed: int = 0) -> None:
        if not products:
            raise ValueError("variants need at least one real product")
        self.seed = seed
        self._colours: dict[str, Counter[str]] = defaultdict(Counter)
        self._colour_words: dict[str, re.Pattern[str]] = {}
        self._values: dict[tuple[str, str], Counter[float]] = defaultdict(Counter)
        for p in products:
            if p.color:
                self._colours[p.category][p.color] += 1
            for name in CAPACITIES:
                value = p.attributes.get(name)
                if isinstance(value, float | int) and not isinstance(value, bool) and value > 0:
                    self._values[p.category, name][float(value)] += 1

    def variant(self, product: Product, k: int) -> Product:
        """The ``k``-th (1-based) variant of ``product``; the same for the same seed."""
        if k < 1:
            raise ValueError(f"variant number must be >= 1, got {k}")
        rng = random.Random(f"{self.seed}:{product.id}:{k}")
        attrs: dict[str, AttributeValue] = dict(product.attributes)
        title, price = product.title, product.price
        part = str(attrs.get("part_number") or product.id)
        new_part = f"{part}-{rng.choice(SUFFIXES)}{k}"
        title = title.replace(part, new_part) if part in title else f"{title} ({new_part})"
        attrs.update(part_number=new_part, ean=synthetic_ean(self.seed, product.id, k))
        attrs["variant_of"] = product.id
        color = product.color
        if rng.random() < COLOUR_CHANCE:
            color, title = self._recolour(product, title, attrs, rng)
        if rng.random() < CAPACITY_CHANCE:
            title, price = self._resize(product, title, price, attrs, rng)
        changes: dict[str, Any] = {
            "id": f"{product.id}-v{k}",
            "title": title[:1000],
            "color": color,
            "price": _jitter(price, _cents(product.price), rng),
            "attributes": attrs,
            "source": SYNTHETIC_SOURCE,
        }
        return Product.model_validate({**product.model_dump(), **changes})

    def _recolour(
        self,
        product: Product,
        title: str,
        attrs: dict[str, AttributeValue],
        rng: random.Random,
    ) -> tuple[str, str]:
        """A colour of the category other than the product's, swapped into the title."""
        # Sorted: the draw must not depend on the order the catalog listed the products in.
        choices = sorted(c for c in self._colours.get(product.category, {}) if c != product.color)
        if not choices:
            return product.color, title
        weights = [self._colours[product.category][c] for c in choices]
        colour = rng.choices(choices, weights)[0]
        new = colour.split(",")[0].strip()
        found = self._colour_word(product.category).search(title)
        if found:
            title = title[: found.start()] + new + title[found.end() :]
        else:
            title = f"{title}, {new}"
        if "product_colour" in attrs:
            attrs["product_colour"] = colour
        return colour, title

    def _colour_word(self, category: str) -> re.Pattern[str]:
        """Any colour word of ``category`` (the first colour of each of its colour values)."""
        if category not in self._colour_words:
            words = {c.split(",")[0].strip() for c in self._colours[category]} - {""}
            alternation = "|".join(sorted(map(re.escape, words), key=len, reverse=True))
            self._colour_words[category] = re.compile(rf"\b(?:{alternation or '(?!)'})\b", re.I)
        return self._colour_words[category]

    def _resize(
        self,
        product: Product,
        title: str,
        price: Decimal,
        attrs: dict[str, AttributeValue],
        rng: random.Random,
    ) -> tuple[str, Decimal]:
        """Another capacity the category knows for one of the product's capacity attributes."""
        names = [n for n in CAPACITIES if (product.category, n) in self._values and n in attrs]
        if not names:
            return title, price
        name = rng.choice(names)
        old = float(attrs[name])
        seen = self._values[product.category, name]
        choices = sorted(v for v in seen if v != old)
        if not choices or old <= 0:
            return title, price
        new = rng.choices(choices, [seen[v] for v in choices])[0]
        attrs[name] = new
        unit, unit_pattern = CAPACITIES[name]
        old_number = re.compile(rf"(?<![\d.]){re.escape(_number(old))}(?=(?:{unit_pattern}))")
        if old_number.search(title):
            title = old_number.sub(_number(new), title, count=1)
        else:
            title = f"{title}, {_number(new)} {unit}"
        ratio = min(max(math.sqrt(new / old), 0.5), 2.5)
        return title, price * Decimal(str(round(ratio, 4)))


def synthetic_ean(seed: int, product_id: str, k: int) -> str:
    """A 13-digit EAN in the restricted-circulation range (``2...``) with a valid check digit.

    Example:
        >>> code = synthetic_ean(0, "69340", 1)
        >>> len(code), code[0], ean_check_digit(code[:12]) == code[12]
        (13, '2', True)
    """
    digest = hashlib.sha256(f"{seed}:{product_id}:{k}".encode()).hexdigest()
    body = "2" + str(int(digest, 16))[-11:].zfill(11)
    return body + ean_check_digit(body)


def ean_check_digit(first_12: str) -> str:
    """The EAN-13 check digit of 12 digits (weights 1, 3, 1, ... from the left)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first_12))
    return str((10 - total % 10) % 10)


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _cents(price: Decimal) -> Decimal:
    return price - price.to_integral_value(rounding=ROUND_FLOOR)


# Cents endings of nearly all catalog prices (16,585 x .95, 1,747 x .94, 911 x .45, 163 x .44).
PRICE_ENDINGS = (Decimal("0.95"), Decimal("0.94"), Decimal("0.45"), Decimal("0.44"))


def _jitter(price: Decimal, cents: Decimal, rng: random.Random) -> Decimal:
    """``price`` x exp(N(0, sigma)), ending in the original's ``cents`` when they are usual."""
    if price <= 0:
        return Decimal("0.00")
    jittered = price * Decimal(str(round(math.exp(rng.gauss(0.0, PRICE_SIGMA)), 4)))
    if cents in PRICE_ENDINGS:
        return jittered.to_integral_value(rounding=ROUND_FLOOR) + cents
    return jittered.quantize(Decimal("0.01"))
