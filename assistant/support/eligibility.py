"""Return eligibility: the store rules, an order line and today's date -> a worded verdict.

A pure function of its inputs (no clock, no I/O), so every rule is testable at its boundaries.
Days are calendar days in UTC counted from delivery: an item delivered on 1 November with a
30-day window can be returned up to and including 1 December (day 30), not on day 31.

Example:
    >>> verdict = check_eligibility(rules, order, order.lines[0], today)
    >>> verdict.outcome, verdict.explanation
    ('eligible', 'Order 10234 was delivered 12 days ago (on 16 November 2026); laptops, ...')
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict

from assistant.support.policy_rules import StoreRules
from db.order_records import OrderLineRecord, OrderRecord, ReturnKind, ReturnReason, ReturnRecord

Outcome = Literal[
    "eligible",  # a return can be requested
    "warranty_claim",  # past the window but defective and under warranty: a claim instead
    "past_window",
    "warranty_expired",
    "opened_consumable",
    "not_delivered",
    "already_returned",
    "cancelled",
]
_FAULTS: frozenset[ReturnReason] = frozenset({"defective", "damaged"})


class Eligibility(BaseModel):
    """Whether (and how) an order line can be sent back, with the reason in words.

    Example:
        >>> Eligibility(outcome="past_window", explanation="...").can_request
        False
    """

    model_config = ConfigDict(frozen=True)

    outcome: Outcome
    explanation: str
    kind: ReturnKind | None = None
    days_since_delivery: int | None = None
    window_days: int | None = None
    last_day: date | None = None

    @property
    def can_request(self) -> bool:
        """Whether a return record (or warranty claim) may be created."""
        return self.kind is not None


def format_day(day: date) -> str:
    """``16 November 2026``."""
    return f"{day.day} {day:%B %Y}"


def _ago(days: int) -> str:
    if days == 0:
        return "today"
    return "1 day ago" if days == 1 else f"{days} days ago"


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for candidate in (day.day, 30, 29, 28):  # 31 January + 1 month -> 28/29 February
        try:
            return date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable")  # pragma: no cover


def _not_delivered(order: OrderRecord) -> Eligibility | None:
    if order.status == "cancelled":
        text = f"Order {order.number} was cancelled, so there is nothing to return."
        return Eligibility(outcome="cancelled", explanation=text)
    if order.status == "processing":
        text = (
            f"Order {order.number} has not shipped yet, so it cannot be returned; "
            "you can cancel it instead while it is still being processed."
        )
        return Eligibility(outcome="not_delivered", explanation=text)
    if order.status == "shipped" or order.delivered_at is None:
        text = (
            f"Order {order.number} is on its way and has not been delivered yet; the return "
            "window starts on the day it is delivered."
        )
        return Eligibility(outcome="not_delivered", explanation=text)
    return None


def _warranty(
    rules: StoreRules, order: OrderRecord, line: OrderLineRecord, delivered: date, today: date
) -> Eligibility:
    group = rules.warranty.warranty_for(line.category)
    until = _add_months(delivered, group.months)
    since = f"Order {order.number} was delivered on {format_day(delivered)}"
    if today <= until:
        text = (
            f"{since}, so its return window has closed, but {group.name} are under warranty for "
            f"{group.months} months (until {format_day(until)}): the defective item can be "
            "repaired or replaced with a warranty claim."
        )
        return Eligibility(outcome="warranty_claim", explanation=text, kind="warranty")
    text = (
        f"{since}; {group.name} are under warranty for {group.months} months, which ended on "
        f"{format_day(until)}, so it can no longer be returned or claimed under warranty."
    )
    return Eligibility(outcome="warranty_expired", explanation=text)


def check_eligibility(
    rules: StoreRules,
    order: OrderRecord,
    line: OrderLineRecord,
    today: datetime,
    *,
    reason: ReturnReason | None = None,
    opened: bool | None = None,
    existing: ReturnRecord | None = None,
) -> Eligibility:
    """Decide whether ``line`` of ``order`` can be returned on ``today``.

    ``reason`` and ``opened`` are what the shopper said (``None``: not asked yet); a fault
    (defective, damaged) past the window turns into a warranty claim, and an opened consumable
    is only excluded when the shopper just changed their mind.
    """
    if existing is not None or order.status == "returned":
        rma = f" ({existing.rma}, status {existing.status})" if existing else ""
        text = f"That item of order {order.number} already has a return{rma}."
        return Eligibility(outcome="already_returned", explanation=text)
    if (blocked := _not_delivered(order)) is not None:
        return blocked
    assert order.delivered_at is not None  # _not_delivered returned None
    delivered, now = order.delivered_at.date(), today.date()
    days = max(0, (now - delivered).days)
    group = rules.returns.window_for(line.category)
    last_day = delivered + timedelta(days=group.days)
    facts = {"days_since_delivery": days, "window_days": group.days, "last_day": last_day}
    head = (
        f"Order {order.number} was delivered {_ago(days)} (on {format_day(delivered)}); "
        f"{group.name} can be returned within {group.days} days of delivery"
    )
    if days > group.days:
        if reason in _FAULTS:
            return _warranty(rules, order, line, delivered, now).model_copy(update=facts)
        text = f"{head}, so the return window closed on {format_day(last_day)}."
        return Eligibility(outcome="past_window", explanation=text, **facts)
    if opened and reason not in _FAULTS and rules.returns.excluded_once_opened(line.category):
        text = (
            f"{head}, but {line.category.replace('-', ' ')} items cannot be returned once "
            "opened unless they are defective."
        )
        return Eligibility(outcome="opened_consumable", explanation=text, **facts)
    text = f"{head}, so you can return it until {format_day(last_day)}."
    return Eligibility(outcome="eligible", explanation=text, kind="return", **facts)
