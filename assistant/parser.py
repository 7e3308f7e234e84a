"""A first, rule-based turn parser: intent plus slots for one shopper message.

This is deliberately simple (the trained classifier is a later piece of work), but
real: it reads price bounds, the catalog's own brand names, category words and their
synonyms, colours, negations ("not HP") and paging/"cheaper" refinements.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.slots import PhraseMatcher, brand_aliases, extract_color, extract_price
from retrieval.catalog.taxonomy import CATEGORY_SYNONYMS

Intent = Literal["search", "refine", "greeting", "other"]

_GREETING = re.compile(
    r"^\s*(hi|hello|hey|hiya|howdy|good (morning|afternoon|evening)|thanks|thank you|thx|"
    r"cheers|bye|goodbye|see you|你好|谢谢|再见)\b[\s!.,?]*(there|so much|a lot)?[\s!.,?]*$",
    re.I,
)
_MORE = re.compile(r"\b(show|see|give|load)?\s*(me\s+)?(more|next|others|other options)\b", re.I)
_CHEAPER = re.compile(r"\b(cheaper|less expensive|lower price|more affordable|budget option)", re.I)
_NEGATION = re.compile(
    r"(?:\bnot|\bno|\bexcept|\bwithout|\bother than|\bbut|\bexcluding|\bexclude)\s+$", re.I
)
_SUPPORT = re.compile(
    r"\b(return|returns|refund|order status|my order|track|tracking|deliver(y|ed)|shipping|"
    r"cancel|invoice|password|account|warranty|complain|human|agent)\b|退货|退款|订单",
    re.I,
)
_WORD = re.compile(r"[^\W_]+", re.U)
_STOPWORDS = frozenset(
    "a an the i im i'm me my we you your it its is are be am was do does did have has "
    "want need looking look for find show give get buy something some any one ones "
    "please pls can could would like with and or of to in on at by from only just also "
    "what which that this those these there here some kind sort good nice best new "
    "cheap price priced cost costs dollars dollar usd bucks under over below above "
    "between around about than less more max min budget up k".split()
)


class ParsedTurn(BaseModel):
    """What one message says, before it is merged with the dialogue state."""

    model_config = ConfigDict(frozen=True)

    intent: Intent
    text: str
    query_text: str = ""
    category: str | None = None
    brands: list[str] = Field(default_factory=list)
    exclude_brands: list[str] = Field(default_factory=list)
    price_min: Decimal | None = None
    price_max: Decimal | None = None
    color: str | None = None
    more: bool = False
    cheaper: bool = False
    support_request: bool = False

    def has_slots(self) -> bool:
        return bool(
            self.category
            or self.brands
            or self.exclude_brands
            or self.price_min is not None
            or self.price_max is not None
            or self.color
        )


class TurnParser:
    """Parses a message into intent and slots, using the catalog's brand list.

    Example:
        >>> parser = TurnParser(brands=["HP", "Lenovo"])
        >>> turn = parser.parse("thin and light laptop under $800", has_results=False)
        >>> (turn.intent, turn.category, turn.price_max)
        ('search', 'laptop', Decimal('800.00'))
    """

    def __init__(self, brands: Iterable[str]) -> None:
        self._brands = PhraseMatcher(brand_aliases(brands))
        self._categories = PhraseMatcher(CATEGORY_SYNONYMS)

    def parse(self, message: str, *, has_results: bool) -> ParsedTurn:
        """Parse ``message``; ``has_results`` says whether products were shown before."""
        text = " ".join(message.split())[:2000]
        price = extract_price(text)
        spans = list(price.spans)
        brands, excluded = self._find_brands(text, spans)
        categories = self._categories.find_all(text)
        spans += [span for _, span in categories]
        color, color_span = extract_color(text)
        if color_span:
            spans.append(color_span)
        content = _content_words(_strip_spans(text, spans))
        partial = ParsedTurn(
            intent="other",
            text=text,
            query_text=_strip_spans(text, list(price.spans)),
            category=categories[0][0] if categories else None,
            brands=brands,
            exclude_brands=excluded,
            price_min=price.minimum,
            price_max=price.maximum,
            color=color,
        )
        intent, extra = _classify(text, partial, content, has_results)
        return partial.model_copy(update={"intent": intent, **extra})

    def _find_brands(self, text: str, spans: list[tuple[int, int]]) -> tuple[list[str], list[str]]:
        wanted: list[str] = []
        excluded: list[str] = []
        for brand, span in self._brands.find_all(text):
            spans.append(span)
            target = excluded if _NEGATION.search(text[max(0, span[0] - 16) : span[0]]) else wanted
            if brand not in target:
                target.append(brand)
        return wanted, excluded


def _classify(
    text: str, turn: ParsedTurn, content: list[str], has_results: bool
) -> tuple[Intent, dict[str, bool]]:
    if _GREETING.match(text):
        return "greeting", {}
    if _SUPPORT.search(text) and not turn.category:
        return "other", {"support_request": True}
    no_price = turn.price_min is None and turn.price_max is None
    more = bool(_MORE.search(text)) and not turn.category and no_price and len(content) <= 2
    cheaper = bool(_CHEAPER.search(text)) and no_price
    if has_results and (more or cheaper):
        return "refine", {"more": more, "cheaper": cheaper}
    if turn.category:
        return "search", {}
    if has_results and turn.has_slots() and len(content) <= 3:
        return "refine", {}
    if content or turn.has_slots():
        return "search", {}
    return "other", {}


def _strip_spans(text: str, spans: list[tuple[int, int]]) -> str:
    keep = [True] * len(text)
    for start, end in spans:
        for i in range(start, min(end, len(text))):
            keep[i] = False
    return " ".join("".join(c if k else " " for c, k in zip(text, keep, strict=True)).split())


def _content_words(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in _STOPWORDS and not w.isdigit()]
