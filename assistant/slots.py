"""Slot extraction from one shopper message: price bounds, relative price, paging, colour.

English and Chinese forms are read: "under $800", "$1k", "between 300 and 600", "around 500",
"500元以下", "500块以内", "1000元左右", "300到600元". Amounts are taken in the store's currency
(the catalog has one); no exchange rate is applied.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Span = tuple[int, int]
RelativePrice = Literal["lower", "higher"]

# A number followed by one of these is a size, a length or a count, never a price.
_UNITS = (
    r"(?:inch(?:es)?|[\"”″]|gb|tb|mb|gig|kg|g\b|lbs?|m\b|cm|mm|ft\b|feet|foot|meters?|metres?"
    r"|hz|ghz|mhz|w\b|watts?|pages?|ppm|dpi|%|x\b|pcs?|pack|ports?|years?|months?|days?"
    r"|hours?|weeks?|minutes?|purchases?|orders?|items?|times|ago|keys|buttons|mp\b|cores?"
    r"|th\b|st\b|nd\b|rd\b|寸|英寸|米|个)"
)
_NUM = (
    rf"\$?\s*(\d[\d,]*(?:\.\d+)?)(?![\d,]|\.\d)\s*(k\b|grand\b)?(?!\s*{_UNITS})"
    r"\s*(?:usd|dollars?|bucks|\$)?"
)
_UNDER = (
    r"(?:under|below|(?<!not )(?<!no )less than|cheaper than|no more than|not more than|at most"
    r"|max(?:imum)?|up to|within|<=?)"
)
_OVER = (
    r"(?:over|above|(?<!not )(?<!no )more than|no less than|not less than|at least|min(?:imum)?"
    r"|starting at|from|>=?)"
)
_BETWEEN = re.compile(rf"\b(?:between|from)\s+{_NUM}\s+(?:and|to|-)\s+{_NUM}", re.I)
_PLAIN_RANGE = re.compile(
    r"(?<![\w.$,])(\d[\d,]*(?:\.\d+)?)\s*(k\b)?\s*(?:-|to)\s*(\d[\d,]*(?:\.\d+)?)\s*(k\b)?\s*"
    r"(?:usd|dollars?|bucks|\$)",
    re.I,
)
_RANGE = re.compile(rf"(?<![\w.])\$\s*(\d[\d,]*(?:\.\d+)?)\s*(k\b)?\s*(?:-|to)\s*{_NUM}", re.I)
_UNDER_RE = re.compile(rf"(?:\b|(?=<)){_UNDER}\s*{_NUM}", re.I)
_OVER_RE = re.compile(rf"(?:\b|(?=>)){_OVER}\s*{_NUM}", re.I)
_AROUND_RE = re.compile(rf"(?:\b(?:around|about|approximately|roughly)|~)\s*{_NUM}", re.I)
_BUDGET_RE = re.compile(rf"\bbudget\s+(?:of|is)?\s*{_NUM}", re.I)
_BARE_RE = re.compile(
    r"(?<![\w.])\$\s*(\d[\d,]*(?:\.\d+)?)(?![\d,]|\.\d)\s*(k\b)?"
    r"|(?<![\w.$,])(\d[\d,]*(?:\.\d+)?)\s*(k\b)?\s*(?:usd|dollars?|bucks)\b",
    re.I,
)

# The look-behind keeps a long digit run from being retried at every position (quadratic).
_CN_NUM = r"(?<![\d.])(\d+(?:\.\d+)?)\s*(千|万|k)?\s*(?:元|块钱|块|rmb|人民币|美元|刀)?"
_CN_RANGE = re.compile(rf"{_CN_NUM}\s*(?:到|至|-|~|～)\s*{_CN_NUM}\s*(?:之间)?", re.I)
_CN_UNDER = (
    re.compile(rf"{_CN_NUM}\s*(?:以下|以内|之内|内)", re.I),
    re.compile(rf"(?:(?<!不)(?:低于|少于|小于)|不超过|不到|最多|不高于)\s*{_CN_NUM}", re.I),
    re.compile(rf"预算\s*(?:是|为|在)?\s*{_CN_NUM}", re.I),
)
_CN_OVER = (
    re.compile(rf"{_CN_NUM}\s*(?:以上|起)", re.I),
    re.compile(rf"(?:(?<!不)(?:高于|超过|多于|大于)|至少|不低于)\s*{_CN_NUM}", re.I),
)
_CN_AROUND = (
    re.compile(rf"{_CN_NUM}\s*(?:左右|上下)", re.I),
    re.compile(rf"(?:大约|大概|差不多)\s*{_CN_NUM}", re.I),
)
_CN_CURRENCY = re.compile(r"元|块|rmb|人民币|美元|刀|以下|以内|之内|左右|上下|以上|预算", re.I)
_MULTIPLIERS = {"k": 1000, "grand": 1000, "千": 1000, "万": 10000}

_LOWER = re.compile(
    r"\b(?:cheaper|less expensive|lower[- ]priced|lower price|more affordable|budget option"
    r"|not so expensive|too expensive|too pricey)\b|便宜一?点|更便宜|太贵",
    re.I,
)
_HIGHER = re.compile(
    r"\b(?:more expensive|pricier|higher[- ]end|higher[- ]priced|more premium|too cheap"
    r"|better quality)\b|贵一?点|更贵|高端一?点|太便宜",
    re.I,
)
_MORE = re.compile(
    r"\b(?:(?:show|see|give|load)\s+(?:me\s+)?)?(?:more|next|others|other options|another page)\b"
    r"(?!\s+(?:expensive|than|pricey|powerful|memory|ram|storage|premium|affordable|"
    r"about|info|information|details))|更多|下一页|换一批|再来几个|还有吗",
    re.I,
)

COLORS: dict[str, str] = {
    **{c: c for c in (
        "black", "white", "silver", "grey", "blue", "red", "green", "yellow", "pink",
        "purple", "orange", "gold", "brown", "beige", "transparent", "cyan", "magenta",
    )},  # fmt: skip
    "gray": "grey",
    "黑色": "black", "白色": "white", "银色": "silver", "灰色": "grey", "蓝色": "blue",
    "红色": "red", "绿色": "green", "黄色": "yellow", "粉色": "pink", "紫色": "purple",
    "橙色": "orange", "金色": "gold", "棕色": "brown",
}  # fmt: skip


class PriceBounds(BaseModel):
    """Price bounds found in a message, and the character spans they came from.

    Example:
        >>> PriceBounds(maximum=Decimal("800.00"), spans=((7, 17),)).maximum
        Decimal('800.00')
    """

    model_config = ConfigDict(frozen=True)

    minimum: Decimal | None = None
    maximum: Decimal | None = None
    spans: tuple[Span, ...] = Field(default_factory=tuple)


def _amount(number: str | None, multiplier: str | None) -> Decimal | None:
    if not number:
        return None
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    value *= _MULTIPLIERS.get((multiplier or "").lower(), 1)
    if value > Decimal("10000000"):
        return None
    return value.quantize(Decimal("0.01"))


def _around(value: Decimal, span: Span) -> PriceBounds:
    low = (value * Decimal("0.8")).quantize(Decimal("0.01"))
    high = (value * Decimal("1.2")).quantize(Decimal("0.01"))
    return PriceBounds(minimum=low, maximum=high, spans=(span,))


def _first(patterns: tuple[re.Pattern[str], ...], text: str) -> re.Match[str] | None:
    found = [m for p in patterns if (m := p.search(text))]
    return min(found, key=lambda m: m.start()) if found else None


def _range(text: str) -> PriceBounds | None:
    for pattern in (_BETWEEN, _RANGE, _PLAIN_RANGE, _CN_RANGE):
        m = pattern.search(text)
        if m is None or (pattern is _CN_RANGE and not _CN_CURRENCY.search(m[0])):
            continue
        low, high = _amount(m[1], m[2]), _amount(m[3], m[4])
        if low is not None and high is not None:
            return PriceBounds(minimum=min(low, high), maximum=max(low, high), spans=(m.span(),))
    return None


def _bounds(text: str) -> PriceBounds:
    minimum = maximum = None
    spans: list[Span] = []
    under = _first((_UNDER_RE, _BUDGET_RE, *_CN_UNDER), text)
    if under and (value := _amount(under[1], under[2])) is not None:
        maximum = value
        spans.append(under.span())
    over = _first((_OVER_RE, *_CN_OVER), text)
    if over and (value := _amount(over[1], over[2])) is not None:
        minimum = value
        spans.append(over.span())
    if minimum is not None and maximum is not None and minimum > maximum:
        minimum, maximum = maximum, minimum
    return PriceBounds(minimum=minimum, maximum=maximum, spans=tuple(spans))


def extract_price(text: str) -> PriceBounds:
    """Find price bounds: "under $800", "over 500 dollars", "between 300 and 600", "$1k".

    "around 500" and a bare "$500" mean 80-120 % of the amount.

    Example:
        >>> extract_price("a laptop under 800 dollars").maximum
        Decimal('800.00')
        >>> extract_price("笔记本 500元以下").maximum
        Decimal('500.00')
    """
    if (found := _range(text)) is not None:
        return found
    bounds = _bounds(text)
    if bounds.spans:
        return bounds
    m = _first((_AROUND_RE, *_CN_AROUND), text)
    if m and (value := _amount(m[1], m[2])) is not None:
        return _around(value, m.span())
    m = _BARE_RE.search(text)
    if m and (value := _amount(m[1] or m[3], m[2] or m[4])) is not None:
        return _around(value, m.span())
    return PriceBounds()


def extract_relative_price(text: str) -> tuple[RelativePrice | None, Span | None]:
    """ "cheaper" -> ``lower``, "more expensive" -> ``higher`` (relative to what was shown)."""
    for pattern, direction in ((_LOWER, "lower"), (_HIGHER, "higher")):
        m = pattern.search(text)
        if m:
            return direction, m.span()  # type: ignore[return-value]
    return None, None


def wants_more(text: str) -> Span | None:
    """The span of a "show more" / "next" request ("more expensive" is not one)."""
    m = _MORE.search(text)
    return m.span() if m else None


def extract_color(text: str) -> tuple[str | None, Span | None]:
    """The first colour word in ``text`` (canonical English spelling) and its span."""
    for m in re.finditer(r"[a-z]+", text.lower()):
        colour = COLORS.get(m[0])
        if colour is not None:
            return colour, m.span()
    for word, colour in COLORS.items():
        if not word.isascii() and (at := text.find(word)) >= 0:
            return colour, (at, at + len(word))
    return None, None


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

    def find_all(self, text: str) -> list[tuple[str, Span]]:
        """Every non-overlapping known phrase as ``(value, span)``, in text order."""
        taken: list[Span] = []
        found: list[tuple[str, Span]] = []
        for pattern, value in self._patterns:
            for m in pattern.finditer(text):
                span = m.span()
                if any(s < span[1] and span[0] < e for s, e in taken):
                    continue
                taken.append(span)
                found.append((value, span))
        return sorted(found, key=lambda item: item[1][0])


def mask_spans(text: str, spans: list[Span]) -> str:
    """``text`` with the characters in ``spans`` replaced by spaces (positions are kept)."""
    chars = list(text)
    for start, end in spans:
        for i in range(max(0, start), min(end, len(chars))):
            chars[i] = " "
    return "".join(chars)
