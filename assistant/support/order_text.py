"""How orders and returns are worded in replies (status, dates, items, tracking, refunds).

Only data of the shopper's own orders ever reaches these functions; the desk checks ownership.

Example:
    >>> order_status_text(order)
    'Order 10237 (placed on 24 November 2026) has shipped: it left our warehouse on ...'
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from assistant.formatting import money, shorten
from assistant.support.eligibility import format_day
from assistant.support.policy_rules import RefundRules
from assistant.support.return_flow import Choice, title_words
from db.order_records import OrderLineRecord, OrderRecord, ReturnRecord

REASON_WORDS = {
    "changed_mind": "you changed your mind",
    "defective": "it is defective",
    "wrong_item": "it is the wrong item",
    "damaged": "it arrived damaged",
}


def _day(moment: datetime | None) -> str:
    return format_day(moment.date()) if moment else "an unknown date"


def add_business_days(start: date, days: int) -> date:
    """``days`` working days (Monday-Friday) after ``start``."""
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def items_text(order: OrderRecord) -> str:
    """``HP USB Optical 3-button Mouse (1 × $17.95), ...``."""
    return "; ".join(
        f"{shorten(line.title, 80)} ({line.quantity} × {money(line.unit_price)})"
        for line in order.lines
    )


def order_status_text(order: OrderRecord) -> str:
    """Status, dates, items and (once shipped) carrier and tracking number."""
    head = f"Order {order.number} (placed on {_day(order.placed_at)})"
    tracking = (
        f" with {order.carrier}, tracking number {order.tracking_number}"
        if order.tracking_number
        else ""
    )
    if order.status == "processing":
        state = " is being processed and has not shipped yet; you can still cancel it."
    elif order.status == "shipped":
        state = f" has shipped: it left our warehouse on {_day(order.shipped_at)}{tracking}."
    elif order.status == "delivered":
        state = f" was delivered on {_day(order.delivered_at)}{tracking}."
    elif order.status == "returned":
        state = f" was delivered on {_day(order.delivered_at)} and has been returned."
    else:
        state = f" was cancelled on {_day(order.cancelled_at)}."
    return f"{head}{state} Items: {items_text(order)}."


def order_choice(order: OrderRecord) -> Choice:
    """An order as an option of a numbered list."""
    when = order.delivered_at or order.shipped_at or order.placed_at
    verb = {"delivered": "delivered", "shipped": "shipped"}.get(order.status, "placed")
    titles = ", ".join(shorten(line.title, 40) for line in order.lines)
    label = f"order {order.number} ({verb} {_day(when)}: {titles})"
    words = title_words(*(f"{line.title} {line.category}" for line in order.lines))
    return Choice(key=order.number, label=shorten(label, 300), words=words)


def line_choice(line: OrderLineRecord) -> Choice:
    """An order line as an option of a numbered list."""
    label = shorten(line.title, 120)
    return Choice(
        key=str(line.line_number), label=label, words=title_words(line.title, line.category)
    )


def numbered(choices: list[Choice]) -> str:
    return "".join(f"\n{i}. {choice.label}" for i, choice in enumerate(choices, start=1)) + "\n"


def _money_of(record: ReturnRecord) -> str:
    return money(record.refund_amount) if record.refund_amount is not None else "your refund"


def return_status_text(record: ReturnRecord, refunds: RefundRules, payment: str) -> str:
    """Where a return stands, with its dates, and what happens next."""
    what = "Warranty claim" if record.kind == "warranty" else "Return"
    item = f" ({shorten(record.item_title, 60)})" if record.item_title else ""
    head = f"{what} {record.rma}{item} of order {record.order_number}"
    days, method = refunds.business_days, payment or refunds.method
    if record.status == "requested":
        return (
            f"{head} was requested on {_day(record.requested_at)} and is waiting for our team's "
            f"review. Once it is approved, send the item back; refunds are issued within {days} "
            f"business days of receiving it, to {method}."
        )
    if record.status == "approved":
        return (
            f"{head} was approved on {_day(record.approved_at)}: please send the item back with "
            f"{record.rma} on the parcel. We refund within {days} business days of receiving it."
        )
    if record.status == "received":
        due = add_business_days(record.received_at.date(), days) if record.received_at else None
        by = f" by {format_day(due)}" if due else ""
        return (
            f"{head} arrived at our warehouse on {_day(record.received_at)}; the refund will be "
            f"issued{by} (within {days} business days) to {method}."
        )
    if record.status == "refunded":
        return (
            f"{head} was refunded on {_day(record.refunded_at)}: {_money_of(record)} to "
            f"{method}. Your bank may take a few days to show it."
        )
    note = f' Our team\'s note: "{record.staff_note}"' if record.staff_note else ""
    return f"{head} was rejected on {_day(record.rejected_at)}.{note}"
