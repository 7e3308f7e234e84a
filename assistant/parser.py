"""The slot parser: everything a shopper message says except its intent.

The intent comes from the trained classifier (:mod:`assistant.intents`); this parser reads
the slots the dialogue needs: category (store taxonomy and synonyms, English and Chinese),
brands (catalog list, typo-tolerant, "not HP" as an exclusion), price bounds and relative
price, colour, attribute constraints (screen size, memory, cable length, compatibility),
paging ("show more"), references to shown products, and order numbers. It never raises on
any text and never calls out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from assistant.attribute_slots import AttributeSlots, extract_attributes
from assistant.brands import BrandMatcher
from assistant.compat_slots import CompatibilityFinder, CompatSlot
from assistant.lexicon import STOPWORDS, common_english_words
from assistant.order_numbers import extract_order_number
from assistant.references import References, extract_references
from assistant.slots import (
    PhraseMatcher,
    PriceBounds,
    RelativePrice,
    Span,
    extract_color,
    extract_price,
    extract_relative_price,
    mask_spans,
    wants_more,
)
from retrieval.catalog.taxonomy import CATEGORY_SYNONYMS

MAX_MESSAGE_CHARS = 2000
_WORD = re.compile(r"[^\W_]+", re.U)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_COMPOUND_GAP = re.compile(r"^[\s-]*$")
_FEATURE_BEFORE = re.compile(
    r"\b(?:with|has|have|having|including|includes|incl\.?|plus)\s+(?:[\w-]+\s+){0,2}$", re.I
)


class ParsedTurn(BaseModel):
    """The slots of one message, before they are merged with the dialogue state.

    Example:
        >>> turn = TurnParser(["HP"]).parse("HP laptop under $800")
        >>> (turn.category, turn.brands, turn.price_max)
        ('laptop', ['HP'], Decimal('800.00'))
    """

    model_config = ConfigDict(frozen=True)

    text: str
    query_text: str = ""
    content_words: tuple[str, ...] = ()
    category: str | None = None
    brands: list[str] = Field(default_factory=list)
    exclude_brands: list[str] = Field(default_factory=list)
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    relative_price: RelativePrice | None = None
    color: str | None = None
    attributes: AttributeSlots = Field(default_factory=AttributeSlots)
    compatible_with: str | None = None
    more: bool = False
    references: References = Field(default_factory=References)
    order_number: str | None = None

    def has_filter_slots(self) -> bool:
        """Whether the message names something that changes the search filters."""
        return bool(
            self.category
            or self.brands
            or self.exclude_brands
            or self.price_min is not None
            or self.price_max is not None
            or self.color
            or not self.attributes.is_empty()
            or self.compatible_with
        )

    def has_shopping_slots(self) -> bool:
        """Filter slots, paging or a relative price: evidence of a shopping turn."""
        return self.has_filter_slots() or self.more or self.relative_price is not None


def clean_message(message: str) -> str:
    """Control characters out, whitespace collapsed, at most :data:`MAX_MESSAGE_CHARS`."""
    return " ".join(_CONTROL.sub(" ", message).split())[:MAX_MESSAGE_CHARS]


class TurnParser:
    """Parses one message into slots, using the catalog's brand list.

    Example:
        >>> parser = TurnParser(brands=["HP", "Lenovo"])
        >>> turn = parser.parse("a 17 inch laptop, not HP, under $800")
        >>> (turn.category, turn.exclude_brands, turn.attributes.screen_inches_min)
        ('laptop', ['HP'], 16.7)
    """

    def __init__(
        self,
        brands: Iterable[str],
        *,
        common_words: frozenset[str] | None = None,
        categories: Mapping[str, str] = CATEGORY_SYNONYMS,
    ) -> None:
        brand_list = [b for b in brands if isinstance(b, str) and b.strip()]
        # Category words ("projector") are never corrected into a brand ("Projecta").
        category_words = {w for phrase in categories for w in phrase.split() if w.isascii()}
        everyday = common_words or common_english_words()
        self._brands = BrandMatcher(brand_list, everyday | category_words)
        self._categories = PhraseMatcher(categories)
        aliases = {a for a in self._brands.aliases if a.isascii()}
        self._compat = CompatibilityFinder(aliases, categories.keys(), everyday)

    def parse(self, message: str) -> ParsedTurn:
        """Read the slots of ``message`` (any text; never raises)."""
        text = clean_message(message)
        order_number, order_span = extract_order_number(text)
        attributes, compat, price, masked = self._measures(text, order_span)
        relative, relative_span = (None, None) if price.spans else extract_relative_price(masked)
        more_span = wants_more(masked) if relative is None else None
        mentions = self._brands.find(masked)
        category, category_spans = self._category(masked)
        color, color_span = extract_color(mask_spans(masked, [m.span for m in mentions]))
        wanted = _unique(m.brand for m in mentions if not m.excluded)
        references = extract_references(masked, wanted)
        dropped = [*price.spans, *_optional(order_span, relative_span, more_span)]
        dropped += [m.phrase for m in mentions if m.excluded]
        query_text = _collapse(mask_spans(text, dropped + list(references.spans)))
        explained = dropped + category_spans + [m.span for m in mentions] + list(attributes.spans)
        explained += _optional(color_span, compat.span if compat else None)
        explained += list(references.spans)
        return ParsedTurn(
            text=text,
            query_text=query_text,
            content_words=tuple(_content_words(mask_spans(text, explained))),
            category=category,
            brands=wanted,
            exclude_brands=_unique(m.brand for m in mentions if m.excluded),
            price_min=price.minimum,
            price_max=price.maximum,
            relative_price=relative,
            color=color,
            attributes=attributes,
            compatible_with=compat.target[:200] if compat else None,
            more=more_span is not None,
            references=references,
            order_number=order_number,
        )

    def _measures(
        self, text: str, order_span: Span | None
    ) -> tuple[AttributeSlots, CompatSlot | None, PriceBounds, str]:
        """Sizes, compatibility and price, each read with the earlier ones masked out (so
        "under 14 inch" is a screen size, and "for HP LaserJet 3500" no price or brand)."""
        masked = mask_spans(text, _optional(order_span))
        attributes = extract_attributes(masked)
        masked = mask_spans(masked, list(attributes.spans))
        compat = self._compat.find(masked)
        masked = mask_spans(masked, _optional(compat.span if compat else None))
        price = extract_price(masked)
        return attributes, compat, price, mask_spans(masked, list(price.spans))

    def _category(self, text: str) -> tuple[str | None, list[Span]]:
        everything = self._categories.find_all(text)
        # "with a backlit keyboard" names a feature, not the product wanted.
        found = [(c, s) for c, s in everything if not _FEATURE_BEFORE.search(text[: s[0]])]
        if not found:
            return None, []
        chosen = found[0][0]
        # In a compound ("printer toner", "monitor cable") the last noun is the head.
        for (_, (_, end)), (following, (start, _)) in zip(found, found[1:], strict=False):
            if _COMPOUND_GAP.match(text[end:start]):
                chosen = following
            else:
                break
        return chosen, [span for _, span in found]


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _optional(*spans: Span | None) -> list[Span]:
    return [s for s in spans if s is not None]


def _collapse(text: str) -> str:
    return " ".join(text.replace(" ,", ",").split()).strip(" ,;")


def _content_words(text: str) -> list[str]:
    return [
        w
        for w in _WORD.findall(text.lower())
        if w not in STOPWORDS and not w.isdigit() and len(w) > 1
    ]
