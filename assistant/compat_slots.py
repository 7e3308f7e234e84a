"""Compatibility constraints in a message: "toner for Lexmark E320", "fits Galaxy S20".

"compatible with", "works with", "fits", "for use with" and "适用于" always introduce a
target; a plain "for" only does when a catalog brand or a model number follows ("for HP
LaserJet 3500", "for Galaxy S20"), so "for my dad" or "for gaming" are not constraints.
The target stops at a connector word, a colour, punctuation or a category word ("for my HP
printer" targets "HP").
"""

from __future__ import annotations

import re
from collections.abc import Collection

from pydantic import BaseModel, ConfigDict

from assistant.slots import COLORS, Span

_TRIGGER = re.compile(
    r"\b(?P<explicit>compatible with|works? with|that works with|fits?|for use with)\b"
    r"|\b(?P<plain>for)\b|(?P<cn>适用于|兼容|适配)",
    re.I,
)
_LEAD = re.compile(r"\s*(?:(?:an?|my|the|our|his|her|their|this|that|all)\s+)?", re.I)
_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+/-]*")
_STOP = frozenset(
    "under over below above between with and or that which in not no please around about "
    "less more than at from to without except cheaper only but is are who of by up on a an "
    "the it one ones new old use using my your".split()
)
_MAX_TOKENS = 5
# "looking for HP toner" asks for a brand, not for something compatible with HP.
_SEEKING = re.compile(
    r"\b(?:look(?:ing)?|search(?:ing)?|shop(?:ping)?|hunt(?:ing)?|ask(?:ing)?|go(?:ing)?"
    r"|settle|opt(?:ing)?|vote|pay(?:ing)?|thanks|thank you)\s*$",
    re.I,
)


class CompatSlot(BaseModel):
    """A compatibility target ("Lexmark E320") and the span of its phrase.

    Example:
        >>> CompatSlot(target="Lexmark E320", span=(6, 22)).target
        'Lexmark E320'
    """

    model_config = ConfigDict(frozen=True)

    target: str
    span: Span


_MODEL = re.compile(r"^(?:[a-z]{1,6}-?\d{2,}[a-z0-9-]*|\d{3,}[a-z]{0,3}|[a-z]\d[a-z0-9-]*)$", re.I)
_TIME = re.compile(r"^\d{1,2}(?::\d\d)?(?:am|pm)$", re.I)


def _is_model_number(token: str) -> bool:
    """ "E320", "M404dn", "XP-4100", "8010", "S20" (not "7am" or a plain count)."""
    return bool(_MODEL.match(token)) and not _TIME.match(token)


class CompatibilityFinder:
    """Finds the first compatibility target in a message.

    Example:
        >>> finder = CompatibilityFinder(brand_names={"lexmark"}, category_words={"toner"})
        >>> finder.find("black toner for my Lexmark E320 printer").target
        'Lexmark E320'
    """

    def __init__(
        self,
        brand_names: Collection[str],
        category_words: Collection[str],
        everyday_words: Collection[str] = frozenset(),
    ) -> None:
        self._brands = {b.lower() for b in brand_names}
        self._categories = {c.lower() for c in category_words if " " not in c}
        self._everyday = frozenset(everyday_words)

    def find(self, text: str) -> CompatSlot | None:
        for trigger in _TRIGGER.finditer(text):
            if trigger["plain"] and _SEEKING.search(
                text[max(0, trigger.start() - 16) : trigger.start()]
            ):
                continue
            tokens, end = self._target_tokens(text, trigger.end())
            if tokens and self._accepts(tokens, explicit=trigger["plain"] is None):
                return CompatSlot(target=" ".join(tokens), span=(trigger.start(), end))
        return None

    def _target_tokens(self, text: str, start: int) -> tuple[list[str], int]:
        lead = _LEAD.match(text, start)
        position = lead.end() if lead else start
        tokens: list[str] = []
        end = position
        for m in _TOKEN.finditer(text, position):
            if text[end : m.start()].strip() or len(tokens) >= _MAX_TOKENS:
                break  # punctuation or another word class in between
            word = m[0].rstrip(".")
            lower = word.lower()
            if lower in self._categories or lower.rstrip("s") in self._categories:
                end = m.end()
                break
            if lower in _STOP or lower in COLORS:
                break
            tokens.append(word)
            end = m.start() + len(word)
        return tokens, end

    def _accepts(self, tokens: list[str], *, explicit: bool) -> bool:
        if explicit:
            return True
        first = [" ".join(tokens[:n]).lower() for n in (1, 2, 3)]
        if any(f in self._brands for f in first) or _is_model_number(tokens[0]):
            return True
        # "for Galaxy S20", "for a laserjet pro m404": a name followed by a model number,
        # but not "for a compensation of350" (an everyday word, not capitalised).
        named = tokens[0][:1].isupper() or tokens[0].lower() not in self._everyday
        return named and any(map(_is_model_number, tokens[1:]))
