"""Slot extraction from one shopper message: price bounds, brands, category, colour."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from pydantic import BaseModel, ConfigDict, Field

_NUM = r"\$?\s*(\d[\d,]*(?:\.\d+)?)\s*(k\b)?\s*(?:usd|dollars?|bucks|\$)?"
_UNDER = (
    r"(?:under|below|less than|cheaper than|no more than|not more than|at most|max(?:imum)?"
    r"|up to|within|<=?)"
)
_OVER = r"(?:over|above|more than|at least|min(?:imum)?|from|starting at|>=?)"
_BETWEEN = re.compile(rf"\bbetween\s+{_NUM}\s+(?:and|to|-)\s+{_NUM}", re.I)
_RANGE = re.compile(rf"(?<![\w.])\$\s*(\d[\d,]*(?:\.\d+)?)\s*(k\b)?\s*(?:-|to)\s*{_NUM}", re.I)
_UNDER_RE = re.compile(rf"(?:\b|(?=<)){_UNDER}\s*{_NUM}", re.I)
_OVER_RE = re.compile(rf"(?:\b|(?=>)){_OVER}\s*{_NUM}", re.I)
_AROUND_RE = re.compile(rf"\b(?:around|about|approximately|roughly|~)\s*{_NUM}", re.I)
_BUDGET_RE = re.compile(rf"\bbudget\s+(?:of|is)?\s*{_NUM}", re.I)

COLORS: tuple[str, ...] = (
    "black", "white", "silver", "grey", "gray", "blue", "red", "green", "yellow", "pink",
    "purple", "orange", "gold", "brown", "beige", "transparent", "cyan", "magenta",
)  # fmt: skip
_COLOR_CANONICAL = {"gray": "grey"}


class PriceBounds(BaseModel):
    """Price bounds found in a message, and the character spans they came from."""

    model_config = ConfigDict(frozen=True)

    minimum: Decimal | None = None
    maximum: Decimal | None = None
    spans: tuple[tuple[int, int], ...] = Field(default_factory=tuple)


def _amount(number: str, thousands: str | None) -> Decimal | None:
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    if thousands:
        value *= 1000
    if value > Decimal("10000000"):
        return None
    return value.quantize(Decimal("0.01"))


def extract_price(text: str) -> PriceBounds:
    """Find price bounds: "under $800", "over 500 dollars", "between 300 and 600", "$1k".

    Example:
        >>> extract_price("a laptop under 800 dollars").maximum
        Decimal('800.00')
    """
    for pattern in (_BETWEEN, _RANGE):
        m = pattern.search(text)
        if m:
            low, high = _amount(m[1], m[2]), _amount(m[3], m[4])
            if low is not None and high is not None:
                low, high = min(low, high), max(low, high)
                return PriceBounds(minimum=low, maximum=high, spans=(m.span(),))
    minimum = maximum = None
    spans: list[tuple[int, int]] = []
    for pattern, is_max in ((_UNDER_RE, True), (_BUDGET_RE, True), (_OVER_RE, False)):
        m = pattern.search(text)
        if m and (value := _amount(m[1], m[2])) is not None:
            if is_max and maximum is None:
                maximum = value
                spans.append(m.span())
            elif not is_max and minimum is None:
                minimum = value
                spans.append(m.span())
    if minimum is None and maximum is None:
        m = _AROUND_RE.search(text)
        if m and (value := _amount(m[1], m[2])) is not None:
            minimum = (value * Decimal("0.8")).quantize(Decimal("0.01"))
            maximum = (value * Decimal("1.2")).quantize(Decimal("0.01"))
            spans.append(m.span())
    if minimum is not None and maximum is not None and minimum > maximum:
        minimum, maximum = maximum, minimum
    return PriceBounds(minimum=minimum, maximum=maximum, spans=tuple(spans))


def _phrase_pattern(phrase: str) -> re.Pattern[str]:
    # Word boundaries for Latin text; CJK phrases match anywhere.
    if phrase.isascii():
        return re.compile(rf"(?<![\w.-]){re.escape(phrase)}(?![\w-])", re.I)
    return re.compile(re.escape(phrase))


class PhraseMatcher:
    """Finds known phrases (brand names, category words) in text, longest first.

    Example:
        >>> PhraseMatcher({"hp": "HP", "lenovo": "Lenovo"}).find_all("HP or Lenovo?")
        [('HP', (0, 2)), ('Lenovo', (6, 12))]
    """

    def __init__(self, phrases: Mapping[str, str]) -> None:
        ordered = sorted(phrases.items(), key=lambda kv: -len(kv[0]))
        self._patterns = [(_phrase_pattern(p), value) for p, value in ordered if p.strip()]

    def find_all(self, text: str) -> list[tuple[str, tuple[int, int]]]:
        taken: list[tuple[int, int]] = []
        found: list[tuple[str, tuple[int, int]]] = []
        for pattern, value in self._patterns:
            for m in pattern.finditer(text):
                span = m.span()
                if any(s < span[1] and span[0] < e for s, e in taken):
                    continue
                taken.append(span)
                found.append((value, span))
        return sorted(found, key=lambda item: item[1][0])


def brand_aliases(brands: Iterable[str]) -> dict[str, str]:
    """Lower-case names a shopper may type for each catalog brand.

    Besides the full name, a brand is reachable by its first word ("Kingston" for
    "Kingston Technology") and without a ``.com`` suffix ("StarTech"), when that short
    form is not itself another brand and is at least three characters long.
    """
    aliases: dict[str, str] = {}
    names = [b for b in brands if b and b.strip()]
    for brand in names:
        aliases[brand.lower()] = brand
    for brand in names:
        short = re.sub(r"\.com$", "", brand.split()[0], flags=re.I).lower()
        if len(short) >= 3 and short not in aliases:
            aliases[short] = brand
    return aliases


def extract_color(text: str) -> tuple[str | None, tuple[int, int] | None]:
    """The first colour word in ``text`` (canonical spelling) and its span."""
    for m in re.finditer(r"[a-z]+", text.lower()):
        if m[0] in COLORS:
            return _COLOR_CANONICAL.get(m[0], m[0]), m.span()
    return None, None
