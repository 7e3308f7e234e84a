"""Pydantic records of customers, orders, order lines and return requests (never ORM rows)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

OrderStatus = Literal["processing", "shipped", "delivered", "returned", "cancelled"]
ReturnStatus = Literal["requested", "approved", "received", "refunded", "rejected"]
ReturnReason = Literal["changed_mind", "defective", "wrong_item", "damaged"]
ReturnKind = Literal["return", "warranty"]

CustomerId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]
OrderNumber = Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Z0-9-]+$")]
OPEN_RETURN_STATUSES: tuple[ReturnStatus, ...] = ("requested", "approved", "received")


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CustomerRecord(_Record):
    """A customer account.

    Example:
        >>> CustomerRecord(id="alice", name="Alice Martin", email="alice@example.com")
    """

    id: CustomerId
    name: Annotated[str, Field(min_length=1, max_length=200)]
    email: Annotated[str, Field(min_length=3, max_length=320)]


class OrderLineRecord(_Record):
    """One item of an order (title, category and price as they were when ordered).

    Example:
        >>> OrderLineRecord(line_number=1, product_id="3920564", title="HP LaserJet M110w",
        ...                 category="printer", quantity=1, unit_price=Decimal("129.00"))
    """

    line_number: Annotated[int, Field(ge=1)]
    product_id: Annotated[str, Field(min_length=1, max_length=64)]
    title: Annotated[str, Field(min_length=1, max_length=1000)]
    category: Annotated[str, Field(min_length=1, max_length=64)]
    quantity: Annotated[int, Field(ge=1, le=1000)]
    unit_price: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


class OrderRecord(_Record):
    """An order with its lines; each date is set once the order reached that status.

    Example:
        >>> order.status, order.lines[0].title
        ('delivered', 'HP LaserJet M110w')
    """

    number: OrderNumber
    customer_id: CustomerId
    status: OrderStatus
    placed_at: datetime
    shipped_at: datetime | None = None
    delivered_at: datetime | None = None
    cancelled_at: datetime | None = None
    carrier: Annotated[str, Field(max_length=64)] = ""
    tracking_number: Annotated[str, Field(max_length=64)] = ""
    payment_method: Annotated[str, Field(min_length=1, max_length=64)]
    currency: Annotated[str, Field(min_length=3, max_length=3)] = "USD"
    lines: Annotated[list[OrderLineRecord], Field(min_length=1, max_length=100)]

    @model_validator(mode="after")
    def _dates_fit_status(self) -> OrderRecord:
        needs = {
            "shipped": ("shipped_at",),
            "delivered": ("shipped_at", "delivered_at"),
            "returned": ("shipped_at", "delivered_at"),
            "cancelled": ("cancelled_at",),
        }
        missing = [name for name in needs.get(self.status, ()) if getattr(self, name) is None]
        if missing:
            raise ValueError(f"a {self.status} order needs {', '.join(missing)}")
        numbers = [line.line_number for line in self.lines]
        if len(set(numbers)) != len(numbers):
            raise ValueError("line numbers must be unique within an order")
        return self

    def line(self, line_number: int) -> OrderLineRecord | None:
        """The line with that 1-based number, if any."""
        return next((line for line in self.lines if line.line_number == line_number), None)


class NewReturn(_Record):
    """A return (or warranty claim) to create for one order line."""

    order_number: OrderNumber
    line_number: Annotated[int, Field(ge=1)]
    customer_id: CustomerId
    kind: ReturnKind
    reason: ReturnReason
    opened: bool | None = None
    requested_at: datetime


class ReturnRecord(_Record):
    """A return request and how far it got.

    Example:
        >>> record.rma, record.status
        ('RMA-10234-1', 'requested')
    """

    rma: str
    order_number: str
    line_number: int
    customer_id: str
    kind: ReturnKind
    reason: ReturnReason
    opened: bool | None = None
    status: ReturnStatus
    staff_note: str = ""
    decided_by: str | None = None
    refund_amount: Decimal | None = None
    requested_at: datetime
    approved_at: datetime | None = None
    received_at: datetime | None = None
    refunded_at: datetime | None = None
    rejected_at: datetime | None = None
    # Filled from the order line, for listings (the staff console) and replies.
    item_title: str = ""

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_RETURN_STATUSES


def rma_number(order_number: str, line_number: int) -> str:
    """The deterministic return number of an order line.

    Example:
        >>> rma_number("10234", 2)
        'RMA-10234-2'
    """
    return f"RMA-{order_number}-{line_number}"
