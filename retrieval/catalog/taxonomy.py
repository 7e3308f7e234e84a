"""The store taxonomy and the rules that put a catalog title into it.

Icecat titles read ``Brand Model category attributes`` ("HP ProBook 4320s Notebook PC Black
33.8 cm ..."), so the category is the category phrase found *earliest* in the title (on a tie, the
longest). Device nouns used as modifiers ("notebook battery", "VGA monitor extension cable") give
way to the accessory noun that follows them. When a title names no category, Icecat's
``product_type``/``type`` attributes and then tell-tale attribute keys (toner page yield, ink type,
processor socket, ...) decide.

Example:
    >>> derive_category("Xerox 006R90321 toner cartridge Original Black 6 pc(s)")
    'toner'
    >>> derive_category("Targus 15.6 inch notebook case Black")
    'bag'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import NamedTuple

from retrieval.catalog.attribute_rules import category_from_attributes, ink_or_toner
from retrieval.catalog.categories import CATEGORIES, CATEGORY_SYNONYMS, Category, category_label
from retrieval.catalog.title_phrases import (
    CARTRIDGE,
    COMPONENT_CATEGORIES,
    DEVICE_CATEGORIES,
    MASKED_PHRASES,
    MODEL_CODES,
    SYSTEM_CATEGORIES,
    TITLE_PHRASES,
)

__all__ = [
    "CATEGORIES",
    "CATEGORY_SYNONYMS",
    "Category",
    "category_label",
    "derive_category",
]

# A device noun gives way to an accessory noun at most this many words further on
# ("VGA monitor extension cable", "iPhone 12 silicone case") ...
_MODIFIER_WINDOW = 2
# ... unless the words between say the accessory comes along ("KVM switch kit with cables").
_INCLUDES = frozenset({"with", "w/", "incl", "incl.", "including", "+", "&", "and", "plus"})
_MAX_TITLE_CHARS = 1000


class _Match(NamedTuple):
    start: int
    end: int
    category: str


def _variants(phrase: str) -> set[str]:
    """The phrase plus the plural forms a title may use."""
    forms = {phrase, phrase + "s", phrase + "es"}
    if phrase.endswith("y"):
        forms.add(phrase[:-1] + "ies")
    return forms


@lru_cache(maxsize=1)
def _phrase_index() -> tuple[re.Pattern[str], dict[str, str], re.Pattern[str]]:
    """Compile the phrase table once: one alternation, longest phrases first."""
    lookup: dict[str, str] = {}
    for slug, phrases in TITLE_PHRASES.items():
        for phrase in phrases:
            for form in _variants(phrase.lower()):
                lookup.setdefault(form, slug)
    alternation = "|".join(re.escape(p) for p in sorted(lookup, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")
    masks = "|".join(re.escape(m) for m in sorted(MASKED_PHRASES, key=len, reverse=True))
    mask_pattern = re.compile(rf"(?<!\w)(?:{masks})(?!\w)")
    return pattern, lookup, mask_pattern


@lru_cache(maxsize=1)
def _model_code_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple(
        (re.compile(rf"(?<![\w-])(?:{code})(?![0-9])"), slug)
        for slug, codes in MODEL_CODES.items()
        for code in codes
    )


def _normalise(title: str) -> str:
    text = title[:_MAX_TITLE_CHARS].lower()
    text = text.replace("™", " ").replace("®", " ").replace("’", "'").replace("_", " ")
    return re.sub(r"\s+", " ", text)


def _find_matches(text: str) -> tuple[str, list[_Match]]:
    """The masked text and every category phrase in it, left to right."""
    pattern, lookup, mask_pattern = _phrase_index()
    # Masked phrases become a neutral token so they neither match nor join their neighbours.
    text = mask_pattern.sub(" ~ ", text)
    return text, [_Match(m.start(), m.end(), lookup[m.group(0)]) for m in pattern.finditer(text)]


def _modifies(text: str, start: int, end: int) -> bool:
    """Whether the device phrase ending at ``start`` modifies the phrase starting at ``end``."""
    # Whitespace-separated chunks, so that '3.5in' or '(17")' count as one word.
    words = text[start:end].split()
    return len(words) <= _MODIFIER_WINDOW and _INCLUDES.isdisjoint(words)


def _category_from_title(title: str) -> str | None:
    masked, matches = _find_matches(_normalise(title))
    if not matches:
        found = [(p.search(masked), slug) for p, slug in _model_code_patterns()]
        hits = sorted((m.start(), slug) for m, slug in found if m is not None)
        return hits[0][1] if hits else None
    if matches[0].category in COMPONENT_CATEGORIES:
        systems = [m for m in matches[1:] if m.category in SYSTEM_CATEGORIES]
        if systems:
            return systems[0].category
    chosen = matches[0]
    for following in matches[1:]:
        if chosen.category not in DEVICE_CATEGORIES:
            break
        if not _modifies(masked, chosen.end, following.start):
            break
        if following.category not in DEVICE_CATEGORIES:
            # "notebook battery": the device noun only modifies the accessory noun.
            chosen = following
            break
    return chosen.category


def derive_category(title: str, attributes: Mapping[str, object] | None = None) -> str:
    """The store category of a product, from its title and (optionally) its attributes.

    Never raises: anything unrecognisable is ``"other"``.

    Args:
        title: The product title, e.g. an Icecat ``Brand Model category attributes`` title.
        attributes: Attributes with Icecat's ``attr_t_``/``attr_n_``/``attr_b_`` prefix
            stripped (``product_type``, ``printing_colours``, ...). Used only when the title
            names no category.

    Returns:
        A slug from :data:`CATEGORIES`.

    Example:
        >>> derive_category("HP 85 Original Light magenta", {"ink_type": "Dye-based ink"})
        'ink'
    """
    named = {k: v for k, v in (attributes or {}).items() if isinstance(k, str)}
    category = _category_from_title(title) if isinstance(title, str) else None
    if category is None:
        category = category_from_attributes(named)
    if category == CARTRIDGE:
        category = ink_or_toner(named)
    return category if category in CATEGORIES else "other"
