"""Shopper-like queries mined from one product: title fragments, brand + category, attributes.

Every phrasing is built only from the product's own fields and the store taxonomy (category
labels and synonyms); no evaluation query is used. Each generator returns ``None`` when the
product lacks what it needs.

Example:
    >>> rng = random.Random(0)
    >>> phrasings_for(product, rng)
    [('title_fragment', 'Cat6 Snagless Patch Cable'), ('cable_length', '10 ft rj-45 cable'), ...]
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from functools import lru_cache

from retrieval.catalog.categories import CATEGORY_SYNONYMS, category_label
from retrieval.catalog.product import Product

Phrasing = tuple[str, str]
Generator = Callable[[Product, random.Random], str | None]

_FILLER = re.compile(r"^(original|pc\(s\)|pcs\.?|-|x|\d+|/|,)$", re.IGNORECASE)
_CODE = re.compile(r"^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9][A-Za-z0-9.\-/]{3,24}$")
_ASCII = re.compile(r"^[a-z0-9 .+\-/]+$")
_M_TO_FT = 3.2808
_SUPPLIES = frozenset({"ink", "toner", "printer-supplies", "labels", "paper"})


@lru_cache(maxsize=1)
def _synonyms_by_category() -> dict[str, tuple[str, ...]]:
    grouped: dict[str, list[str]] = {}
    for word, slug in CATEGORY_SYNONYMS.items():
        if _ASCII.match(word):
            grouped.setdefault(slug, []).append(word)
    return {slug: tuple(words) for slug, words in grouped.items()}


def category_word(product: Product, rng: random.Random) -> str:
    """A word shoppers use for the product's category (its label when none is listed).

    A multi-word synonym is used only when one of its leading words occurs in the product's
    own text, so a USB cable is never called an "hdmi cable".
    """
    text = f"{product.title} {product.description}".lower()
    words = [
        w
        for w in _synonyms_by_category().get(product.category, ())
        if " " not in w or any(part in text for part in w.split()[:-1])
    ]
    return rng.choice(words) if words else category_label(product.category).lower()


def _num(value: float) -> str:
    return f"{value:g}"


def _words_without_brand(product: Product, text: str) -> list[str]:
    brand_words = {w.lower() for w in product.brand.split()}
    return [w for w in text.split() if w.lower() not in brand_words]


def _span(words: list[str], rng: random.Random, shortest: int, longest: int) -> str | None:
    content = [w for w in words if not _FILLER.match(w)]
    if len(content) < shortest:
        return None
    length = rng.randint(shortest, min(longest, len(content)))
    start = rng.randint(0, len(content) - length)
    return " ".join(content[start : start + length])


def title_fragment(product: Product, rng: random.Random) -> str | None:
    """A run of 2-5 title words, brand left out."""
    return _span(_words_without_brand(product, product.title), rng, 2, 5)


def description_fragment(product: Product, rng: random.Random) -> str | None:
    """A run of 3-7 words of a description that says more than the title."""
    if not product.description or product.description.strip() in product.title:
        return None
    return _span(_words_without_brand(product, product.description), rng, 3, 7)


def brand_category(product: Product, rng: random.Random) -> str | None:
    """``"<brand> <category word>"``, e.g. ``"Targus laptop bag"``."""
    if not product.brand or product.category == "other":
        return None
    return f"{product.brand} {category_word(product, rng)}"


def _float_attr(product: Product, key: str) -> float | None:
    value = product.attributes.get(key)
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if value > 0 else None


def screen_size(product: Product, rng: random.Random) -> str | None:
    """``"15.6 inch HP laptop"`` from the display diagonal (inches)."""
    inches = _float_attr(product, "display_diagonal")
    if inches is None or product.category not in ("laptop", "monitor", "tv", "tablet"):
        return None
    unit = rng.choice(["inch", "in", '"'])
    sep = "" if unit == '"' else " "
    brand = f"{product.brand} " if rng.random() < 0.5 and product.brand else ""
    return f"{_num(inches)}{sep}{unit} {brand}{category_word(product, rng)}"


def _connector(product: Product) -> str | None:
    raw = product.attributes.get("connector_1")
    if not isinstance(raw, str) or not raw.strip():
        return None
    return re.sub(r"\s*\(.*?\)", "", raw).replace("2x ", "").strip().lower() or None


def cable_length(product: Product, rng: random.Random) -> str | None:
    """``"10 ft rj-45 cable"`` or ``"3m hdmi cable"`` from cable length and connector."""
    metres = _float_attr(product, "cable_length")
    if metres is None or product.category != "cable":
        return None
    if rng.random() < 0.5:
        size = f"{round(metres * _M_TO_FT)} ft"
    else:
        size = f"{_num(round(metres, 1))}m"
    connector = _connector(product)
    kind = f"{connector} " if connector else ""
    return f"{size} {kind}{category_word(product, rng)}"


def memory_size(product: Product, rng: random.Random) -> str | None:
    """``"8GB DDR4 memory"`` for memory modules."""
    size = _float_attr(product, "internal_memory")
    kind = product.attributes.get("internal_memory_type")
    if size is None or product.category != "memory" or not isinstance(kind, str):
        return None
    amount = f"{_num(size)}GB" if size >= 1 else f"{_num(size * 1024)}MB"
    return f"{amount} {kind.replace('-SDRAM', '')} {category_word(product, rng)}"


def printing_colour(product: Product, rng: random.Random) -> str | None:
    """``"cyan Xerox toner"`` for ink, toner and other supplies that state a colour."""
    colour = product.attributes.get("printing_colours")
    if not isinstance(colour, str) or "," in colour or product.category not in _SUPPLIES:
        return None
    return f"{colour.lower()} {product.brand} {category_word(product, rng)}".replace("  ", " ")


def compatible_with(product: Product, rng: random.Random) -> str | None:
    """``"toner for Phaser 6350"`` from the first model a supply is compatible with."""
    compat = product.attributes.get("compatibility")
    if not isinstance(compat, str) or len(compat) < 3:
        return None
    first = re.split(r"[,;/]", compat)[0].strip()
    if len(first) < 3 or len(first) > 40:
        return None
    return f"{category_word(product, rng)} for {first}"


def part_number(product: Product, rng: random.Random) -> str | None:
    """The manufacturer part number when it looks like a code, sometimes with the brand."""
    code = product.attributes.get("part_number")
    if not isinstance(code, str) or not _CODE.match(code.strip()):
        return None
    prefix = f"{product.brand} " if rng.random() < 0.5 and product.brand else ""
    return f"{prefix}{code.strip()}"


def processor_speed(product: Product, rng: random.Random) -> str | None:
    """``"Intel Core 2 Duo 2.4 GHz processor"`` from family and frequency."""
    family = product.attributes.get("processor_family")
    ghz = _float_attr(product, "processor_frequency")
    if not isinstance(family, str) or ghz is None or ghz > 10 or product.category != "processor":
        return None
    return f"{family} {_num(ghz)} GHz {category_word(product, rng)}"


def colour_product(product: Product, rng: random.Random) -> str | None:
    """``"black Targus backpack"`` from the product colour."""
    colour = product.attributes.get("product_colour") or product.color
    if not isinstance(colour, str) or not colour or "," in colour or product.category == "other":
        return None
    return f"{colour.lower()} {category_word(product, rng)}"


GENERATORS: dict[str, Generator] = {
    "title_fragment": title_fragment,
    "description_fragment": description_fragment,
    "brand_category": brand_category,
    "screen_size": screen_size,
    "cable_length": cable_length,
    "memory_size": memory_size,
    "printing_colour": printing_colour,
    "compatible_with": compatible_with,
    "part_number": part_number,
    "processor_speed": processor_speed,
    "colour_product": colour_product,
}
"""Generator name -> generator, in a fixed order."""


def phrasings_for(product: Product, rng: random.Random) -> list[Phrasing]:
    """Every ``(kind, query)`` the generators can make for ``product``."""
    found: list[Phrasing] = []
    for kind, generate in GENERATORS.items():
        query = generate(product, rng)
        if query:
            found.append((kind, " ".join(query.split())))
    return found
