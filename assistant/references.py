"""References to products already shown: "the second one", "compare 1 and 3", "that one".

Positions are 1-based as the cards are numbered; negative positions count from the end
("the last one" is -1). Brand references ("the HP one") are resolved among the shown
products. "it"/"that one" mean the product last talked about, else the first shown; "them",
"these", "both" mean the products last talked about (if several), else everything shown.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict

from assistant.slots import Span
from retrieval.catalog.product import Product

Deixis = Literal["single", "plural"]

_ORDINAL_WORDS = {
    "first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4,
    "fifth": 5, "5th": 5, "sixth": 6, "6th": 6, "seventh": 7, "7th": 7, "eighth": 8, "8th": 8,
    "ninth": 9, "9th": 9, "tenth": 10, "10th": 10, "last": -1, "penultimate": -2,
}  # fmt: skip
_COUNT_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "2": 2, "3": 3, "4": 4, "5": 5}
_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8}

_GROUP = re.compile(
    r"\b(?:the\s+)?(?P<edge>first|top|last)\s+(?P<count>two|three|four|five|[2-5])\b(?!\s*(?:\$|"
    r"dollars|inch|gb|m\b|ft))",
    re.I,
)
_ORDINAL = re.compile(
    r"\b(?P<second>second(?:\s+to|\s*-\s*)?\s+last)\b|\b(?P<word>"
    + "|".join(_ORDINAL_WORDS)
    + r")\b(?!\s+(?:time|hand|class|gen|generation|party|aid|person|of all|name))",
    re.I,
)
_CN_ORDINAL = re.compile(
    r"第\s*(?P<n>[1-9]|[一二三四五六七八])\s*(?:个|款|台|件|条)?|(?P<last>最后一?(?:个|款|台)?)"
)
_NUMBER_LIST = re.compile(
    r"(?<![A-Za-z0-9_.$#,/-])(?:#|number\s+|no\.\s*|item\s+|option\s+|product\s+|result\s+)?"
    r"(?:[1-9]|10)(?:\s*(?:,|and|&|vs\.?|versus|or|with|to|和|与|跟)\s*(?:#|number\s+|no\.\s*)?"
    r"(?:[1-9]|10))+(?![A-Za-z0-9_.%$,]|\s*(?:\$|dollars|inch|gb|m\b|ft|ppm|pages|years))",
    re.I,
)
_NUMBER_ONE = re.compile(
    r"(?:\b(?:number|no\.|item|option|product|result|card)\s*#?\s*|(?<![\w&])#)([1-9]|10)(?![\w.])",
    re.I,
)
_PLURAL = re.compile(
    r"\b(?:them|these|those|both|all of them|all|the two|each|either)\b|这些|那些|它们|两个|这两",
    re.I,
)
_SINGLE = re.compile(r"\b(?:it|its|it's|that|this|the one)\b|这个|那个|它|这款|那款", re.I)


class References(BaseModel):
    """Which shown products a message points at (not yet resolved to ids).

    Example:
        >>> References(positions=(1, 3)).is_explicit()
        True
    """

    model_config = ConfigDict(frozen=True)

    positions: tuple[int, ...] = ()
    brands: tuple[str, ...] = ()
    deixis: Deixis | None = None
    spans: tuple[Span, ...] = ()

    def is_explicit(self) -> bool:
        """Positions or brands were named (not just "it" or "them")."""
        return bool(self.positions or self.brands)


def _add(positions: list[int], *values: int) -> None:
    for value in values:
        if value not in positions:
            positions.append(value)


def extract_references(text: str, brands: Sequence[str] = ()) -> References:
    """Positions, brand references and deixis in ``text``.

    Example:
        >>> extract_references("compare 1 and 3").positions
        (1, 3)
        >>> extract_references("the first two").positions
        (1, 2)
    """
    positions: list[int] = []
    spans: list[Span] = []
    for m in _GROUP.finditer(text):
        count = _COUNT_WORDS[m["count"].lower()]
        last = m["edge"].lower() == "last"
        _add(positions, *(range(-count, 0) if last else range(1, count + 1)))
        spans.append(m.span())
    taken = list(spans)
    for m in _ORDINAL.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        _add(positions, -2 if m["second"] else _ORDINAL_WORDS[m["word"].lower()])
        spans.append(m.span())
    for m in _CN_ORDINAL.finditer(text):
        n = m["n"]
        _add(positions, -1 if m["last"] else (_CN_DIGITS.get(n) or int(n)))
        spans.append(m.span())
    for m in _NUMBER_LIST.finditer(text):
        _add(positions, *(int(d) for d in re.findall(r"10|[1-9]", m[0])))
        spans.append(m.span())
    for m in _NUMBER_ONE.finditer(text):
        _add(positions, int(m[1]))
        spans.append(m.span())
    deixis: Deixis | None = None
    if _PLURAL.search(text):
        deixis = "plural"
    elif _SINGLE.search(text):
        deixis = "single"
    return References(
        positions=tuple(positions), brands=tuple(brands), deixis=deixis, spans=tuple(spans)
    )


class Resolution(BaseModel):
    """The ids a reference points at, and the positions that point at nothing.

    Example:
        >>> resolve(References(positions=(2, 9)), shown, focus=[])
        Resolution(ids=('77194926',), missing=(9,))
    """

    model_config = ConfigDict(frozen=True)

    ids: tuple[str, ...] = ()
    missing: tuple[int, ...] = ()


def resolve(refs: References, shown: Sequence[Product], focus: Sequence[str]) -> Resolution:
    """Map ``refs`` onto the shown products (in card order) and the focused ids."""
    shown_ids = [p.id for p in shown]
    ids: list[str] = []
    missing: list[int] = []
    for position in refs.positions:
        index = position - 1 if position > 0 else len(shown) + position
        if 0 <= index < len(shown):
            _add_id(ids, shown_ids[index])
        else:
            missing.append(position)
    for brand in refs.brands:
        match = next((p.id for p in shown if p.brand.lower() == brand.lower()), None)
        if match is not None:
            _add_id(ids, match)
    if ids or refs.is_explicit():
        return Resolution(ids=tuple(ids), missing=tuple(missing))
    known_focus = [i for i in focus if i in shown_ids] or list(focus)
    if refs.deixis == "plural":
        return Resolution(ids=tuple(known_focus if len(known_focus) >= 2 else shown_ids))
    if known_focus:
        return Resolution(ids=(known_focus[0],))
    return Resolution(ids=tuple(shown_ids[:1]))


def _add_id(ids: list[str], value: str) -> None:
    if value not in ids:
        ids.append(value)
