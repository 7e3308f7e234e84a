"""The checkable claims in a text: prices, policy quantities, numbers, model names, brands.

Both the facts given to the model and the model's answer are read with the same functions, so
"$1,234.50" in the answer matches a price of ``Decimal("1234.5")`` and "thirty days" matches
"30 days".
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

_AMOUNT = r"(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_PRICE = re.compile(
    rf"(?:US\$|\$|USD\s?|€|EUR\s?|£|GBP\s?)\s?{_AMOUNT}"
    rf"|{_AMOUNT}\s?(?:dollars?\b|bucks\b|usd\b|eur\b|euros?\b|€|£)",
    re.I,
)
_WORD_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14,
    "fifteen": 15, "twenty": 20, "twenty-one": 21, "twenty-four": 24, "thirty": 30,
    "forty-five": 45, "sixty": 60, "ninety": 90, "hundred": 100,
}  # fmt: skip
_UNITS = {
    "business day": "business day", "working day": "business day", "day": "day",
    "week": "week", "month": "month", "year": "year", "hour": "hour", "%": "%", "percent": "%",
    "per cent": "%",
}  # fmt: skip
_QUANTITY = re.compile(
    r"(?<![\w.$€£])(\d+(?:\.\d+)?|" + "|".join(sorted(_WORD_NUMBERS, key=len, reverse=True)) + r")"
    r"\s*(?:-\s*|\s+)?(?:calendar\s+)?"
    r"(business[\s-]+days?|working[\s-]+days?|days?|weeks?|months?|years?|hours?|%|per\s?cent)"
    r"(?![a-z])",
    re.I,
)
_NUMBER = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
# A token mixing letters and digits reads as a model or part number: "dv7-1211ea", "T14s".
_MIXED = re.compile(r"(?<![\w-])(?=[\w-]*\d)(?=[\w-]*[^\W\d_])[^\W_][\w-]*[^\W_]|(?<!\w)\d[^\W\d_]")
# Measurements and ordinals are numbers, not model names: "16GB", "4K", "30-day", "2nd".
_MEASURE = re.compile(
    r"\d+(?:\.\d+)?-?(?:gb|tb|mb|kb|ghz|mhz|hz|w|wh|mah|mm|cm|m|km|ft|in|inch|k|p|fps|dpi|ppm|"
    r"ms|mp|x|v|st|nd|rd|th|pcs?|pack|day|days|week|weeks|month|months|year|years|hour|hours|"
    r"percent)",
    re.I,
)
# CamelCase and ALL-CAPS words name product lines ("ThinkPad", "XPS"); common ones are fine.
_NAME_LIKE = re.compile(r"\b(?:[a-z]+[A-Z]\w*|[A-Z][a-z]+[A-Z]\w*|[A-Z]{3,})\b")
COMMON_TERMS = frozenset(
    "usb hdmi ram ssd hdd led lcd usd eur gbp faq dpi cpu gpu wifi ips oled dvd vga dvi pdf "
    "rma sku ean ac dc lan wlan nfc uk us eu rgb ddr sata nvme pcie ok".split()
)


def to_decimal(raw: str) -> Decimal | None:
    """``"1,234.50"`` -> ``Decimal("1234.5")`` (normalised), or None if it is not a number."""
    try:
        return Decimal(raw.replace(",", "")).normalize()
    except InvalidOperation:
        return None


def prices(text: str) -> set[Decimal]:
    """Money amounts: "$1,234.50", "USD 99", "49.95 dollars"."""
    found = set()
    for m in _PRICE.finditer(text):
        value = to_decimal(m.group(1) or m.group(2))
        if value is not None:
            found.add(value)
    return found


def quantities(text: str) -> set[tuple[Decimal, str]]:
    """Durations and percentages: "30 days" -> (30, "day"), "thirty-day" -> (30, "day"),
    "15%" -> (15, "%"), "a year" -> (1, "year")."""
    found = set()
    for m in _QUANTITY.finditer(text):
        raw, unit = m.group(1).lower(), " ".join(m.group(2).lower().replace("-", " ").split())
        number = Decimal(_WORD_NUMBERS[raw]) if raw in _WORD_NUMBERS else to_decimal(raw)
        unit = unit[:-1] if unit.endswith("s") and unit != "%" else unit
        if number is not None:
            found.add((number.normalize(), _UNITS.get(unit, unit)))
    return found


def numbers(text: str) -> set[Decimal]:
    """Every number written with digits."""
    found = {to_decimal(m.group(0)) for m in _NUMBER.finditer(text)}
    return {n for n in found if n is not None}


def model_tokens(text: str) -> set[str]:
    """Tokens that look like model or part numbers (letters and digits mixed), lowercased."""
    tokens = {m.group(0).lower() for m in _MIXED.finditer(text)}
    return {t for t in tokens if not _MEASURE.fullmatch(t)}


def name_tokens(text: str) -> set[str]:
    """CamelCase and ALL-CAPS words that are not common technical terms, lowercased."""
    return {w.lower() for w in _NAME_LIKE.findall(text)} - COMMON_TERMS


def mentioned(term: str, text: str) -> bool:
    """Whether ``term`` occurs in ``text`` as a whole word (case-insensitive)."""
    return re.search(rf"(?<![\w]){re.escape(term)}(?![\w])", text, re.I) is not None
