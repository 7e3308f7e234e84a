"""The return walk-through: which order, which item, why (opened?) -> a return record with an RMA.

Each step asks one question and keeps its answer in :class:`ReturnFlow`; what the shopper
already said (an order number, "the printer", "it stopped working") skips the matching steps.

Example:
    >>> walk = ReturnWalkthrough(repo, rules)
    >>> walk.start(ctx).reply
    'Which order would you like to return something from? 1. order 10236 (delivered ...'
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from assistant.formatting import shorten
from assistant.order_numbers import extract_order_number
from assistant.support.eligibility import check_eligibility
from assistant.support.order_text import REASON_WORDS, line_choice, numbered, order_choice
from assistant.support.policy_rules import StoreRules
from assistant.support.return_flow import (
    ReturnFlow,
    extract_reason,
    extract_yes_no,
    pick_choice,
    wants_to_abandon,
)
from assistant.support.types import SupportReply
from db.order_records import NewReturn, OrderLineRecord, OrderRecord, ReturnRecord
from db.orders import OrderRepository

_FAULTS = ("defective", "damaged")
_OFFER = " If you think this is wrong, ask for a person and our team will look at it."


@dataclass(frozen=True)
class OrderTurn:
    """One support turn of a signed-in customer, at ``now``."""

    text: str
    customer_id: str
    now: datetime
    remembered_order: str | None = None


def not_found_text(number: str) -> str:
    """The one reply for an unknown order AND for another customer's order (nothing leaks)."""
    return (
        f"I can't find order {number} on your account. Please check the number in your "
        "order confirmation email."
    )


def reply(
    text: str, flow: ReturnFlow, order: str | None = None, resolved: bool = True
) -> SupportReply:
    return SupportReply(
        reply=text, support_state=flow.to_state(), order_number=order, resolved=resolved
    )


class ReturnWalkthrough:
    """Runs the return request conversation against the customer's own orders."""

    def __init__(self, orders: OrderRepository, rules: StoreRules) -> None:
        self._orders = orders
        self._rules = rules

    def start(self, turn: OrderTurn) -> SupportReply:
        flow = ReturnFlow(
            flow="return", step="order", reason=extract_reason(turn.text), item_hint=turn.text[:300]
        )
        number = extract_order_number(turn.text)[0] or turn.remembered_order
        if number is None:
            number = self._order_with_item(turn)  # "return the printer": the order that has one
        if number is None:
            return self._ask_order(turn, flow)
        return self._with_order(turn, flow, number)

    def _order_with_item(self, turn: OrderTurn) -> str | None:
        recent = self._orders.recent_orders(turn.customer_id, limit=5, statuses=("delivered",))
        return pick_choice(turn.text, [order_choice(o) for o in recent], by_position=False)

    def resume(self, turn: OrderTurn, flow: ReturnFlow) -> SupportReply:
        if wants_to_abandon(turn.text):
            return reply(
                "OK, I've stopped the return request. Anything else I can do?", ReturnFlow()
            )
        if flow.step == "order":
            number = extract_order_number(turn.text)[0] or pick_choice(turn.text, flow.choices)
            if number is None:
                return self._ask_order(turn, flow, resolved=False)
            return self._with_order(turn, flow, number)
        order = self._orders.get_order(flow.order_number or "", customer_id=turn.customer_id)
        if order is None:  # the order vanished or the session changed hands: start over
            return self._ask_order(turn, ReturnFlow(flow="return", step="order"))
        if flow.step == "item":
            return self._pick_item(turn, flow, order, resolved=False)
        line = order.line(flow.line_number or 0)
        if line is None:
            return self._pick_item(turn, flow, order, resolved=False)
        if flow.step == "reason":
            return self._with_reason(
                turn, flow.model_copy(update={"reason": extract_reason(turn.text)}), order, line
            )
        opened = extract_yes_no(turn.text)
        if opened is None:
            return reply(self._opened_question(line), flow, order.number, resolved=False)
        return self._finish(turn, flow.model_copy(update={"opened": opened}), order, line)

    def _ask_order(self, turn: OrderTurn, flow: ReturnFlow, resolved: bool = True) -> SupportReply:
        recent = self._orders.recent_orders(turn.customer_id, limit=5, statuses=("delivered",))
        if not recent:
            text = (
                "I don't see any delivered orders on your account, so there is nothing to "
                "return yet. If you have an order number, tell me and I'll check it."
            )
            return reply(text, flow.model_copy(update={"step": "order", "choices": []}))
        choices = [order_choice(order) for order in recent]
        text = (
            "Which order would you like to return something from? Your recent delivered "
            f"orders:{numbered(choices)}Tell me the order number or its position in the list."
        )
        return reply(
            text, flow.model_copy(update={"step": "order", "choices": choices}), resolved=resolved
        )

    def _with_order(self, turn: OrderTurn, flow: ReturnFlow, number: str) -> SupportReply:
        order = self._orders.get_order(number, customer_id=turn.customer_id)
        if order is None:
            return reply(
                not_found_text(number), flow.model_copy(update={"step": "order"}), resolved=False
            )
        if order.status != "delivered":
            verdict = check_eligibility(self._rules, order, order.lines[0], turn.now)
            return reply(verdict.explanation, ReturnFlow(), order.number)
        flow = flow.model_copy(update={"order_number": order.number, "step": "item", "choices": []})
        if len(order.lines) == 1:
            return self._with_line(turn, flow, order, order.lines[0])
        named = flow.item_hint if flow.item_hint == turn.text else f"{flow.item_hint} {turn.text}"
        return self._pick_item(turn, flow, order, resolved=True, text=named)

    def _pick_item(
        self,
        turn: OrderTurn,
        flow: ReturnFlow,
        order: OrderRecord,
        resolved: bool,
        text: str | None = None,
    ) -> SupportReply:
        """The item named in ``text`` (default: this turn's answer, which may be a position;
        the first request only names items by their words), else ask which."""
        choices = [line_choice(line) for line in order.lines]
        key = pick_choice(
            text if text is not None else turn.text, choices, by_position=text is None
        )
        line = order.line(int(key)) if key else None
        if line is not None:
            reason = flow.reason or extract_reason(turn.text)
            return self._with_line(turn, flow.model_copy(update={"reason": reason}), order, line)
        question = f"Which item of order {order.number} would you like to return?"
        text = f"{question}{numbered(choices)}".rstrip()
        state = flow.model_copy(update={"step": "item", "choices": choices})
        return reply(text, state, order.number, resolved=resolved)

    def _with_line(
        self, turn: OrderTurn, flow: ReturnFlow, order: OrderRecord, line: OrderLineRecord
    ) -> SupportReply:
        existing = self._orders.return_for_line(order.number, line.line_number, turn.customer_id)
        if existing is not None:
            text = (
                f"You already have return {existing.rma} for the {shorten(line.title, 60)} "
                f'(status: {existing.status}). Ask me "has my refund been processed?" for details.'
            )
            return reply(text, ReturnFlow(), order.number)
        flow = flow.model_copy(update={"line_number": line.line_number, "choices": []})
        return self._with_reason(turn, flow, order, line)

    def _with_reason(
        self, turn: OrderTurn, flow: ReturnFlow, order: OrderRecord, line: OrderLineRecord
    ) -> SupportReply:
        if flow.reason is None:
            text = (
                f"Why are you returning the {shorten(line.title, 60)}? For example: you changed "
                "your mind, it is defective, it is the wrong item, or it arrived damaged."
            )
            resolved = flow.step != "reason"
            return reply(text, flow.model_copy(update={"step": "reason"}), order.number, resolved)
        if flow.opened is None and self._opened_matters(turn, flow, order, line):
            state = flow.model_copy(update={"step": "opened"})
            return reply(self._opened_question(line), state, order.number)
        return self._finish(turn, flow, order, line)

    def _opened_matters(
        self, turn: OrderTurn, flow: ReturnFlow, order: OrderRecord, line: OrderLineRecord
    ) -> bool:
        """Only ask "opened?" for a consumable that could otherwise still be returned."""
        if flow.reason in _FAULTS or not self._rules.returns.excluded_once_opened(line.category):
            return False
        verdict = check_eligibility(self._rules, order, line, turn.now, reason=flow.reason)
        return verdict.outcome == "eligible"

    @staticmethod
    def _opened_question(line: OrderLineRecord) -> str:
        return (
            f"Has the {shorten(line.title, 60)} been opened? (yes or no; opened "
            f"{line.category.replace('-', ' ')} items can only be returned if defective)"
        )

    def _finish(
        self, turn: OrderTurn, flow: ReturnFlow, order: OrderRecord, line: OrderLineRecord
    ) -> SupportReply:
        assert flow.reason is not None
        verdict = check_eligibility(
            self._rules, order, line, turn.now, reason=flow.reason, opened=flow.opened
        )
        if verdict.kind is None:
            return reply(verdict.explanation + _OFFER, ReturnFlow(), order.number)
        new = NewReturn(
            order_number=order.number,
            line_number=line.line_number,
            customer_id=turn.customer_id,
            kind=verdict.kind,
            reason=flow.reason,
            opened=flow.opened,
            requested_at=turn.now,
        )
        record, created = self._orders.create_return(new)
        item = shorten(line.title, 60)
        if not created:
            text = f"You already have return {record.rma} for the {item} (status: {record.status})."
            return reply(text, ReturnFlow(), order.number)
        text = self._created_text(verdict.explanation, record, item, order)
        return reply(text, ReturnFlow(), order.number)

    def _created_text(self, why: str, record: ReturnRecord, item: str, order: OrderRecord) -> str:
        refunds, rma = self._rules.refunds, record.rma
        reason = REASON_WORDS[record.reason]
        if record.kind == "warranty":
            return (
                f"{why} I've opened warranty claim {rma} for the {item} ({reason}). Our team "
                "will review it and arrange the repair or replacement."
            )
        return (
            f"{why} I've registered return {rma} for the {item} (reason: {reason}); its status "
            f"is requested. Once our team approves it, send the item back with {rma} on the "
            f"parcel; the refund is issued within {refunds.business_days} business days of "
            f"receiving it, to {order.payment_method} (the original payment method)."
        )
