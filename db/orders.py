"""Customers, their orders and return requests, with ownership checks.

Every shopper-facing read takes the customer id: an order of another customer is reported
exactly like an order that does not exist (``None``), so an order number alone reveals nothing.

Example:
    >>> repo = OrderRepository(make_session_factory(engine))
    >>> repo.get_order("10234", customer_id="alice").status
    'delivered'
    >>> repo.get_order("10234", customer_id="bob") is None
    True
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from db.column_types import utcnow
from db.errors import DatabaseError, InvalidReferenceError, NotFoundError
from db.models import CustomerRow, OrderLineRow, OrderRow, ReturnRequestRow
from db.order_records import (
    CustomerRecord,
    NewReturn,
    OrderLineRecord,
    OrderRecord,
    OrderStatus,
    ReturnRecord,
    ReturnStatus,
    rma_number,
)
from db.transactions import check_session_factory, read_scope, write_scope


class OrderNotFoundError(NotFoundError):
    """No such order for this customer (or at all: the two are not told apart). HTTP 404."""

    def __init__(self, number: str) -> None:
        super().__init__("order", number)


class ReturnNotFoundError(NotFoundError):
    """No return request with this RMA number. HTTP 404."""

    def __init__(self, rma: str) -> None:
        super().__init__("return", rma)


class OrderStateError(InvalidReferenceError):
    """The order or return is not in a state that allows the change (e.g. cancel a shipped
    order, decide a return twice). HTTP 409."""


def _line_record(row: OrderLineRow) -> OrderLineRecord:
    return OrderLineRecord(
        line_number=row.line_number,
        product_id=row.product_id,
        title=row.title,
        category=row.category,
        quantity=row.quantity,
        unit_price=row.unit_price,
    )


def _order_record(row: OrderRow, lines: Iterable[OrderLineRow]) -> OrderRecord:
    return OrderRecord(
        number=row.number,
        customer_id=row.customer_id,
        status=row.status,
        placed_at=row.placed_at,
        shipped_at=row.shipped_at,
        delivered_at=row.delivered_at,
        cancelled_at=row.cancelled_at,
        carrier=row.carrier,
        tracking_number=row.tracking_number,
        payment_method=row.payment_method,
        currency=row.currency,
        lines=sorted((_line_record(line) for line in lines), key=lambda line: line.line_number),
    )


def _return_record(row: ReturnRequestRow, title: str = "") -> ReturnRecord:
    fields = {c.key: getattr(row, c.key) for c in ReturnRequestRow.__table__.columns}
    fields.pop("id")
    return ReturnRecord.model_validate({**fields, "item_title": title})


def _load_order(session: Session, number: str) -> OrderRecord | None:
    row = session.get(OrderRow, number)
    if row is None:
        return None
    lines = session.scalars(select(OrderLineRow).where(OrderLineRow.order_number == number))
    return _order_record(row, lines)


def _titles(session: Session, rows: list[ReturnRequestRow]) -> list[ReturnRecord]:
    keys = {(r.order_number, r.line_number) for r in rows}
    numbers = sorted({number for number, _ in keys})
    statement = select(OrderLineRow).where(OrderLineRow.order_number.in_(numbers))
    titles = {
        (line.order_number, line.line_number): line.title for line in session.scalars(statement)
    }
    return [_return_record(r, titles.get((r.order_number, r.line_number), "")) for r in rows]


class OrderRepository:
    """Reads and changes customers, orders and return requests.

    Example:
        >>> repo = OrderRepository(make_session_factory(engine))
        >>> record, created = repo.create_return(new_return)
        >>> record.rma, created
        ('RMA-10234-1', True)
    """

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = check_session_factory(session_factory)

    # --- customers -------------------------------------------------------------------------

    def add_customer(self, customer: CustomerRecord) -> CustomerRecord:
        """Insert a customer (``DatabaseError`` if the id or email is taken)."""
        with write_scope(self._sessions) as session:
            session.add(CustomerRow(id=customer.id, name=customer.name, email=customer.email))
        return customer

    def get_customer(self, customer_id: str) -> CustomerRecord | None:
        with read_scope(self._sessions) as session:
            row = session.get(CustomerRow, customer_id)
            if row is None:
                return None
            return CustomerRecord(id=row.id, name=row.name, email=row.email)

    def list_customers(self) -> list[CustomerRecord]:
        with read_scope(self._sessions) as session:
            rows = session.scalars(select(CustomerRow).order_by(CustomerRow.id))
            return [CustomerRecord(id=r.id, name=r.name, email=r.email) for r in rows]

    def count_customers(self) -> int:
        with read_scope(self._sessions) as session:
            return int(session.scalar(select(func.count()).select_from(CustomerRow)) or 0)

    # --- orders ----------------------------------------------------------------------------

    def add_order(self, order: OrderRecord) -> OrderRecord:
        """Insert an order with its lines (``DatabaseError`` if the number is taken)."""
        columns = order.model_dump(exclude={"lines"})
        with write_scope(self._sessions) as session:
            session.add(OrderRow(**columns))
            session.flush()  # the order row first: the lines reference it
            for line in order.lines:
                session.add(OrderLineRow(order_number=order.number, **line.model_dump()))
        return order

    def get_order(self, number: str, *, customer_id: str) -> OrderRecord | None:
        """The order if it exists AND belongs to ``customer_id``; otherwise ``None``."""
        with read_scope(self._sessions) as session:
            order = _load_order(session, number.strip().upper())
        if order is None or order.customer_id != customer_id:
            return None
        return order

    def recent_orders(
        self, customer_id: str, *, limit: int = 5, statuses: Iterable[OrderStatus] = ()
    ) -> list[OrderRecord]:
        """The customer's latest orders, newest first (optionally only some statuses)."""
        if limit <= 0:
            raise ValueError("limit must be positive")
        statement = select(OrderRow).where(OrderRow.customer_id == customer_id)
        if wanted := list(statuses):
            statement = statement.where(OrderRow.status.in_(wanted))
        statement = statement.order_by(OrderRow.placed_at.desc(), OrderRow.number.desc())
        with read_scope(self._sessions) as session:
            rows = list(session.scalars(statement.limit(limit)))
            numbers = [r.number for r in rows]
            lines = session.scalars(
                select(OrderLineRow).where(OrderLineRow.order_number.in_(numbers))
            )
            by_order: dict[str, list[OrderLineRow]] = {n: [] for n in numbers}
            for line in lines:
                by_order[line.order_number].append(line)
            return [_order_record(r, by_order[r.number]) for r in rows]

    def cancel_order(self, number: str, *, customer_id: str, now: datetime) -> OrderRecord:
        """Cancel a ``processing`` order of this customer.

        Raises:
            OrderNotFoundError: unknown order or another customer's.
            OrderStateError: the order is no longer processing (shipped, delivered...).
        """
        with write_scope(self._sessions) as session:
            row = session.get(OrderRow, number)
            if row is None or row.customer_id != customer_id:
                raise OrderNotFoundError(number)
            if row.status != "processing":
                raise OrderStateError(f"order {number} is {row.status}, it cannot be cancelled")
            row.status, row.cancelled_at = "cancelled", now
            session.flush()
            order = _load_order(session, number)
        assert order is not None
        return order

    # --- returns ---------------------------------------------------------------------------

    def create_return(self, new: NewReturn) -> tuple[ReturnRecord, bool]:
        """Create the return of one order line, or return the one that exists (``created`` False).

        The (order, line) unique constraint makes this safe under concurrent requests too.

        Raises:
            OrderNotFoundError: the order is not the customer's, or has no such line.
        """
        existing = self.return_for_line(new.order_number, new.line_number, new.customer_id)
        if existing is not None:
            return existing, False
        if (order := self.get_order(new.order_number, customer_id=new.customer_id)) is None:
            raise OrderNotFoundError(new.order_number)
        if order.line(new.line_number) is None:
            raise OrderNotFoundError(f"{new.order_number} line {new.line_number}")
        row = ReturnRequestRow(
            rma=rma_number(new.order_number, new.line_number),
            status="requested",
            **new.model_dump(),
        )
        try:
            with self._sessions.begin() as session:
                session.add(row)
        except IntegrityError:
            existing = self.return_for_line(new.order_number, new.line_number, new.customer_id)
            if existing is None:
                raise
            return existing, False
        except SQLAlchemyError as e:
            raise DatabaseError(f"database write failed: {e}") from e
        return self.get_return(row.rma), True

    def return_for_line(
        self, order_number: str, line_number: int, customer_id: str
    ) -> ReturnRecord | None:
        statement = select(ReturnRequestRow).where(
            ReturnRequestRow.order_number == order_number,
            ReturnRequestRow.line_number == line_number,
            ReturnRequestRow.customer_id == customer_id,
        )
        with read_scope(self._sessions) as session:
            rows = list(session.scalars(statement))
            return _titles(session, rows)[0] if rows else None

    def get_return(self, rma: str) -> ReturnRecord:
        """The return with this RMA number (staff use: no ownership check)."""
        with read_scope(self._sessions) as session:
            row = session.scalar(select(ReturnRequestRow).where(ReturnRequestRow.rma == rma))
            if row is None:
                raise ReturnNotFoundError(rma)
            return _titles(session, [row])[0]

    def returns_of_customer(self, customer_id: str) -> list[ReturnRecord]:
        """The customer's returns, newest first."""
        statement = (
            select(ReturnRequestRow)
            .where(ReturnRequestRow.customer_id == customer_id)
            .order_by(ReturnRequestRow.requested_at.desc(), ReturnRequestRow.id.desc())
        )
        with read_scope(self._sessions) as session:
            return _titles(session, list(session.scalars(statement)))

    def list_returns(
        self, status: ReturnStatus | Iterable[ReturnStatus] | None = None
    ) -> list[ReturnRecord]:
        """Returns in one or several statuses (all when ``None``), oldest request first."""
        statement = select(ReturnRequestRow)
        if status is not None:
            wanted = [status] if isinstance(status, str) else list(status)
            statement = statement.where(ReturnRequestRow.status.in_(wanted))
        statement = statement.order_by(ReturnRequestRow.requested_at, ReturnRequestRow.id)
        with read_scope(self._sessions) as session:
            return _titles(session, list(session.scalars(statement)))

    def decide_return(
        self, rma: str, approve: bool, note: str, staff: str, *, now: datetime | None = None
    ) -> ReturnRecord:
        """Approve or reject a ``requested`` return, keeping the staff note and who decided.

        Raises:
            ReturnNotFoundError: no such RMA.
            OrderStateError: the return was already decided.
        """
        when = now or utcnow()
        with write_scope(self._sessions) as session:
            row = self._locked_return(session, rma, "requested")
            row.status = "approved" if approve else "rejected"
            row.staff_note, row.decided_by = note[:2000], staff[:64]
            if approve:
                row.approved_at = when
            else:
                row.rejected_at = when
        return self.get_return(rma)

    def mark_received(self, rma: str, *, now: datetime) -> ReturnRecord:
        """The warehouse received an approved return."""
        with write_scope(self._sessions) as session:
            row = self._locked_return(session, rma, "approved")
            row.status, row.received_at = "received", now
        return self.get_return(rma)

    def mark_refunded(self, rma: str, amount: Decimal, *, now: datetime) -> ReturnRecord:
        """The refund of a received return was issued; the order line's ``amount`` is kept."""
        with write_scope(self._sessions) as session:
            row = self._locked_return(session, rma, "received")
            row.status, row.refunded_at, row.refund_amount = "refunded", now, amount
        return self.get_return(rma)

    @staticmethod
    def _locked_return(session: Session, rma: str, expected: ReturnStatus) -> ReturnRequestRow:
        row = session.scalar(select(ReturnRequestRow).where(ReturnRequestRow.rma == rma))
        if row is None:
            raise ReturnNotFoundError(rma)
        if row.status != expected:
            raise OrderStateError(f"return {rma} is {row.status}, not {expected}")
        return row
