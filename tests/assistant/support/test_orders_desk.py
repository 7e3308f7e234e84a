"""OrderDesk turn by turn: status, cancellation, the return walk-through, refund status."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.support.orders_desk import LOGIN_NEEDED, is_refund_question
from db.orders import OrderRepository
from tests.assistant.support.orders_helpers import NOW, DeskChat, order_desk, seeded_repository

pytestmark = pytest.mark.unit


@pytest.fixture
def repo(tmp_path: Path) -> OrderRepository:
    return seeded_repository(tmp_path)


def chat(repo: OrderRepository, customer: str | None = "alice") -> DeskChat:
    return DeskChat(order_desk(repo), customer)


def test_status_without_a_number_asks_for_it(repo: OrderRepository) -> None:
    reply = chat(repo).say("where is my order?", "order_status")
    assert "Which order" in reply.reply
    assert "10237" in reply.reply and "10238" in reply.reply  # the shopper's own recent orders


def test_status_of_a_shipped_order_has_dates_items_and_tracking(repo: OrderRepository) -> None:
    reply = chat(repo).say("where is order 10237?", "order_status")
    assert reply.reply.startswith("Order 10237 (placed on 24 November 2026) has shipped")
    assert "26 November 2026" in reply.reply and "1Z999AA10123456786" in reply.reply
    assert "DELL E Series E2420H" in reply.reply
    assert reply.order_number == "10237"


def test_a_bare_number_answers_the_question(repo: OrderRepository) -> None:
    talk = chat(repo)
    talk.say("where is my order?", "order_status")
    reply = talk.say("10238", "order_status")
    assert "Order 10238" in reply.reply and "being processed" in reply.reply


def test_another_customers_order_reveals_nothing(repo: OrderRepository) -> None:
    other = chat(repo, "bob").say("where is order 10234?", "order_status")
    unknown = chat(repo, "bob").say("where is order 99999?", "order_status")
    assert other.reply == unknown.reply.replace("99999", "10234")
    for leaked in ("HP Compaq", "Mouse", "delivered", "16 November", "UPS", "Visa", "alice"):
        assert leaked.lower() not in other.reply.lower()
    assert not other.resolved and other.order_number is None


def test_not_signed_in(repo: OrderRepository) -> None:
    assert chat(repo, None).say("where is order 10237?", "order_status").reply == LOGIN_NEEDED


def test_cancel_processing_and_refuse_shipped(repo: OrderRepository) -> None:
    talk = chat(repo)
    shipped = talk.say("cancel order 10237", "cancel_order")
    assert "can no longer be cancelled" in shipped.reply and "return it instead" in shipped.reply
    done = talk.say("please cancel order 10238", "cancel_order")
    assert "order 10238 is cancelled" in done.reply
    order = repo.get_order("10238", customer_id="alice")
    assert order is not None and order.status == "cancelled"


def test_cancel_without_a_number_lists_what_can_be_cancelled(repo: OrderRepository) -> None:
    talk = chat(repo)
    asked = talk.say("I want to cancel my order", "cancel_order")
    assert "10238" in asked.reply and "10237" not in asked.reply
    done = talk.say("10238", "cancel_order")
    assert "order 10238 is cancelled" in done.reply


def test_eligible_return_walkthrough_creates_an_rma(repo: OrderRepository) -> None:
    talk = chat(repo)
    first = talk.say("I want to return something", "return_request")
    assert "Which order" in first.reply and "10234" in first.reply
    item = talk.say("order 10234", "return_request")
    assert "Which item of order 10234" in item.reply and "Mouse" in item.reply
    why = talk.say("the laptop", "return_request")
    assert "Why are you returning the HP Compaq 6720s" in why.reply
    done = talk.say("I changed my mind", "return_request")
    assert "delivered 12 days ago (on 16 November 2026)" in done.reply
    assert "laptops, desktops and tablets can be returned within 30 days" in done.reply
    assert "RMA-10234-1" in done.reply and "requested" in done.reply
    assert talk.state == {}  # the walk-through is over
    record = repo.return_for_line("10234", 1, "alice")
    assert record is not None and (record.status, record.reason) == ("requested", "changed_mind")


def test_everything_in_one_message(repo: OrderRepository) -> None:
    done = chat(repo).say("return the mouse from order 10234, it stopped working", "return_request")
    assert "RMA-10234-2" in done.reply and "accessories and cables" in done.reply


def test_duplicate_request_gives_the_existing_rma(repo: OrderRepository) -> None:
    chat(repo).say("return the laptop from order 10234, changed my mind", "return_request")
    again = chat(repo).say("I want to return the laptop from order 10234", "return_request")
    assert "You already have return RMA-10234-1" in again.reply
    assert len(repo.returns_of_customer("alice")) == 1


def test_past_window_is_refused_with_dates(repo: OrderRepository) -> None:
    talk = chat(repo)
    talk.say("I'd like to return order 10235", "return_request")
    talk.say("the printer", "return_request")
    reply = talk.say("I don't need it any more", "return_request")
    assert "delivered 45 days ago (on 14 October 2026)" in reply.reply
    assert "closed on 13 November 2026" in reply.reply
    assert repo.return_for_line("10235", 1, "alice") is None


def test_defective_past_window_becomes_a_warranty_claim(repo: OrderRepository) -> None:
    reply = chat(repo).say("the printer from order 10235 is defective", "return_request")
    assert "warranty claim RMA-10235-1" in reply.reply
    record = repo.return_for_line("10235", 1, "alice")
    assert record is not None and record.kind == "warranty"


def test_opened_toner_is_refused(repo: OrderRepository) -> None:
    talk = chat(repo)
    talk.say("I want to return the toner from order 10236", "return_request")
    opened = talk.say("changed my mind", "return_request")
    assert "been opened" in opened.reply
    reply = talk.say("yes, I opened it", "return_request")
    assert "cannot be returned once opened" in reply.reply
    assert repo.return_for_line("10236", 1, "alice") is None


def test_unopened_toner_is_accepted(repo: OrderRepository) -> None:
    talk = chat(repo)
    talk.say("I want to return the toner from order 10236", "return_request")
    talk.say("changed my mind", "return_request")
    reply = talk.say("no, it is still sealed", "return_request")
    assert "RMA-10236-1" in reply.reply


def test_not_delivered_orders_cannot_be_returned(repo: OrderRepository) -> None:
    processing = chat(repo).say("return order 10238", "return_request")
    assert "cancel it instead" in processing.reply
    shipped = chat(repo).say("return order 10237", "return_request")
    assert "has not been delivered yet" in shipped.reply


def test_abandoning_the_walkthrough(repo: OrderRepository) -> None:
    talk = chat(repo)
    talk.say("return order 10234", "return_request")
    reply = talk.say("never mind", "return_request")
    assert "stopped the return" in reply.reply and talk.state == {}


@pytest.mark.parametrize(
    ("customer", "expected"),
    [
        ("bob", ["RMA-20419-1", "waiting for our team's review", "RMA-20418-1", "$189.95"]),
        ("carol", ["RMA-30052-1", "rejected on 24 November 2026", "liquid damage"]),
    ],
)
def test_refund_status_from_the_record(
    repo: OrderRepository, customer: str, expected: list[str]
) -> None:
    reply = chat(repo, customer).say("has my refund been processed?", "return_policy")
    for words in expected:
        assert words in reply.reply


def test_refund_status_of_a_received_return_has_a_due_date(repo: OrderRepository) -> None:
    chat(repo).say("return the laptop from order 10234, changed my mind", "return_request")
    repo.decide_return("RMA-10234-1", True, "", "sam")
    repo.mark_received("RMA-10234-1", now=NOW)  # Saturday 28 November 2026
    reply = chat(repo).say("when will I get my refund for RMA-10234-1?", "faq")
    assert "arrived at our warehouse on 28 November 2026" in reply.reply
    assert "by 4 December 2026" in reply.reply  # 5 business days later
    assert "Visa ending 4242" in reply.reply


def test_refund_status_without_returns(repo: OrderRepository) -> None:
    reply = chat(repo).say("has my refund been processed?", "return_policy")
    assert "don't see a return" in reply.reply


def test_other_customers_rma_is_not_found(repo: OrderRepository) -> None:
    reply = chat(repo, "alice").say("status of RMA-20418-1?", "faq")
    assert "can't find return RMA-20418-1" in reply.reply and "189" not in reply.reply


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("has my refund been processed?", True),
        ("where is my refund", True),
        ("when will I get my money back?", True),
        ("what's the status of my return?", True),
        ("RMA-10234-1", True),
        ("how long do refunds take?", False),
        ("can I get a refund for opened toner?", False),
        ("what is your return policy", False),
    ],
)
def test_is_refund_question(text: str, expected: bool) -> None:
    assert is_refund_question(text) is expected


def test_no_opened_question_when_the_window_has_closed(repo: OrderRepository) -> None:
    reply = chat(repo).say("return the toner from order 10235, I changed my mind", "return_request")
    assert "closed on 13 November 2026" in reply.reply and "opened?" not in reply.reply


def test_an_unparsed_answer_repeats_the_question(repo: OrderRepository) -> None:
    talk = chat(repo)
    talk.say("return order 10234", "return_request")
    talk.say("the laptop", "return_request")
    again = talk.say("hmm", "return_request")
    assert "Why are you returning" in again.reply and not again.resolved


def test_the_item_named_first_finds_its_order(repo: OrderRepository) -> None:
    talk = chat(repo)
    why = talk.say("I want to send back the printer I bought", "return_request")
    assert "Why are you returning the HP LaserJet P1505n" in why.reply
    assert why.order_number == "10235"


def test_a_position_picks_the_order_not_the_item(repo: OrderRepository) -> None:
    talk = chat(repo)
    talk.say("I want to return something", "return_request")
    item = talk.say("2", "return_request")  # the 2nd order in the list: 10234, two items
    assert "Which item of order 10234" in item.reply
    why = talk.say("2", "return_request")
    assert "Why are you returning the HP USB Optical 3-button Mouse" in why.reply


def test_refund_status_after_approval(repo: OrderRepository) -> None:
    repo.decide_return("RMA-20419-1", True, "Send it back please", "sam", now=NOW)
    reply = chat(repo, "bob").say("any news on my return for order 20419?", "order_status")
    assert "RMA-20419-1" in reply.reply and "approved on 28 November 2026" in reply.reply
    assert "RMA-20418-1" not in reply.reply  # only the order asked about
