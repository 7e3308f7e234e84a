"""What a catalog product says about the attributes shoppers filter on, in common units.

Icecat stores the screen diagonal in inches (``display_diagonal``), cable length in metres
(``cable_length``) and memory as ``internal_memory`` (GB for computers and phones, MB for
printers and most peripherals; RAM modules mix both). When the attribute is missing, a
title such as 'HP Compaq 6820s Notebook 43.2 cm (17")' or '... 10 ft ...' still tells.
Compatibility is read from every ``*compatib*`` attribute plus title, brand and description.
"""

from __future__ import annotations

import re

from retrieval.catalog.product import AttributeValue, Product
from retrieval.filters import SearchFilters

_GB_CATEGORIES = frozenset(
    {"laptop", "desktop", "tablet", "phone", "server", "handheld", "wearable", "graphics-card"}
)
_TITLE_SCREEN = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d)?)\s*(?:[\"”″]|-?\s?inch\b)", re.I)
_TITLE_LENGTH = re.compile(r"(?<![\w.])(\d{1,3}(?:\.\d{1,3})?)\s*-?\s*(m|ft|feet|foot)\b", re.I)
_SPLIT = re.compile(r"[^0-9a-z]+")


def _number(value: AttributeValue | None) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    m = re.match(r"\s*(\d+(?:\.\d+)?)", value)
    return float(m[1]) if m else None


def screen_inches(product: Product) -> float | None:
    """The screen diagonal in inches, from ``display_diagonal`` or the title."""
    value = _number(product.attributes.get("display_diagonal"))
    if value is not None and value > 0:
        return value
    m = _TITLE_SCREEN.search(product.title)
    return float(m[1]) if m else None


def memory_gb(product: Product) -> float | None:
    """Internal memory (RAM) in GB, normalising Icecat's MB values."""
    value = _number(product.attributes.get("internal_memory"))
    if value is None or value <= 0:
        return None
    if product.category in _GB_CATEGORIES:
        return value
    if product.category == "memory":
        return value / 1024 if value >= 256 else value
    return round(value / 1024, 4)


def cable_length_m(product: Product) -> float | None:
    """Cable length in metres, from ``cable_length`` or a length in the title."""
    value = _number(product.attributes.get("cable_length"))
    if value is not None and value > 0:
        return value
    m = _TITLE_LENGTH.search(product.title)
    if not m:
        return None
    return float(m[1]) * (1.0 if m[2].lower() == "m" else 0.3048)


def compatibility_text(product: Product) -> str:
    """Everything the product says about what it works with."""
    parts = [
        str(value)
        for key, value in product.attributes.items()
        if "compatib" in key and not isinstance(value, bool)
    ]
    return " ".join([product.brand, product.title, *parts, product.description])


def _tokens(text: str) -> set[str]:
    lowered = text.lower().replace("\\n", " ")
    tokens = {t for t in _SPLIT.split(lowered) if t}
    for chunk in re.split(r"[\s,;/()]+", lowered):
        joined = _SPLIT.sub("", chunk)
        if joined:
            tokens.add(joined)
    return tokens


def is_compatible(product: Product, target: str) -> bool:
    """Whether every word of ``target`` ("Lexmark E320") appears in the product's
    compatibility data, title or brand ("E-320" and "E320" are the same word)."""
    wanted = {_SPLIT.sub("", w) for w in target.lower().split()} - {""}
    return bool(wanted) and wanted <= _tokens(compatibility_text(product))


def _within(value: float | None, low: float | None, high: float | None) -> bool:
    if low is None and high is None:
        return True
    if value is None:
        return False
    return (low is None or value >= low) and (high is None or value <= high)


def has_attribute_filters(filters: SearchFilters) -> bool:
    """Whether ``filters`` hold a constraint that :func:`satisfies` has to check."""
    return any(
        getattr(filters, name) is not None
        for name in (
            "screen_inches_min", "screen_inches_max", "memory_gb_min", "memory_gb_max",
            "cable_length_m_min", "cable_length_m_max", "compatible_with",
        )
    )  # fmt: skip


def satisfies(product: Product, filters: SearchFilters) -> bool:
    """Whether ``product`` meets the attribute constraints of ``filters``.

    A product whose data does not state the attribute does not meet a constraint on it: we
    never claim a size or a compatibility the catalog does not support.
    """
    f = filters
    return (
        _within(screen_inches(product), f.screen_inches_min, f.screen_inches_max)
        and _within(memory_gb(product), f.memory_gb_min, f.memory_gb_max)
        and _within(cable_length_m(product), f.cable_length_m_min, f.cable_length_m_max)
        and (f.compatible_with is None or is_compatible(product, f.compatible_with))
    )
