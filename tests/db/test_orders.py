"""OrderRepository: ownership, cancellation, returns (idempotent, unique), staff decisions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from assistant.support.demo_seed import seed_demo
from db.errors import DatabaseError
from db.models import ReturnRequestRow
from db.order_records import NewReturn
from db.orders import OrderNotFoundError, OrderRepository, OrderStateError, ReturnNotFoundError

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 28, 9, tzinfo=UTC)


@pytest.fixture
def repo(session_factory: sessionmaker[Session]) -> OrderRepository:
    repository = OrderRepository(session_factory)
    seed_demo(repository, clock=lambda: NOW)
    return repository


def _new_return(number: str = "10234", line: int = 1, customer: str = "alice") -> NewReturn:
    return NewReturn(
        order_number=number,
        line_number=line,
        customer_id=customer,
        kind="return",
        reason="changed_mind",
        requested_at=NOW,
    )


def test_seed_is_relative_to_today_and_idempotent(repo: OrderRepository) -> None:
    order = repo.get_order("10234", customer_id="alice")
    assert order is not None and order.status == "delivered"
    assert order.delivered_at == datetime(2026, 11, 16, 12, tzinfo=UTC)  # 12 days before NOW
    assert [line.line_number for line in order.lines] == [1, 2]
    again = seed_demo(repo, clock=lambda: NOW)
    assert (again.customers, again.orders, again.returns) == (0, 0, 0)
    assert repo.count_customers() == 3


def test_another_customers_order_is_not_found(repo: OrderRepository) -> None:
    assert repo.get_order("10234", customer_id="bob") is None
    assert repo.get_order("99999", customer_id="bob") is None
    with pytest.raises(OrderNotFoundError):
        repo.cancel_order("10238", customer_id="bob", now=NOW)
    with pytest.raises(OrderNotFoundError):
        repo.create_return(_new_return(customer="bob"))


def test_recent_orders_newest_first_and_by_status(repo: OrderRepository) -> None:
    numbers = [o.number for o in repo.recent_orders("alice", limit=10)]
    assert numbers == ["10238", "10237", "10236", "10234", "10235"]
    delivered = repo.recent_orders("alice", statuses=("delivered",))
    assert {o.number for o in delivered} == {"10234", "10235", "10236"}


def test_cancel_only_processing_orders(repo: OrderRepository) -> None:
    with pytest.raises(OrderStateError):
        repo.cancel_order("10237", customer_id="alice", now=NOW)  # shipped
    cancelled = repo.cancel_order("10238", customer_id="alice", now=NOW)
    assert cancelled.status == "cancelled" and cancelled.cancelled_at == NOW
    with pytest.raises(OrderStateError):
        repo.cancel_order("10238", customer_id="alice", now=NOW)


def test_create_return_is_idempotent(repo: OrderRepository) -> None:
    first, created = repo.create_return(_new_return())
    assert created and first.rma == "RMA-10234-1" and first.status == "requested"
    assert first.item_title == "HP Compaq 6720s Notebook PC"
    second, created_again = repo.create_return(_new_return())
    assert not created_again and second == first
    assert [r.rma for r in repo.returns_of_customer("alice")] == ["RMA-10234-1"]


def test_unique_constraint_backs_the_check(
    repo: OrderRepository, session_factory: sessionmaker[Session]
) -> None:
    repo.create_return(_new_return())
    with pytest.raises(IntegrityError), session_factory.begin() as session:
        session.add(
            ReturnRequestRow(
                rma="RMA-OTHER",
                order_number="10234",
                line_number=1,
                customer_id="alice",
                kind="return",
                reason="defective",
                status="requested",
                requested_at=NOW,
            )
        )


def test_unknown_line_is_refused(repo: OrderRepository) -> None:
    with pytest.raises(OrderNotFoundError):
        repo.create_return(_new_return(line=3))


def test_staff_decisions_and_lifecycle(repo: OrderRepository) -> None:
    record, _ = repo.create_return(_new_return())
    assert record.rma in [r.rma for r in repo.list_returns(status="requested")]
    approved = repo.decide_return(record.rma, True, "ok", "sam", now=NOW)
    assert (approved.status, approved.decided_by, approved.approved_at) == ("approved", "sam", NOW)
    with pytest.raises(OrderStateError):
        repo.decide_return(record.rma, False, "too late", "sam")
    later = NOW + timedelta(days=3)
    repo.mark_received(record.rma, now=later)
    refunded = repo.mark_refunded(record.rma, Decimal("910.95"), now=later)
    assert refunded.status == "refunded" and refunded.refund_amount == Decimal("910.95")
    with pytest.raises(ReturnNotFoundError):
        repo.decide_return("RMA-NOPE-1", True, "", "sam")


def test_reject_keeps_the_note(repo: OrderRepository) -> None:
    record, _ = repo.create_return(_new_return("10236", 1))
    rejected = repo.decide_return(record.rma, False, "Opened toner.", "sam", now=NOW)
    assert (rejected.status, rejected.staff_note, rejected.rejected_at) == (
        "rejected",
        "Opened toner.",
        NOW,
    )
    statuses = {r.status for r in repo.list_returns(status=("rejected", "refunded"))}
    assert statuses == {"rejected", "refunded"}


def test_duplicate_order_number_is_a_database_error(repo: OrderRepository) -> None:
    order = repo.get_order("10234", customer_id="alice")
    assert order is not None
    with pytest.raises(DatabaseError):
        repo.add_order(order)
