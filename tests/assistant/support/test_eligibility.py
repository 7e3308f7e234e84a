"""Return eligibility over the store's real rule table (data/policies), at its boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from assistant.support.eligibility import check_eligibility
from assistant.support.policy_rules import StoreRules, load_store_rules
from db.order_records import OrderLineRecord, OrderRecord, OrderStatus, ReturnRecord

pytestmark = pytest.mark.unit

POLICIES = Path(__file__).resolve().parents[3] / "data" / "policies"
DELIVERED = datetime(2026, 11, 1, 15, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def rules() -> StoreRules:
    return load_store_rules(POLICIES)


def _order(category: str, status: OrderStatus = "delivered") -> OrderRecord:
    line = OrderLineRecord(
        line_number=1,
        product_id="1",
        title=f"Some {category}",
        category=category,
        quantity=1,
        unit_price=Decimal("10.00"),
    )
    dates = {
        "processing": {},
        "shipped": {"shipped_at": DELIVERED - timedelta(days=2)},
        "delivered": {"shipped_at": DELIVERED - timedelta(days=2), "delivered_at": DELIVERED},
        "returned": {"shipped_at": DELIVERED - timedelta(days=2), "delivered_at": DELIVERED},
        "cancelled": {"cancelled_at": DELIVERED - timedelta(days=3)},
    }[status]
    return OrderRecord(
        number="10234",
        customer_id="alice",
        status=status,
        placed_at=DELIVERED - timedelta(days=4),
        payment_method="Visa ending 4242",
        lines=[line],
        **dates,
    )


def _day(n: int) -> datetime:
    """``n`` days after delivery, at 09:00 (the clock's time of day does not matter)."""
    return DELIVERED.replace(hour=9) + timedelta(days=n)


# (category, days after delivery, reason, opened, expected outcome)
CASES = [
    ("laptop", 0, "changed_mind", None, "eligible"),
    ("laptop", 12, None, None, "eligible"),
    ("laptop", 30, "changed_mind", None, "eligible"),  # the last day of the window
    ("laptop", 31, "changed_mind", None, "past_window"),  # the day after
    ("laptop", 31, None, None, "past_window"),
    ("laptop", 31, "defective", None, "warranty_claim"),  # 24 months warranty
    ("laptop", 31, "damaged", None, "warranty_claim"),
    ("laptop", 31, "wrong_item", None, "past_window"),
    ("desktop", 400, "defective", None, "warranty_claim"),
    ("desktop", 760, "defective", None, "warranty_expired"),
    ("phone", 14, "changed_mind", None, "eligible"),
    ("phone", 15, "changed_mind", None, "past_window"),
    ("cable", 60, "changed_mind", None, "eligible"),
    ("cable", 61, "changed_mind", None, "past_window"),
    ("cable", 400, "defective", None, "warranty_expired"),  # accessories: 12 months
    ("monitor", 31, "defective", None, "warranty_claim"),
    ("monitor", 1000, "defective", None, "warranty_claim"),  # monitors: 36 months
    ("monitor", 1200, "defective", None, "warranty_expired"),
    ("toner", 5, "changed_mind", True, "opened_consumable"),
    ("toner", 5, None, True, "opened_consumable"),
    ("toner", 5, "changed_mind", False, "eligible"),
    ("toner", 5, "defective", True, "eligible"),  # a defective cartridge is covered
    ("ink", 5, "changed_mind", True, "opened_consumable"),
    ("paper", 5, "wrong_item", True, "opened_consumable"),
    ("laptop", 5, "changed_mind", True, "eligible"),  # opening a laptop is fine
    ("other", 30, "changed_mind", None, "eligible"),  # the default window: 30 days
    ("other", 31, "changed_mind", None, "past_window"),
]


@pytest.mark.parametrize(("category", "days", "reason", "opened", "expected"), CASES)
def test_rule_table(
    rules: StoreRules,
    category: str,
    days: int,
    reason: str | None,
    opened: bool | None,
    expected: str,
) -> None:
    order = _order(category)
    verdict = check_eligibility(
        rules,
        order,
        order.lines[0],
        _day(days),
        reason=reason,  # type: ignore[arg-type]
        opened=opened,
    )
    assert verdict.outcome == expected, verdict.explanation
    assert verdict.can_request == (expected in ("eligible", "warranty_claim"))


def test_explanation_names_the_order_days_window_and_dates(rules: StoreRules) -> None:
    order = _order("laptop")
    verdict = check_eligibility(rules, order, order.lines[0], _day(12))
    assert verdict.explanation == (
        "Order 10234 was delivered 12 days ago (on 1 November 2026); laptops, desktops and "
        "tablets can be returned within 30 days of delivery, so you can return it until "
        "1 December 2026."
    )
    assert (verdict.days_since_delivery, verdict.window_days) == (12, 30)


def test_past_window_says_when_it_closed(rules: StoreRules) -> None:
    order = _order("phone")
    verdict = check_eligibility(rules, order, order.lines[0], _day(20))
    assert "delivered 20 days ago" in verdict.explanation
    assert "within 14 days" in verdict.explanation
    assert "closed on 15 November 2026" in verdict.explanation


@pytest.mark.parametrize(
    ("status", "expected", "words"),
    [
        ("processing", "not_delivered", "cancel it instead"),
        ("shipped", "not_delivered", "starts on the day it is delivered"),
        ("cancelled", "cancelled", "was cancelled"),
        ("returned", "already_returned", "already has a return"),
    ],
)
def test_orders_that_cannot_be_returned(
    rules: StoreRules, status: OrderStatus, expected: str, words: str
) -> None:
    order = _order("laptop", status)
    verdict = check_eligibility(rules, order, order.lines[0], _day(3), reason="changed_mind")
    assert verdict.outcome == expected
    assert words in verdict.explanation
    assert not verdict.can_request


def test_an_existing_return_wins(rules: StoreRules) -> None:
    order = _order("laptop")
    existing = ReturnRecord(
        rma="RMA-10234-1",
        order_number="10234",
        line_number=1,
        customer_id="alice",
        kind="return",
        reason="changed_mind",
        status="requested",
        requested_at=_day(2),
    )
    verdict = check_eligibility(rules, order, order.lines[0], _day(3), existing=existing)
    assert verdict.outcome == "already_returned"
    assert "RMA-10234-1" in verdict.explanation
