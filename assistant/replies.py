"""Reply composition for shopping turns: the text answer and one card per shown product."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

from assistant.formatting import money
from assistant.product_facts import cable_length_m, is_compatible, memory_gb, screen_inches
from ranking.rerank import RankedProducts
from retrieval.catalog.product import Product
from retrieval.catalog.taxonomy import category_label
from retrieval.filters import SearchFilters

__all__ = ["ProductCard", "cards_for", "describe_filters", "explain", "money", "search_reply"]

_WORD = re.compile(r"[^\W_]{3,}", re.U)
_IGNORED = frozenset(
    "and the for with from that this want need looking something some any under over "
    "below above between around about than less more cheap dollars bucks please show "
    "find one ones good nice best new inch gb ft".split()
)
_IRREGULAR = {"mouse": "mice", "media": "media", "software": "software", "equipment": "equipment"}
_VAGUE_MIN_CATEGORIES = 3


class ProductCard(BaseModel):
    """What the shopper sees of one product, with the reason it was shown.

    Example:
        >>> cards_for(ranked, SearchFilters(category="laptop"), "laptops")[0].reason
        'Laptop; close in meaning to “laptops”'
    """

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    brand: str
    category: str
    price: Decimal
    currency: str
    score: float
    reason: str


def _attribute_phrases(filters: SearchFilters) -> list[str]:
    parts: list[str] = []
    low, high = filters.screen_inches_min, filters.screen_inches_max
    if low is not None and high is not None:
        parts.append(f'with a {low:g}-{high:g}" screen')
    elif low is not None:
        parts.append(f'with a {low:g}" or larger screen')
    elif high is not None:
        parts.append(f'with a screen up to {high:g}"')
    low, high = filters.memory_gb_min, filters.memory_gb_max
    if low is not None and low == high:
        parts.append(f"with {low:g} GB RAM")
    elif low is not None:
        parts.append(f"with at least {low:g} GB RAM")
    elif high is not None:
        parts.append(f"with up to {high:g} GB RAM")
    low, high = filters.cable_length_m_min, filters.cable_length_m_max
    if low is not None and high is not None:
        middle = (low + high) / 2
        parts.append(f"about {middle:.1f} m ({middle / 0.3048:.0f} ft) long")
    elif low is not None:
        parts.append(f"at least {low:g} m long")
    elif high is not None:
        parts.append(f"at most {high:g} m long")
    if filters.compatible_with:
        parts.append(f"compatible with {filters.compatible_with}")
    return parts


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
    return " ".join(parts + _attribute_phrases(filters))


def _plural_label(category: str | None) -> str:
    if not category or category == "other":
        return "products"
    label = category_label(category).lower()
    # Compound labels ("headset & headphones", "memory (ram)") read badly pluralised.
    return f"{label} products" if re.search(r"[&(),]", label) else plural(label)


def _singular_label(category: str | None) -> str:
    if not category or category == "other":
        return "product"
    return category_label(category).lower()


def _kind(category: str) -> str:
    label = category_label(category).lower()
    return label if re.search(r"[&(),]", label) else plural(label)


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


def _attribute_reasons(product: Product, filters: SearchFilters) -> list[str]:
    reasons: list[str] = []
    if filters.screen_inches_min is not None or filters.screen_inches_max is not None:
        if (inches := screen_inches(product)) is not None:
            reasons.append(f'{inches:g}" screen')
    if filters.memory_gb_min is not None or filters.memory_gb_max is not None:
        if (gb := memory_gb(product)) is not None:
            reasons.append(f"{gb:g} GB RAM")
    if filters.cable_length_m_min is not None or filters.cable_length_m_max is not None:
        if (metres := cable_length_m(product)) is not None:
            reasons.append(f"{metres:g} m ({metres / 0.3048:.1f} ft) long")
    if filters.compatible_with and is_compatible(product, filters.compatible_with):
        reasons.append(f"lists compatibility with {filters.compatible_with}")
    return reasons


def explain(
    product: Product, filters: SearchFilters, query: str, personal: Sequence[str] = ()
) -> str:
    """A short, true reason for showing ``product``, grounded in the filters and the text.

    ``personal`` are the ranker's reasons from the session ("similar to the Lenovo ThinkPad
    you opened"); they come after the shopper's own constraints.
    """
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
    reasons += _attribute_reasons(product, filters)
    reasons += personal
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
            reason=explain(c.product, filters, query, ranked.reasons_at(i)),
        )
        for i, c in enumerate(ranked.items)
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
    if len(ranked.items) == 1:
        one = f"{_singular_label(filters.category)} {constraints}".strip()
        text = f"Here is {'one more' if paged else 'one'} {one}: {top.title} at {money(top.price)}."
    else:
        count = f"{len(ranked.items)} more" if paged else str(len(ranked.items))
        text = f"Here are {count} {wanted}. The closest match is {top.title} at {money(top.price)}."
    if ranked.has_more:
        text += " Say “show more” to see others, or narrow it down by brand, colour or budget."
    return text


def vague_followup(ranked: RankedProducts, filters: SearchFilters) -> str | None:
    """A clarifying question when a search named no category and the results scatter over
    several: "What kind of product do you have in mind: bags, cables or headsets?"."""
    if filters.category or filters.brands or not ranked.items:
        return None
    counts = Counter(c.product.category for c in ranked.items if c.product.category != "other")
    if len(counts) < _VAGUE_MIN_CATEGORIES:
        return None
    kinds = [_kind(slug) for slug, _ in counts.most_common(3)]
    question = f"What kind of product do you have in mind: {', '.join(kinds[:-1])} or {kinds[-1]}?"
    if filters.price_min is None and filters.price_max is None:
        question += " And is there a budget I should stay under?"
    return question
