"""The demo customers and orders (``data/demo/orders.json``), seeded relative to "today".

Every ``*_days_ago`` in the file counts back from the seeding day at noon UTC, so the demo
always has a recent order, one past its return window, a shipped and a processing order.
Seeding is idempotent: customers and orders that exist are left alone.

Example:
    >>> report = seed_demo(OrderRepository(sessions), DEMO_ORDERS_PATH, clock=utcnow)
    >>> report.customers, report.orders
    (3, 10)
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.config import REPO_ROOT
from db.order_records import (
    CustomerRecord,
    NewReturn,
    OrderLineRecord,
    OrderRecord,
    OrderStatus,
    ReturnKind,
    ReturnReason,
    ReturnStatus,
)
from db.orders import OrderRepository

log = logging.getLogger(__name__)

DEMO_ORDERS_PATH = REPO_ROOT / "data" / "demo" / "orders.json"
DaysAgo = Annotated[int, Field(ge=1, le=3650)]


class DemoSeedError(ValueError):
    """The demo file cannot be read or does not validate."""


class _Demo(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class DemoReturn(_Demo):
    line: Annotated[int, Field(ge=1)]
    kind: ReturnKind = "return"
    reason: ReturnReason
    opened: bool | None = None
    status: ReturnStatus
    requested_days_ago: DaysAgo
    approved_days_ago: DaysAgo | None = None
    received_days_ago: DaysAgo | None = None
    refunded_days_ago: DaysAgo | None = None
    rejected_days_ago: DaysAgo | None = None
    staff_note: str = ""
    decided_by: str = "demo-staff"


class DemoLine(_Demo):
    """An order line; its number is its 1-based position in the order."""

    product_id: str
    title: str
    category: str
    quantity: Annotated[int, Field(ge=1)]
    unit_price: Decimal


class DemoOrder(_Demo):
    number: str
    customer: str
    status: OrderStatus
    payment_method: str
    placed_days_ago: DaysAgo
    shipped_days_ago: DaysAgo | None = None
    delivered_days_ago: DaysAgo | None = None
    cancelled_days_ago: DaysAgo | None = None
    carrier: str = ""
    tracking_number: str = ""
    lines: list[DemoLine]
    returns: list[DemoReturn] = Field(default_factory=list)


class DemoData(_Demo):
    about: str = ""
    customers: list[CustomerRecord]
    orders: list[DemoOrder]


class SeedReport(BaseModel):
    """How many rows seeding added (existing ones are skipped)."""

    customers: int = 0
    orders: int = 0
    returns: int = 0


def load_demo_data(path: Path = DEMO_ORDERS_PATH) -> DemoData:
    """Read and validate the demo file."""
    try:
        return DemoData.model_validate(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, json.JSONDecodeError, ValidationError) as e:
        raise DemoSeedError(f"cannot load demo data from {path}: {e}") from e


class _Days:
    """Turns "n days ago" into a timestamp at noon UTC of that day."""

    def __init__(self, today: datetime) -> None:
        self._noon = datetime.combine(today.date(), time(12), tzinfo=today.tzinfo)

    def __call__(self, days_ago: int | None) -> datetime | None:
        return None if days_ago is None else self._noon - timedelta(days=days_ago)

    def at(self, days_ago: int) -> datetime:
        return self._noon - timedelta(days=days_ago)


def _order_record(order: DemoOrder, days: _Days) -> OrderRecord:
    return OrderRecord(
        number=order.number,
        customer_id=order.customer,
        status=order.status,
        placed_at=days.at(order.placed_days_ago),
        shipped_at=days(order.shipped_days_ago),
        delivered_at=days(order.delivered_days_ago),
        cancelled_at=days(order.cancelled_days_ago),
        carrier=order.carrier,
        tracking_number=order.tracking_number,
        payment_method=order.payment_method,
        lines=[
            OrderLineRecord(line_number=i, **line.model_dump())
            for i, line in enumerate(order.lines, start=1)
        ],
    )


def _seed_return(repo: OrderRepository, order: OrderRecord, item: DemoReturn, days: _Days) -> None:
    new = NewReturn(
        order_number=order.number,
        line_number=item.line,
        customer_id=order.customer_id,
        kind=item.kind,
        reason=item.reason,
        opened=item.opened,
        requested_at=days.at(item.requested_days_ago),
    )
    record, _ = repo.create_return(new)
    if item.status == "rejected":
        when = days(item.rejected_days_ago)
        repo.decide_return(record.rma, False, item.staff_note, item.decided_by, now=when)
        return
    if item.status == "requested":
        return
    approved = days(item.approved_days_ago)
    repo.decide_return(record.rma, True, item.staff_note, item.decided_by, now=approved)
    if item.status in ("received", "refunded"):
        repo.mark_received(record.rma, now=days.at(item.received_days_ago or 1))
    if item.status == "refunded":
        line = order.line(item.line)
        amount = line.unit_price * line.quantity if line else None
        if amount is not None:
            repo.mark_refunded(record.rma, amount, now=days.at(item.refunded_days_ago or 1))


def seed_demo(
    repo: OrderRepository, path: Path = DEMO_ORDERS_PATH, *, clock: Callable[[], datetime]
) -> SeedReport:
    """Add the demo customers, orders and returns that are not in the store yet."""
    data = load_demo_data(path)
    days = _Days(clock())
    report = SeedReport()
    for customer in data.customers:
        if repo.get_customer(customer.id) is None:
            repo.add_customer(customer)
            report.customers += 1
    for demo in data.orders:
        if repo.get_order(demo.number, customer_id=demo.customer) is not None:
            continue
        order = repo.add_order(_order_record(demo, days))
        report.orders += 1
        for item in demo.returns:
            _seed_return(repo, order, item, days)
            report.returns += 1
    log.info("demo.seeded customers=%d orders=%d returns=%d", *report.model_dump().values())
    return report
