"""Answers to questions about one product, quoted from its catalog attributes.

"does the second one have HDMI?", "how much RAM does it have?", "what colour is it?", "will it
work with my HP LaserJet 3500?". The question's topic selects attribute keys (by topic words,
else by the question's own words matching key names); the answer quotes what the catalog
says, and says plainly when the product data does not cover the question.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

from assistant.attribute_format import (
    attribute_label,
    attribute_value,
    is_noise,
    key_attributes,
)
from assistant.formatting import money, shorten
from assistant.lexicon import STOPWORDS
from assistant.product_facts import compatibility_text, is_compatible
from retrieval.catalog.product import Product

# (pattern on the question, attribute-key fragments that answer it, topic name)
_TOPICS: tuple[tuple[re.Pattern[str], tuple[str, ...], str], ...] = tuple(
    # ASCII word boundaries, so "有HDMI吗" still has the word "HDMI".
    (re.compile(pattern, re.I | re.A), keys, topic)
    for pattern, keys, topic in (
        (r"\b(?:ram|memory)\b|内存", ("=internal_memory", "=internal_memory_type"), "memory"),
        (r"\bhdmi\b", ("hdmi",), "HDMI"),
        (r"\busb\b", ("usb",), "USB"),
        (r"\bbluetooth\b|蓝牙", ("bluetooth",), "Bluetooth"),
        (r"\bwi-?fi\b|\bwireless\b|无线", ("wi_fi", "wireless", "connectivity_technology"),
         "wireless connectivity"),
        (r"\b(?:screen|display|diagonal)\b|屏幕|尺寸", ("=display_diagonal",), "screen size"),
        (r"\bresolution\b|分辨率", ("display_resolution", "maximum_resolution"), "resolution"),
        (r"\b(?:storage|ssd|hdd|hard drive|disk)\b|硬盘", ("storage", "hdd_capacity", "capacity"),
         "storage"),
        (r"\b(?:processor|cpu)\b|处理器", ("processor_family", "processor_model",
                                           "processor_frequency"), "processor"),
        (r"\bbattery\b|电池", ("battery",), "battery"),
        (r"\b(?:colou?r)\b|颜色", ("=product_colour", "=cable_colour", "=printing_colours"),
         "colour"),
        (r"\b(?:long|length)\b|长度|多长", ("=cable_length",), "length"),
        (r"\b(?:weigh|weight|heavy)\b|重量|多重", ("=weight",), "weight"),
        (r"\b(?:yield|pages)\b", ("page_yield",), "page yield"),
        (r"\bdpi\b", ("movement_resolution",), "DPI"),
        (r"\btouch", ("touchscreen",), "touchscreen"),
        (r"\bbacklit|backlight", ("backlight", "keyboard_backlit"), "backlight"),
        (r"\b(?:os|operating system|windows)\b|系统", ("operating_system",), "operating system"),
        (r"\bwarranty\b|保修", ("warranty",), "warranty"),
        (r"\bports?\b|接口", ("ports", "interface"), "ports"),
    )
)  # fmt: skip
_PRICE = re.compile(
    r"\b(?:price|cost|how much is|how much does it cost)\b|多少钱|价格", re.I | re.A
)
_BRAND = re.compile(r"\b(?:brand|who makes|manufacturer|made by)\b|品牌|牌子", re.I | re.A)
_YES_NO = re.compile(r"^\s*(?:does|do|is|has|have|can|will|are|could|would|got)\b|吗", re.I | re.A)
_QUESTION_WORDS = frozenset(
    "what which how does do is has have can will are could would tell know whether if "
    "there it they one second first third fourth fifth last product item".split()
)
_MAX_FACTS = 3


class ProductAnswer(BaseModel):
    """The reply to a product question and whether the catalog covered it.

    Example:
        >>> answer_question("how much RAM does it have?", laptop).attributes
        ('internal_memory',)
    """

    model_config = ConfigDict(frozen=True)

    text: str
    known: bool
    attributes: tuple[str, ...] = ()


def _matching_keys(product: Product, fragments: tuple[str, ...]) -> list[str]:
    """Keys in fragment order; ``"=key"`` matches that key only, else any key containing it."""
    keys: list[str] = []
    for fragment in fragments:
        if fragment.startswith("="):
            found = [fragment[1:]] if fragment[1:] in product.attributes else []
        else:
            found = [k for k in product.attributes if fragment in k and not is_noise(k)]
        keys += [k for k in found if k not in keys]
    return keys


def _question_words(question: str) -> list[str]:
    words = re.findall(r"[a-z][a-z0-9-]{2,}", question.lower())
    return [w for w in words if w not in STOPWORDS and w not in _QUESTION_WORDS]


def _keys_by_words(product: Product, words: list[str]) -> list[str]:
    return [
        k
        for k in product.attributes
        if not is_noise(k) and any(w in k.split("_") or w.rstrip("s") in k for w in words)
    ]


def _yes_no(question: str, product: Product, keys: list[str]) -> str | None:
    """ "Yes"/"No" for a yes-no question answered by a count or a flag."""
    if not _YES_NO.search(question):
        return None
    values = [product.attributes[k] for k in keys]
    if any(v is True or (isinstance(v, int | float) and not isinstance(v, bool) and v > 0)
           for v in values):  # fmt: skip
        return "Yes"
    if all(v is False or v == 0 for v in values):
        return "No"
    return None


def _facts(product: Product, keys: list[str]) -> str:
    shown = keys[:_MAX_FACTS]
    return "; ".join(f"{attribute_label(k)}: {attribute_value(product, k)}" for k in shown)


def _compatibility_answer(product: Product, target: str) -> ProductAnswer:
    name = shorten(product.title)
    listed = " ".join(compatibility_text(product).split())
    if is_compatible(product, target):
        return ProductAnswer(text=f"Yes — the product data of {name} lists {target}.", known=True)
    declared = [k for k in product.attributes if "compatib" in k]
    if not declared:
        return ProductAnswer(
            text=f"I don't know: the product data of {name} doesn't list what it is compatible "
            f"with, so I can't confirm {target}.",
            known=False,
        )
    quote = attribute_value(product, declared[0]) or shorten(listed, 160)
    return ProductAnswer(
        text=f"The product data of {name} doesn't mention {target}. It lists: {quote}",
        known=True,
        attributes=tuple(declared[:1]),
    )


def answer_question(
    question: str, product: Product, compatible_with: str | None = None
) -> ProductAnswer:
    """Answer ``question`` about ``product`` from its data, or say the data does not tell.

    Example:
        >>> answer_question("what colour is it?", mouse).text
        'According to the product data, HP USB Optical 3-button Mouse has Colour: Black.'
    """
    name = shorten(product.title)
    if compatible_with:
        return _compatibility_answer(product, compatible_with)
    for pattern, fragments, topic in _TOPICS:
        if pattern.search(question):
            return _topic_answer(question, product, fragments, topic)
    if _PRICE.search(question):
        return ProductAnswer(text=f"{name} costs {money(product.price)}.", known=True)
    if _BRAND.search(question):
        return ProductAnswer(text=f"{name} is made by {product.brand or 'an unknown brand'}.",
                             known=bool(product.brand))  # fmt: skip
    return _answer_by_words(question, product)


def _answer_by_words(question: str, product: Product) -> ProductAnswer:
    """Question words that name attribute keys ("weight", "numeric keypad"), else the title."""
    name = shorten(product.title)
    brand_words = set(product.brand.lower().split())
    words = [w for w in _question_words(question) if w not in brand_words]
    keys = _keys_by_words(product, words)
    if keys:
        return _quote(question, product, keys)
    mentioned = [w for w in words if w in f"{product.title} {product.description}".lower()]
    if mentioned:
        return ProductAnswer(
            text=f"The product description of {name} mentions “{mentioned[0]}”, but has no "
            "attribute that says more.",
            known=True,
        )
    if not words:  # "the HP one": no question, so say what it is
        return _summary(product)
    return ProductAnswer(
        text=f"I don't know: the product data of {name} doesn't say anything about "
        f"{' '.join(words[:3])}.",
        known=False,
    )


def _summary(product: Product) -> ProductAnswer:
    keys = key_attributes([product], limit=_MAX_FACTS)
    facts = f" It has {_facts(product, keys)}." if keys else ""
    brand = f" by {product.brand}" if product.brand else ""
    return ProductAnswer(
        text=f"That's {shorten(product.title)}{brand}, {money(product.price)}.{facts} "
        "What would you like to know about it?",
        known=True,
        attributes=tuple(keys),
    )


def _topic_answer(
    question: str, product: Product, fragments: tuple[str, ...], topic: str
) -> ProductAnswer:
    keys = _matching_keys(product, fragments)
    if topic == "colour" and not keys and product.color:
        return ProductAnswer(text=f"{shorten(product.title)} is {product.color}.", known=True)
    if topic == "screen size" and not keys and attribute_value(product, "display_diagonal"):
        keys = ["display_diagonal"]
    if topic == "length" and not keys and attribute_value(product, "cable_length"):
        keys = ["cable_length"]
    if not keys:
        return ProductAnswer(
            text=f"I don't know: the product data of {shorten(product.title)} doesn't say "
            f"anything about {topic}.",
            known=False,
        )
    return _quote(question, product, keys)


def _quote(question: str, product: Product, keys: list[str]) -> ProductAnswer:
    facts = _facts(product, keys)
    verdict = _yes_no(question, product, [k for k in keys if k in product.attributes])
    lead = f"{verdict} — according" if verdict else "According"
    return ProductAnswer(
        text=f"{lead} to the product data, {shorten(product.title)} has {facts}.",
        known=True,
        attributes=tuple(keys[:_MAX_FACTS]),
    )
