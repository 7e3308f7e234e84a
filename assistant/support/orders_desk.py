"""The order desk: order status, cancellations, return requests and refund status.

Implements :class:`~assistant.support.types.SupportHandler` for the ``order_status``,
``return_request`` and ``cancel_order`` intents and for refund-status questions
(:func:`is_refund_question`). Every answer comes from the signed-in customer's own records;
another customer's order number gets the same reply as a number that does not exist.

Example:
    >>> desk = OrderDesk(OrderRepository(sessions), load_store_rules(POLICIES), clock=utcnow)
    >>> desk.handle(request).reply
    'Order 10237 (placed on 24 November 2026) has shipped: ...'
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from assistant.order_numbers import extract_order_number
from assistant.support.eligibility import check_eligibility
from assistant.support.order_text import numbered, order_choice, order_status_text
from assistant.support.order_text import return_status_text as _return_status_text
from assistant.support.policy_rules import StoreRules
from assistant.support.return_desk import OrderTurn, ReturnWalkthrough, not_found_text, reply
from assistant.support.return_flow import (
    FLOW_INTENTS,
    FlowKind,
    ReturnFlow,
    answers_pending,
    pick_choice,
    wants_to_abandon,
)
from assistant.support.types import SupportReply, SupportRequest
from db.order_records import OrderRecord, OrderStatus, ReturnRecord
from db.orders import OrderRepository, OrderStateError

_RMA = re.compile(r"\bRMA-?\s?(\d{1,16})-(\d{1,3})\b", re.I)
_REFUND = re.compile(
    r"\brefund(?:s|ed)?\b|money back|\breimburs|status of (?:my|the) return|my return(?:s)?\b"
    r"|return (?:status|request)",
    re.I,
)
_STATUS_ASKED = re.compile(
    r"\bprocessed\b|\bstatus\b|\bwhere\b|\bwhen will\b|\byet\b|been (?:issued|approved|sent|paid)"
    r"|\breceived\b|heard back|any news|update on|\bhas my\b|\bhave you\b|\bdid you\b|\bdid i\b"
    r"|\bis my\b|\bcheck (?:on )?my\b|\bstill waiting\b|\bhaven'?t (?:got|received)\b",
    re.I,
)
LOGIN_NEEDED = (
    "To look up orders and returns I need to know who you are: please sign in first (pick your "
    "account in the demo login above the chat, or send your customer token with the API "
    "request)."
)
ORDER_INTENTS = frozenset({"order_status", "return_request", "cancel_order"})


def is_refund_question(text: str) -> bool:
    """Whether ``text`` asks where a refund or return stands ("has my refund been processed?").

    Example:
        >>> is_refund_question("has my refund been processed?"), is_refund_question(
        ...     "how long do refunds take?")
        (True, False)
    """
    if _RMA.search(text):
        return True
    return bool(_REFUND.search(text)) and bool(_STATUS_ASKED.search(text))


class OrderDesk:
    """Answers order and return questions of the signed-in customer.

    Args:
        orders: The order repository.
        rules: The store rules (from the policy documents' front matter).
        clock: Returns "now" (timezone-aware); injected so tests are deterministic.

    Example:
        >>> desk = OrderDesk(repo, rules, clock=lambda: datetime(2026, 11, 28, tzinfo=UTC))
        >>> desk.handle(request).order_number
        '10234'
    """

    def __init__(
        self, orders: OrderRepository, rules: StoreRules, clock: Callable[[], datetime]
    ) -> None:
        if not isinstance(rules, StoreRules):
            raise TypeError("rules must be StoreRules")
        if not callable(clock):
            raise TypeError("clock must be callable")
        self._orders = orders
        self._rules = rules
        self._clock = clock
        self._returns = ReturnWalkthrough(orders, rules)

    def handle(self, request: SupportRequest) -> SupportReply:
        """Answer one order/return/refund turn."""
        flow = ReturnFlow.from_state(request.support_state)
        if not request.customer_id:
            return SupportReply(reply=LOGIN_NEEDED, support_state=flow.to_state())
        turn = OrderTurn(request.text, request.customer_id, self._clock(), request.order_number)
        if is_refund_question(request.text):
            return self._refund_status(turn)
        if self._continues(flow, request):
            return self._resume(turn, flow)
        if request.intent == "cancel_order":
            return self._cancel(turn, extract_order_number(turn.text)[0])
        if request.intent == "return_request":
            return self._returns.start(turn)
        if request.intent == "order_status":
            return self._status(turn)
        return self._refund_status(turn)

    @staticmethod
    def _continues(flow: ReturnFlow, request: SupportRequest) -> bool:
        """Whether a turn of the flow's intent continues it: an answer to its question, or
        something to ask again about, unless it restates the request with an order number."""
        if not flow.pending or FLOW_INTENTS[flow.flow or "return"] != request.intent:
            return False
        if answers_pending(request.text, request.support_state):
            return True
        return flow.step == "order" or extract_order_number(request.text)[0] is None

    def _resume(self, turn: OrderTurn, flow: ReturnFlow) -> SupportReply:
        if flow.flow == "return":
            return self._returns.resume(turn, flow)
        if wants_to_abandon(turn.text):
            return reply("OK. Anything else I can help with?", ReturnFlow())
        number = extract_order_number(turn.text)[0] or pick_choice(turn.text, flow.choices)
        if flow.flow == "cancel":
            return self._cancel(turn, number)
        return self._status(turn, number)

    # --- order status ----------------------------------------------------------------------

    def _status(self, turn: OrderTurn, number: str | None = None) -> SupportReply:
        number = number or extract_order_number(turn.text)[0] or turn.remembered_order
        if number is None:
            return self._ask_order(turn, "status", "Which order would you like me to check?")
        order = self._orders.get_order(number, customer_id=turn.customer_id)
        if order is None:
            return reply(not_found_text(number), ReturnFlow(), resolved=False)
        return reply(order_status_text(order), ReturnFlow(), order.number)

    def _ask_order(self, turn: OrderTurn, flow: FlowKind, question: str) -> SupportReply:
        statuses: tuple[OrderStatus, ...] = ("processing",) if flow == "cancel" else ()
        recent = self._orders.recent_orders(turn.customer_id, limit=5, statuses=statuses)
        if not recent:
            none = "orders that can still be cancelled" if flow == "cancel" else "orders"
            text = f"I don't see any {none} on your account. What is the order number?"
            return reply(text, ReturnFlow(flow=flow, step="order"))
        choices = [order_choice(order) for order in recent]
        text = f"{question} Your recent orders:{numbered(choices)}Tell me the order number."
        state = ReturnFlow(flow=flow, step="order", choices=choices)
        return reply(text, state)

    # --- cancellation ----------------------------------------------------------------------

    def _cancel(self, turn: OrderTurn, number: str | None) -> SupportReply:
        if number is None:
            return self._ask_order(turn, "cancel", "Which order would you like to cancel?")
        order = self._orders.get_order(number, customer_id=turn.customer_id)
        if order is None:
            return reply(not_found_text(number), ReturnFlow(), resolved=False)
        if order.status != "processing":
            return reply(self._not_cancellable(order, turn.now), ReturnFlow(), order.number)
        try:
            self._orders.cancel_order(order.number, customer_id=turn.customer_id, now=turn.now)
        except OrderStateError:  # shipped between the read and the write
            fresh = self._orders.get_order(order.number, customer_id=turn.customer_id) or order
            return reply(self._not_cancellable(fresh, turn.now), ReturnFlow(), order.number)
        text = (
            f"Done: order {order.number} is cancelled. Cards are only charged when an order "
            "ships, so nothing was charged for it."
        )
        return reply(text, ReturnFlow(), order.number)

    def _not_cancellable(self, order: OrderRecord, now: datetime) -> str:
        if order.status == "cancelled":
            return f"Order {order.number} is already cancelled."
        if order.status == "returned":
            return f"Order {order.number} was delivered and returned, so it cannot be cancelled."
        head = order_status_text(order).split(" Items:")[0]
        verdict = check_eligibility(self._rules, order, order.lines[0], now)
        after = (
            "Once it is delivered you can return it instead."
            if order.status == "shipped"
            else f"You can return it instead: {verdict.explanation}"
        )
        return f"{head} It can no longer be cancelled. {after}"

    # --- refunds ---------------------------------------------------------------------------

    def _refund_status(self, turn: OrderTurn) -> SupportReply:
        records = self._orders.returns_of_customer(turn.customer_id)
        rma = _RMA.search(turn.text)
        number = extract_order_number(turn.text)[0]
        if rma:
            wanted = f"RMA-{rma.group(1)}-{rma.group(2)}"
            records = [r for r in records if r.rma == wanted]
            if not records:
                text = f"I can't find return {wanted} on your account. Please check the number."
                return reply(text, ReturnFlow(), resolved=False)
        elif number:
            records = [r for r in records if r.order_number == number]
            if not records and self._orders.get_order(number, customer_id=turn.customer_id) is None:
                return reply(not_found_text(number), ReturnFlow(), resolved=False)
        if not records:
            text = (
                "I don't see a return on your account"
                + (f" for order {number}" if number else "")
                + ", so there is no refund in progress. Would you like to start a return?"
            )
            return reply(text, ReturnFlow(), number)
        texts = [self._return_text(r, turn.customer_id) for r in records[:3]]
        return reply(" ".join(texts), ReturnFlow(), records[0].order_number)

    def _return_text(self, record: ReturnRecord, customer_id: str) -> str:
        order = self._orders.get_order(record.order_number, customer_id=customer_id)
        payment = order.payment_method if order else ""
        return _return_status_text(record, self._rules.refunds, payment)


__all__ = ["ORDER_INTENTS", "OrderDesk", "is_refund_question"]
