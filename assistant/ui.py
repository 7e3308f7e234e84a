"""The shopper's chat page (Gradio): conversation, product cards, clicks logged as events."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import gradio as gr

from assistant.errors import AssistantError
from assistant.replies import money
from assistant.service import ShoppingAssistant
from assistant.staff_replies_ui import attach_staff_replies
from assistant.support.staff_feed import StaffMessageFeed
from db.records import EventRecord, NewEvent
from retrieval.catalog.product import Product
from retrieval.catalog.taxonomy import category_label

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")
EXAMPLES = [
    "a thin and light laptop under $800",
    "a 10 ft HDMI cable",
    "black toner for an HP LaserJet",
    "wireless mouse, not Logitech",
]


class EventSink(Protocol):
    def record_event(self, event: NewEvent) -> EventRecord: ...


class ProductReader(Protocol):
    def get(self, product_id: str) -> Product | None: ...


def escape_markdown(text: str) -> str:
    """Catalog text is untrusted: neutralise HTML and Markdown syntax before rendering."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=True))


def card_markdown(position: int, card: dict[str, Any]) -> str:
    title = escape_markdown(card["title"])
    brand = escape_markdown(card["brand"] or "Unknown brand")
    category = escape_markdown(category_label(card["category"]))
    price = escape_markdown(money(card["price"]))
    reason = escape_markdown(card["reason"])
    return f"**{position}\\. {title}**  \n{brand} · {category} · **{price}**  \n_{reason}_"


def details_markdown(product: Product) -> str:
    lines = [
        f"### {escape_markdown(product.title)}",
        f"**{escape_markdown(money(product.price))}**",
    ]
    if product.description:
        lines.append(escape_markdown(product.description))
    shown = [
        f"- {escape_markdown(k.replace('_', ' '))}: {escape_markdown(str(v))}"
        for k, v in list(product.attributes.items())[:15]
    ]
    return "\n\n".join(lines) + ("\n\n" + "\n".join(shown) if shown else "")


def demo_login(customers: Sequence[tuple[str, str]]) -> gr.State | gr.Dropdown:
    """The demo login: a dropdown of demo customers (a hidden empty state when there are none).

    A chat session belongs to the customer who used it first, so signing in as someone else
    starts a new conversation.
    """
    if not customers:
        return gr.State("")
    return gr.Dropdown(
        choices=[("Not signed in", ""), *customers],
        value="",
        label="Demo login (orders and returns of this customer)",
        elem_id="demo-login",
        interactive=True,
    )


def build_chat_ui(
    assistant: ShoppingAssistant,
    events: EventSink,
    products: ProductReader,
    demo_customers: Sequence[tuple[str, str]] = (),
    staff_feed: StaffMessageFeed | None = None,
) -> gr.Blocks:
    """The chat page; each browser tab holds its own session id in Gradio state.

    ``demo_customers`` (label, customer id) fill the demo login: the chosen customer's orders
    and returns become visible in the chat. Leave it empty to hide the login (production).
    """

    def respond(
        message: str,
        history: list[dict[str, Any]],
        session_id: str | None,
        customer_id: str | None = None,
    ) -> tuple[Any, ...]:
        if not message or not message.strip():
            return "", history, session_id, gr.skip(), gr.skip()
        try:
            result = assistant.chat(session_id, message, customer_id=customer_id or None)
        except AssistantError as e:
            gr.Warning(str(e))
            return message, history, session_id, gr.skip(), gr.skip()
        history = [
            *history,
            {"role": "user", "content": message},
            {"role": "assistant", "content": result.reply},
        ]
        # Answers about shown products (compare, questions, support) keep the cards on screen,
        # and clicks on them stay attributed to the turn that showed them.
        if not result.products and result.intent not in ("search", "refine"):
            return "", history, result.session_id, gr.skip(), gr.skip()
        cards = [c.model_dump() for c in result.products]
        return "", history, result.session_id, result.turn_id, cards

    def log_action(product_id: str, kind: str) -> Callable[[str | None, int | None], str]:
        def handler(session_id: str | None, turn_id: int | None) -> str:
            if session_id is None:
                return ""
            events.record_event(
                NewEvent(session_id=session_id, product_id=product_id, type=kind, turn_id=turn_id)
            )
            product = products.get(product_id)
            if kind == "add_to_cart":
                gr.Info("Added to your cart")
            return details_markdown(product) if product else ""

        return handler

    with gr.Blocks(title="Shopping assistant", fill_height=True) as page:
        session_state = gr.State(None)
        turn_state = gr.State(None)
        cards_state = gr.State([])
        gr.Markdown("## Shopping assistant\nAsk for products in your own words.")
        customer_state = demo_login(demo_customers)
        with gr.Row():
            with gr.Column(scale=3):
                chatbot = gr.Chatbot(
                    label="Conversation",
                    height=480,
                    render_markdown=False,
                    sanitize_html=True,
                    elem_id="chatbot",
                )
                with gr.Row():
                    box = gr.Textbox(
                        placeholder="What are you looking for?", show_label=False, scale=5,
                        max_length=assistant.max_message_chars, elem_id="message-box",
                    )  # fmt: skip
                    send = gr.Button("Send", variant="primary", scale=1, elem_id="send-button")
                gr.Examples(EXAMPLES, inputs=box)
            with gr.Column(scale=2):
                gr.Markdown("### Products")
                details = gr.Markdown(elem_id="product-details")

                @gr.render(inputs=[cards_state])
                def render_cards(cards: list[dict[str, Any]]) -> None:
                    for position, card in enumerate(cards, start=1):
                        with gr.Group(elem_classes=["product-card"]):
                            gr.Markdown(card_markdown(position, card))
                            with gr.Row():
                                view = gr.Button("Details", size="sm")
                                cart = gr.Button("Add to cart", size="sm")
                        for button, kind in ((view, "click"), (cart, "add_to_cart")):
                            button.click(
                                log_action(card["id"], kind),
                                inputs=[session_state, turn_state],
                                outputs=[details],
                            )

        if staff_feed is not None:
            attach_staff_replies(chatbot, session_state, staff_feed)  # issue 6: staff replies
        outputs = [box, chatbot, session_state, turn_state, cards_state]
        inputs = [box, chatbot, session_state, customer_state]
        for trigger in (box.submit, send.click):
            trigger(respond, inputs=inputs, outputs=outputs)
        if isinstance(customer_state, gr.Dropdown):
            # A session stays with its customer: another login starts a new conversation.
            customer_state.change(
                lambda: ([], None, None, []),
                outputs=[chatbot, session_state, turn_state, cards_state],
            )
    return page
