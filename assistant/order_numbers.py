"""Order numbers in a message: "order 10234", "#10234", "purchase 113542617735902", "订单号 12345".

A long bare number (7+ digits, as in Bitext's "cancel purchase 00123842") counts only when the
message talks about an order, a return, a delivery or a refund, so a pasted EAN in a product
search is not mistaken for one.
"""

from __future__ import annotations

import re

from assistant.slots import Span

_AFTER_KEYWORD = re.compile(
    r"\b(?:order|purchase|invoice|package|parcel|shipment|transaction|confirmation)\s*"
    r"(?:number|no\.?|num|#|id|ref(?:erence)?)?\s*(?:is|was|:)?\s*#?\s*"
    r"(?P<id>[A-Z]{0,4}-?\d[\d-]{2,22}\d)(?![\w.])"
    r"|订单\s*(?:号|编号)?\s*(?:是|为)?\s*[:：]?\s*(?P<cn>[A-Z]{0,4}-?\d{4,24})",
    re.I,
)
_HASH = re.compile(r"(?<![\w#&])#\s?(?P<id>[A-Z]{0,4}-?\d{4,24})(?![\w.])", re.I)
_BARE = re.compile(r"(?<![\w.$,-])(?P<id>[A-Z]{2,4}-\d{6,24}|\d{7,24})(?![\w.,])", re.I)
_ORDER_TALK = re.compile(
    r"\b(?:order|orders|purchase|bought|return|refund|deliver(?:y|ed)?|package|parcel"
    r"|shipment|shipping|track(?:ing)?|cancel|invoice)\b|订单|退货|退款|物流|快递",
    re.I,
)


def extract_order_number(text: str) -> tuple[str | None, Span | None]:
    """The first order number in ``text`` (upper-cased) and its span.

    Example:
        >>> extract_order_number("where is my order #10234?")[0]
        '10234'
    """
    for pattern in (_AFTER_KEYWORD, _HASH):
        m = pattern.search(text)
        if m:
            group = "cn" if m.groupdict().get("cn") else "id"
            return m[group].upper(), m.span(group)
    if _ORDER_TALK.search(text):
        m = _BARE.search(text)
        if m:
            return m["id"].upper(), m.span("id")
    return None, None
