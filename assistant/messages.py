"""Fixed replies: greetings, fallbacks, clarifying questions and support answers.

Customer service (orders, returns, policies, hand-over to a person) is not built yet, so
support intents get an honest "I can't do that here yet" that names what was understood,
and the shopping state is kept for when the shopper comes back to it.
"""

from __future__ import annotations

from assistant.intents.base import IntentLabel, IntentPrediction

GREETING_REPLY = (
    "Hello! I'm the store's shopping assistant. Tell me what you're looking for, "
    "for example “a thin and light laptop under $800” or “a 10 ft HDMI cable”."
)
FALLBACK_REPLY = (
    "I'm not sure what you're looking for. What kind of product do you have in mind, and "
    "what's your budget? For example “HP toner under $50” or “a wireless mouse”."
)
_WHAT_LABELS_MEAN: dict[str, str] = {
    "search": "look for a product",
    "refine": "narrow down the products I showed",
    "compare": "compare products I showed",
    "product_question": "ask about one of the products I showed",
    "return_policy": "know our return policy",
    "return_request": "return an item",
    "order_status": "check on an order",
    "cancel_order": "cancel an order",
    "human_agent": "talk to a person",
    "faq": "ask a question about the store",
    "greeting": "say hello",
}
# What this chat cannot do yet, without and with an order number.
_SUPPORT_TOPICS: dict[str, tuple[str, str]] = {
    "return_policy": ("explain the return policy", "explain the return policy"),
    "return_request": ("start a return", "start a return for order {order}"),
    "order_status": ("look up orders", "look up order {order}"),
    "cancel_order": ("cancel orders", "cancel order {order}"),
    "human_agent": ("hand you over to a person", "hand you over to a person"),
    "faq": ("answer store questions", "answer store questions"),
}


def clarify_reply(prediction: IntentPrediction) -> str:
    """A question naming the two likeliest readings of an unclear message."""
    ranked = sorted(prediction.scores.items(), key=lambda kv: -kv[1])
    options = [_WHAT_LABELS_MEAN[label] for label, _ in ranked if label in _WHAT_LABELS_MEAN]
    if len(options) >= 2:
        return f"Sorry, I'm not sure I understood. Do you want to {options[0]} or {options[1]}?"
    return (
        "Sorry, I'm not sure I understood. Are you looking for a product (tell me what kind "
        "and your budget), or do you need help with an order or a return?"
    )


def support_reply(intent: IntentLabel, order_number: str | None, has_search: bool) -> str:
    """An honest answer for a support request this chat cannot handle yet."""
    plain, with_order = _SUPPORT_TOPICS.get(intent, ("help with that", "help with that"))
    topic = with_order.format(order=order_number) if order_number else plain
    text = f"I can't {topic} in this chat yet. Please contact our support team for that."
    if has_search:
        return text + " Your product search is still here: say “show more” to continue."
    return text + " Meanwhile I'm happy to help you find products."


def nothing_shown_reply() -> str:
    return (
        "I haven't shown you any products yet. Tell me what you're looking for first, "
        "for example “a 27 inch monitor under $300”."
    )


def missing_positions_reply(missing: tuple[int, ...], shown_count: int) -> str:
    asked = ", ".join("the last" if p == -1 else f"#{p}" for p in missing)
    return (
        f"I only showed {shown_count} product{'s' if shown_count != 1 else ''}, so I can't "
        f"find {asked}. Refer to them by number, for example “compare 1 and 2”."
    )


def compare_needs_two_reply(found: int) -> str:
    which = "only one of them" if found == 1 else "which products you mean"
    return (
        f"To compare I need two or more of the products shown, but I could tell {which}. "
        "Say for example “compare 1 and 3” or “compare the first two”."
    )


def which_product_reply(missing_brands: tuple[str, ...] = ()) -> str:
    if missing_brands:
        return (
            f"None of the products I showed is from {' or '.join(missing_brands)}. Which one "
            "do you mean? Say for example “the second one”."
        )
    return "Which product do you mean? Say for example “the second one” or “the HP one”."
