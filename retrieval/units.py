"""Normalise measurements in product text so every spelling of a quantity is one token.

``13.3"``, ``13.3 inch``, ``13.3-inch`` and ``13.3in`` all become ``13.3in``; ``16 GB`` becomes
``16gb``; ``10 ft``, ``10-ft`` and ``10 feet`` become ``10ft``; ``3 m`` and ``3 metres`` become
``3m``. The text is expected in lower case (the tokenizer lower-cases first).
"""

from __future__ import annotations

import re

# Canonical unit -> the spellings that mean it (lower case). Longer spellings are tried first.
_UNIT_SPELLINGS: dict[str, tuple[str, ...]] = {
    "in": ("inches", "inch", '"'),
    "ft": ("feet", "foot", "ft.", "ft"),
    "m": ("meters", "meter", "metres", "metre", "m"),
    "cm": ("centimeters", "centimetres", "cm"),
    "mm": ("millimeters", "millimetres", "mm"),
    "km": ("km",),
    "tb": ("terabytes", "terabyte", "tbyte", "tb"),
    "gb": ("gigabytes", "gigabyte", "gbyte", "gb"),
    "mb": ("megabytes", "megabyte", "mbyte", "mb"),
    "kb": ("kilobytes", "kilobyte", "kb"),
    "ghz": ("ghz",),
    "mhz": ("mhz",),
    "hz": ("hz",),
    "gbps": ("gbit/s", "gb/s", "gbps"),
    "mbps": ("mbit/s", "mb/s", "mbps"),
    "mah": ("mah",),
    "wh": ("wh",),
    "w": ("watts", "watt", "w"),
    "v": ("volts", "volt", "v"),
    "kg": ("kg",),
    "g": ("grams", "gram", "g"),
    "lb": ("lbs", "lb"),
    "oz": ("oz",),
    "ppm": ("ppm",),
    "dpi": ("dpi",),
    "mp": ("megapixels", "megapixel", "mp"),
    "ms": ("ms",),
    "rpm": ("rpm",),
    "pin": ("pins", "pin"),
    "port": ("ports", "port"),
}

_CANONICAL: dict[str, str] = {
    spelling: unit for unit, spellings in _UNIT_SPELLINGS.items() for spelling in spellings
}
_ALTERNATION = "|".join(re.escape(s) for s in sorted(_CANONICAL, key=len, reverse=True))

# A number (thousands commas already removed), optional space or hyphen, then a unit that ends
# the word. The look-behind keeps digits inside part numbers ("dv7-1211ea") untouched.
_QUANTITY = re.compile(
    rf"(?<![\w.])(\d+(?:\.\d+)?)(?:\s?-\s?|\s?)({_ALTERNATION})(?![\w\"])",
)
# "in" is only a unit when glued to the number or hyphenated ("15.6in", "15.6-in"): the
# spaced form is too often the preposition ("15 in black").
_INCH_ABBREVIATION = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)-?in\.?(?![\w])")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_QUOTE_MARKS = str.maketrans({"″": '"', "”": '"', "“": '"', "’": "'", "‘": "'", "′": "'"})


def _unit_token(match: re.Match[str]) -> str:
    return f"{_trim(match.group(1))}{_CANONICAL[match.group(2)]}"


def normalize_units(text: str) -> str:
    """Rewrite every measurement in lower-case ``text`` as ``<number><unit>``.

    Args:
        text: Lower-case product or query text.

    Returns:
        The text with measurements glued to canonical unit names, e.g.
        ``'33.8 cm (13.3")'`` -> ``'33.8cm (13.3in)'``.

    Example:
        >>> normalize_units('a 10 ft cable, 16 gb and a 13.3" screen')
        'a 10ft cable, 16gb and a 13.3in screen'
    """
    text = text.translate(_QUOTE_MARKS).replace("''", '"')
    text = _THOUSANDS.sub("", text)
    text = _INCH_ABBREVIATION.sub(lambda m: f"{_trim(m.group(1))}in", text)
    return _QUANTITY.sub(_unit_token, text)


def _trim(number: str) -> str:
    """``"13.30"`` -> ``"13.3"``, ``"10.0"`` -> ``"10"``; integers unchanged."""
    return (number.rstrip("0").rstrip(".") or "0") if "." in number else number
