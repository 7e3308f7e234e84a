"""Reply composition: the short text answer and one product card per shown product."""

from __future__ import annotations

import re
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from assistant.parser import ParsedTurn
from ranking.rerank import RankedProducts
from retrieval.catalog.product import Product
from retrieval.catalog.taxonomy import category_label
from retrieval.filters import SearchFilters

_WORD = re.compile(r"[^\W_]{3,}", re.U)
_IGNORED = frozenset(
    "and the for with from that this want need looking something some any under over "
    "below above between around about than less more cheap dollars bucks please show "
    "find one ones good nice best new".split()
)


_IRREGULAR = {"mouse": "mice", "media": "media", "software": "software", "equipment": "equipment"}


class ProductCard(BaseModel):
    """What the shopper sees of one product, with the reason it was shown."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    brand: str
    category: str
    price: Decimal
    currency: str
    score: float
    reason: str


def money(amount: Decimal) -> str:
    return f"${amount:,.2f}"


def describe_filters(filters: SearchFilters) -> str:
    """Human words for the active filters, e.g. "from HP under $800.00"."""
    parts: list[str] = []
    if filters.color:
        parts.append(f"in {filters.color}")
    if filters.brands:
        parts.append("from " + " or ".join(filters.brands))
    if filters.exclude_brands:
        parts.append("not from " + " or ".join(filters.exclude_brands))
    low, high = filters.price_min, filters.price_max
    if low is not None and high is not None:
        parts.append(f"between {money(low)} and {money(high)}")
    elif high is not None:
        parts.append(f"under {money(high)}")
    elif low is not None:
        parts.append(f"over {money(low)}")
    return " ".join(parts)


def _plural_label(category: str | None) -> str:
    if not category or category == "other":
        return "products"
    label = category_label(category).lower()
    # Compound labels ("headset & headphones", "memory (ram)") read badly pluralised.
    return f"{label} products" if re.search(r"[&(),]", label) else plural(label)


def plural(noun: str) -> str:
    """Plural of a label's last word: "mouse" -> "mice", "battery" -> "batteries"."""
    head, _, last = noun.rpartition(" ")
    if last in _IRREGULAR:
        last = _IRREGULAR[last]
    elif last.endswith(("s", "x", "ch", "sh")):
        last += "es" if not last.endswith("s") else ""
    elif last.endswith("y") and last[-2:-1] not in "aeiou":
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head} {last}".strip()


def matched_terms(query: str, product: Product) -> list[str]:
    """Query words (3+ letters) that literally occur in the product's text."""
    haystack = f"{product.title} {product.description}".lower()
    terms = [w for w in _WORD.findall(query.lower()) if w not in _IGNORED]
    return [t for t in dict.fromkeys(terms) if t in haystack][:3]


def explain(product: Product, filters: SearchFilters, query: str) -> str:
    """A short, true reason for showing ``product``, grounded in the filters and the text."""
    reasons: list[str] = []
    if filters.category and product.category == filters.category:
        reasons.append(category_label(product.category).lower())
    if filters.brands and product.brand in filters.brands:
        reasons.append(f"by {product.brand}, as you asked")
    if filters.price_max is not None and product.price <= filters.price_max:
        reasons.append(f"{money(product.price)} is within your {money(filters.price_max)} budget")
    elif filters.price_min is not None and product.price >= filters.price_min:
        reasons.append(f"{money(product.price)}, above your {money(filters.price_min)} minimum")
    if filters.color and filters.color.lower() in product.color.lower():
        reasons.append(f"comes in {filters.color}")
    terms = matched_terms(query, product)
    if terms:
        reasons.append("mentions " + ", ".join(f"“{t}”" for t in terms))
    elif query:
        reasons.append(f"close in meaning to “{query[:60]}”")
    if not reasons:
        return "Popular in the catalog"
    text = "; ".join(reasons)
    return text[0].upper() + text[1:]


def cards_for(ranked: RankedProducts, filters: SearchFilters, query: str) -> list[ProductCard]:
    return [
        ProductCard(
            id=c.product.id,
            title=c.product.title,
            brand=c.product.brand,
            category=c.product.category,
            price=c.product.price,
            currency=c.product.currency,
            score=round(c.score, 4),
            reason=explain(c.product, filters, query),
        )
        for c in ranked.items
    ]


def search_reply(ranked: RankedProducts, filters: SearchFilters, paged: bool) -> str:
    label = _plural_label(filters.category)
    constraints = describe_filters(filters)
    wanted = f"{label} {constraints}".strip()
    if not ranked.items:
        if paged:
            return f"That's all I have for {wanted}. Try another brand or budget."
        return (
            f"I couldn't find any {wanted}. Try a wider budget, another brand, "
            "or describe what you need in other words."
        )
    top = ranked.items[0].product
    lead = "Here are more" if paged else "Here are"
    text = (
        f"{lead} {len(ranked.items)} {wanted}. "
        f"The closest match is {top.title} at {money(top.price)}."
    )
    if ranked.has_more:
        text += " Say “show more” to see others, or narrow it down by brand, colour or budget."
    return text


GREETING_REPLY = (
    "Hello! I'm the store's shopping assistant. Tell me what you're looking for, "
    "for example “a thin and light laptop under $800” or “a 10 ft HDMI cable”."
)
SUPPORT_REPLY = (
    "I can't look up orders, returns or refunds in this chat yet. Please contact our "
    "support team for that; meanwhile I'm happy to help you find products."
)
FALLBACK_REPLY = (
    "I'm not sure what you're looking for. Name a kind of product, a brand or a budget, "
    "for example “HP toner under $50” or “a wireless mouse”."
)


def non_search_reply(turn: ParsedTurn) -> str:
    if turn.intent == "greeting":
        return GREETING_REPLY
    if turn.support_request:
        return SUPPORT_REPLY
    return FALLBACK_REPLY
