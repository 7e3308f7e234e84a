"""Attribute constraints in a message: screen size, memory, cable length.

"17 inch" is a 17" class screen (16.7-17.99"), "15.6 inch" is 15.55-15.65", "at least 15
inch" is a lower bound. "16GB" or "16 GB RAM" is memory (a bare size above 128 GB is storage
and left alone). "10 ft" is a cable of 2.74-3.35 m (±10 %, Icecat stores metres). Words before
or after the number make a bound: "at least", "over", "or more", "+", "以上" (lower);
"at most", "up to", "under", "or less", "以下" (upper).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict

from assistant.slots import Span

Bound = Literal["min", "max", "exact"]

_QUALIFIER_BEFORE = re.compile(
    r"(?P<min>at least|min(?:imum)?(?: of)?|bigger than|larger than|longer than|more than|over"
    r"|above|>=?|至少|大于)\s*$"
    r"|(?P<max>at most|max(?:imum)?(?: of)?|up to|under|below|less than|smaller than"
    r"|shorter than|no more than|<=?|最多|小于|不超过)\s*$",
    re.I,
)
_QUALIFIER_AFTER = re.compile(
    r"^\s*(?:(?P<min>\+|or (?:more|bigger|larger|longer|above|higher)|and up|以上)"
    r"|(?P<max>or (?:less|smaller|shorter|under|below)|and under|以下|以内))",
    re.I,
)
_STRICT = re.compile(r"than|over|above|under|below|大于|小于|^[<>]$", re.I)

_SCREEN = re.compile(
    r"(?<![\w.])(\d{1,3}(?:\.\d{1,2})?)\s*-?\s*(?:inch(?:es)?\b|in\.?(?=\s*(?:screen|display"
    r"|laptop|notebook|monitor|tv)\b)|[\"”″]|''|英寸|寸)",
    re.I,
)
_MEMORY = re.compile(
    r"(?<![\w.])(\d{1,4})\s*-?\s*(gb|gigs?|gigabytes?|g)(?![a-z0-9])(?:\s*(?:of\s+)?"
    r"(ram|memory|ddr\d?|lpddr\d?|sdram|内存))?|(?:ram|memory|内存)\s*(?:of|:|is)?\s*(\d{1,4})"
    r"\s*(?:gb|g)(?![a-z0-9])",
    re.I,
)
_STORAGE_AFTER = re.compile(
    r"^\s*(?:of\s+)?(?:ssd|hdd|storage|disk|drive|emmc|flash|card|usb|stick|硬盘|存储)", re.I
)
_LENGTH = re.compile(
    r"(?<![\w.])(\d{1,3}(?:\.\d{1,2})?)\s*-?\s*(ft|feet|foot|cm|m|meters?|metres?|米|英尺)"
    r"(?![a-z0-9])",
    re.I,
)
_STORAGE_WORDS = re.compile(
    r"\b(?:ssd|hdd|storage|hard (?:drive|disk)|flash drive|usb (?:stick|drive)|memory card"
    r"|sd card|micro ?sd|thumb drive|pen drive)\b|硬盘|存储|u盘",
    re.I,
)
_CABLE_WORDS = re.compile(r"\b(?:cable|cables|cord|cords|lead|leads|wire)\b|线", re.I)
_METRES = {"ft": 0.3048, "feet": 0.3048, "foot": 0.3048, "英尺": 0.3048, "cm": 0.01}


class AttributeSlots(BaseModel):
    """Numeric attribute bounds found in one message (``None`` = not mentioned).

    Example:
        >>> AttributeSlots(memory_gb_min=16.0, memory_gb_max=16.0, spans=((0, 4),)).is_empty()
        False
    """

    model_config = ConfigDict(frozen=True)

    screen_inches_min: float | None = None
    screen_inches_max: float | None = None
    memory_gb_min: float | None = None
    memory_gb_max: float | None = None
    cable_length_m_min: float | None = None
    cable_length_m_max: float | None = None
    spans: tuple[Span, ...] = ()

    def is_empty(self) -> bool:
        return not self.spans


def _bound(text: str, start: int, end: int) -> tuple[Bound, bool]:
    """Whether the number at ``start:end`` is a lower/upper bound or exact, and strictness."""
    before = _QUALIFIER_BEFORE.search(text[max(0, start - 20) : start])
    if before:
        kind: Bound = "min" if before["min"] else "max"
        return kind, bool(_STRICT.search(before[0].strip()))
    after = _QUALIFIER_AFTER.match(text[end : end + 16])
    if after:
        return ("min" if after["min"] else "max"), False
    return "exact", False


def _qualifier_span(text: str, start: int, end: int) -> Span:
    before = _QUALIFIER_BEFORE.search(text[max(0, start - 20) : start])
    after = _QUALIFIER_AFTER.match(text[end : end + 16])
    return (
        start - len(before[0]) if before else start,
        end + after.end() if after else end,
    )


def _screen_range(value: float, decimal: bool, kind: Bound, strict: bool) -> tuple[float, float]:
    if kind == "exact":
        return (value - 0.05, value + 0.05) if decimal else (value - 0.3, value + 0.99)
    if kind == "min":
        return (value + 0.01 if strict else value), 1000.0
    return 0.0, (value - 0.01 if strict else (value + 0.05 if decimal else value + 0.49))


def _length_range(metres: float, kind: Bound) -> tuple[float | None, float | None]:
    if kind == "exact":
        slack = max(metres * 0.1, 0.05)
        return round(metres - slack, 3), round(metres + slack, 3)
    return (round(metres, 3), None) if kind == "min" else (None, round(metres, 3))


def extract_attributes(text: str) -> AttributeSlots:
    """Screen size, memory and cable length constraints in ``text``.

    Example:
        >>> extract_attributes("a 17 inch laptop with 16GB RAM").memory_gb_min
        16.0
        >>> extract_attributes("10 ft hdmi cable").cable_length_m_max
        3.353
    """
    found: dict[str, float | None] = {}
    spans: list[Span] = []
    for reader in (_read_screens, _read_memory, _read_lengths):
        reader(text, found, spans)
    return AttributeSlots.model_validate({**found, "spans": tuple(spans)})


def _read_screens(text: str, found: dict[str, float | None], spans: list[Span]) -> None:
    cable_context = bool(_CABLE_WORDS.search(text))
    for m in _SCREEN.finditer(text):
        value = float(m[1])
        kind, strict = _bound(text, *m.span())
        if cable_context:  # "a 6 inch cable" is a length
            found.update(_length_fields(value * 0.0254, kind))
        elif 1 <= value <= 120 and "screen_inches_min" not in found:
            low, high = _screen_range(value, "." in m[1], kind, strict)
            found["screen_inches_min"] = None if kind == "max" else round(low, 2)
            found["screen_inches_max"] = None if kind == "min" else round(high, 2)
        else:
            continue
        spans.append(_qualifier_span(text, *m.span()))


def _read_memory(text: str, found: dict[str, float | None], spans: list[Span]) -> None:
    for m in _MEMORY.finditer(text):
        number, unit, context = (m[1], m[2], m[3]) if m[1] else (m[4], "gb", "ram")
        if _STORAGE_AFTER.match(text[m.end() :]) or "memory_gb_min" in found:
            continue
        value = float(number)
        # A bare size is RAM only when nothing says storage ("64GB flash drive", "1TB").
        if not context and (unit.lower() == "g" or value > 128 or _STORAGE_WORDS.search(text)):
            continue
        kind, _ = _bound(text, *m.span())
        found["memory_gb_min"] = None if kind == "max" else value
        found["memory_gb_max"] = None if kind == "min" else value
        spans.append(_qualifier_span(text, *m.span()))


def _read_lengths(text: str, found: dict[str, float | None], spans: list[Span]) -> None:
    for m in _LENGTH.finditer(text):
        metres = float(m[1]) * _METRES.get(m[2].lower(), 1.0)
        if not 0.01 <= metres <= 100 or "cable_length_m_min" in found:
            continue
        found.update(_length_fields(metres, _bound(text, *m.span())[0]))
        spans.append(_qualifier_span(text, *m.span()))


def _length_fields(metres: float, kind: Bound) -> dict[str, float | None]:
    low, high = _length_range(metres, kind)
    return {"cable_length_m_min": low, "cable_length_m_max": high}
