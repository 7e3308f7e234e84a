"""Brand mentions: the catalog's own brand list, case- and typo-tolerant, with negations.

"lenovo", "LENOVO" and "Lenvo" are Lenovo; "Kingston" is Kingston Technology; "not HP",
"no Dell", "except Acer", "without Logitech" and "not HP or Dell" are exclusions. Brands that
are also everyday words ("Sharp", "Brother", "Chief") only count when written with a capital
letter, and an everyday word is never corrected into a brand ("trip" is not Tripp Lite).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

from rapidfuzz.distance import DamerauLevenshtein

from assistant.slots import PhraseMatcher, Span

# Short forms that are everyday words and would fire on ordinary sentences ("laptop case",
# "16GB RAM"); the full names ("Case Logic", "RAM Mounts") still match.
_SHORT_FORM_WORDS = frozenset("allied backyard case cooler origin ram silicon spin urban".split())
# Brand names that are everyday words: matched only when capitalised in the message.
_EVERYDAY_NAMES = frozenset(
    "act arctic brother buffalo cherry chief denver eminent integral lena manhattan peach "
    "princess sharp shuttle equip jumbo speck".split()
)
_CHINESE_NAMES = {
    "惠普": "hp", "联想": "lenovo", "戴尔": "dell", "华硕": "asus", "宏碁": "acer",
    "三星": "samsung", "罗技": "logitech", "佳能": "canon", "爱普生": "epson", "索尼": "sony",
    "飞利浦": "philips", "华为": "huawei", "微星": "msi", "东芝": "toshiba", "富士通": "fujitsu",
    "施乐": "xerox", "利盟": "lexmark", "京瓷": "kyocera", "希捷": "seagate",
    "金士顿": "kingston technology", "技嘉": "gigabyte", "英特尔": "intel",
}  # fmt: skip
_EXTRA_ALIASES = {"hewlett packard": "hp", "hewlett-packard": "hp"}
_NEGATION = re.compile(
    r"(?:\bnot|\bno|\bexcept(?:\s+for)?|\bwithout|\bother than|\b(?:anything|everything|all)"
    r"\s+but|\bexcluding|\bexclude|\bavoid|\binstead of|\brather than|\bbesides|\bapart from"
    r"|\bnever|\bdon'?t want|\bhate|不要|除了|不是|别|不想要)\s*(?:any\s+|the\s+)?$",
    re.I,
)
_CHAIN = re.compile(r"^\s*(?:,|/|&|\bor\b|\band\b|\bnor\b|或|和|、)\s*$", re.I)
_TOKEN = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*", re.I)
_WINDOW = 24


class BrandMention(NamedTuple):
    """One brand found in a message; ``phrase`` also covers a negation ("not HP").

    Example:
        >>> BrandMention("HP", (4, 6), True, (0, 6))  # "not HP"
    """

    brand: str
    span: Span
    excluded: bool
    phrase: Span


def _variants(name: str) -> set[str]:
    lower = name.lower()
    forms = {lower, re.sub(r"[!?]+$", "", lower)}
    if "-" in lower:
        forms |= {lower.replace("-", " "), lower.replace("-", "")}
    return {f for f in forms if f.strip()}


def brand_aliases(brands: Iterable[str]) -> dict[str, str]:
    """Lower-case names a shopper may type for each catalog brand.

    Besides the full name (and hyphen variants: "tp link", "tplink"), a brand is reachable by
    its first word ("Kingston" for "Kingston Technology") and without a ``.com`` suffix
    ("StarTech"), when that short form is at least three characters long, is not another
    brand, and is not an everyday word ("case" of "Case Logic" is not an alias).

    Example:
        >>> brand_aliases(["StarTech.com"])["startech"]
        'StarTech.com'
    """
    aliases: dict[str, str] = {}
    names = [b for b in brands if b and b.strip()]
    for brand in names:
        for form in _variants(brand):
            aliases.setdefault(form, brand)
    for brand in names:
        short = re.sub(r"\.com$", "", brand.split()[0], flags=re.I).lower()
        if len(short) < 3 or short in aliases:
            continue
        if short in _SHORT_FORM_WORDS:
            continue
        aliases[short] = brand
    by_lower = {b.lower(): b for b in names}
    for alias, target in {**_EXTRA_ALIASES, **_CHINESE_NAMES}.items():
        if target in by_lower:
            aliases.setdefault(alias, by_lower[target])
    return aliases


class BrandMatcher:
    """Finds catalog brands in a message, with typo tolerance and negation.

    Example:
        >>> matcher = BrandMatcher(["HP", "Lenovo"], common_words=frozenset({"trip"}))
        >>> [(m.brand, m.excluded) for m in matcher.find("a lenvo laptop, not HP")]
        [('Lenovo', False), ('HP', True)]
    """

    def __init__(self, brands: Iterable[str], common_words: frozenset[str]) -> None:
        self._aliases = brand_aliases(brands)
        self._exact = PhraseMatcher(self._aliases)
        self._common = common_words
        self._fuzzy_targets = {
            alias: brand
            for alias, brand in self._aliases.items()
            if alias.isascii() and alias.isalpha() and len(alias) >= 4
            and alias not in _EVERYDAY_NAMES
        }  # fmt: skip

    @property
    def known_brands(self) -> frozenset[str]:
        return frozenset(self._aliases.values())

    @property
    def aliases(self) -> frozenset[str]:
        """Every lower-case name that is matched exactly."""
        return frozenset(self._aliases)

    def find(self, text: str, ignore: Iterable[Span] = ()) -> list[BrandMention]:
        """Brand mentions in text order; mentions inside ``ignore`` spans are skipped."""
        blocked = list(ignore)
        found = [
            (brand, span)
            for brand, span in self._exact.find_all(text)
            if not _overlaps(span, blocked) and self._counts(text, span)
        ]
        taken = blocked + [span for _, span in found]
        found += self._fuzzy(text, taken)
        found.sort(key=lambda item: item[1][0])
        return _with_negation(text, found)

    def _counts(self, text: str, span: Span) -> bool:
        word = text[span[0] : span[1]]
        return word.lower() not in _EVERYDAY_NAMES or any(c.isupper() for c in word)

    def _fuzzy(self, text: str, taken: list[Span]) -> list[tuple[str, Span]]:
        found: list[tuple[str, Span]] = []
        for m in _TOKEN.finditer(text):
            word = m[0].lower()
            if len(word) < 5 or word in self._common or _overlaps(m.span(), taken):
                continue
            best = self._closest(word)
            if best is not None:
                found.append((best, m.span()))
        return found

    def _closest(self, word: str) -> str | None:
        limit = 1 if len(word) < 8 else 2
        best: tuple[int, str] | None = None
        for alias, brand in self._fuzzy_targets.items():
            if alias[0] != word[0] or abs(len(alias) - len(word)) > limit:
                continue
            distance = DamerauLevenshtein.distance(word, alias, score_cutoff=limit)
            if distance <= limit and (best is None or distance < best[0]):
                best = (distance, brand)
        return best[1] if best else None


def _overlaps(span: Span, spans: Iterable[Span]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in spans)


def _with_negation(text: str, found: list[tuple[str, Span]]) -> list[BrandMention]:
    mentions: list[BrandMention] = []
    for brand, span in found:
        before = text[max(0, span[0] - _WINDOW) : span[0]]
        negation = _NEGATION.search(before)
        excluded = negation is not None
        start = span[0] - len(before) + negation.start() if negation else span[0]
        if not excluded and mentions:
            previous = mentions[-1]
            excluded = previous.excluded and bool(_CHAIN.match(text[previous.span[1] : span[0]]))
            start = previous.span[1] if excluded else start
        mentions.append(BrandMention(brand, span, excluded, (start, span[1])))
    return mentions
