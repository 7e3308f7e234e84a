"""Whole order and return conversations through the real assistant (classifier, policy, desk)."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.service import ShoppingAssistant
from assistant.support.demo_seed import seed_demo
from assistant.support.identity import SessionOwnerError
from assistant.support.orders_desk import OrderDesk
from tests.assistant.support.orders_helpers import NOW

pytestmark = pytest.mark.integration


@pytest.fixture
def shop(services: Any) -> ShoppingAssistant:
    seed_demo(services.orders, clock=lambda: NOW)
    services.__dict__["order_desk"] = OrderDesk(services.orders, services.store_rules, lambda: NOW)
    assistant: ShoppingAssistant = services.assistant
    return assistant


class Conversation:
    def __init__(self, shop: ShoppingAssistant, customer: str | None) -> None:
        self.shop, self.customer, self.session_id = shop, customer, None

    def say(self, text: str) -> str:
        result = self.shop.chat(self.session_id, text, customer_id=self.customer)
        self.session_id = result.session_id  # type: ignore[assignment]
        return result.reply


def test_where_is_my_order_asks_then_answers(shop: ShoppingAssistant) -> None:
    talk = Conversation(shop, "alice")
    asked = talk.say("where is my order?")
    assert "Which order" in asked and "10237" in asked
    answer = talk.say("where is order 10237?")
    assert "Order 10237" in answer and "has shipped" in answer
    assert "1Z999AA10123456786" in answer


def test_eligible_return_across_turns(shop: ShoppingAssistant) -> None:
    talk = Conversation(shop, "alice")
    item = talk.say("I want to return something from order 10234")
    assert "Which item of order 10234" in item
    why = talk.say("the laptop")
    assert "Why are you returning" in why
    done = talk.say("I changed my mind")
    assert "delivered 12 days ago" in done and "within 30 days" in done
    assert "RMA-10234-1" in done


def test_duplicate_return_request(shop: ShoppingAssistant, services: Any) -> None:
    Conversation(shop, "alice").say("I want to return the mouse from order 10234, it is broken")
    again = Conversation(shop, "alice").say("I want to return the mouse from order 10234")
    assert "You already have return RMA-10234-2" in again
    assert [r.rma for r in services.orders.returns_of_customer("alice")] == ["RMA-10234-2"]


def test_return_past_its_window(shop: ShoppingAssistant) -> None:
    talk = Conversation(shop, "alice")
    talk.say("I want to return order 10235")
    talk.say("the printer")
    reply = talk.say("I don't need it anymore")
    assert "delivered 45 days ago" in reply and "closed on 13 November 2026" in reply
    assert "RMA" not in reply


def test_opened_toner_cannot_be_returned(shop: ShoppingAssistant) -> None:
    talk = Conversation(shop, "alice")
    talk.say("I want to return the toner from order 10236")
    asked = talk.say("I changed my mind")
    assert "been opened" in asked
    reply = talk.say("yes")
    assert "cannot be returned once opened" in reply and "RMA" not in reply


def test_refund_status_question(shop: ShoppingAssistant) -> None:
    reply = Conversation(shop, "bob").say("has my refund been processed?")
    assert "RMA-20418-1" in reply and "refunded on 31 October 2026" in reply
    assert "RMA-20419-1" in reply and "waiting for our team's review" in reply


def test_another_customers_order_number_is_refused(shop: ShoppingAssistant, services: Any) -> None:
    reply = Conversation(shop, "bob").say("where is my order 10234?")
    assert "can't find order 10234" in reply
    order = services.orders.get_order("10234", customer_id="alice")
    leaks = [line.title for line in order.lines] + ["16 November", "12 November", "delivered"]
    leaks += [order.tracking_number, order.payment_method]
    for leaked in leaks:
        assert leaked.lower() not in reply.lower()


def test_orders_need_a_signed_in_customer(shop: ShoppingAssistant) -> None:
    reply = Conversation(shop, None).say("where is my order 10237?")
    assert "sign in" in reply and "shipped" not in reply


def test_a_session_stays_with_its_customer(shop: ShoppingAssistant) -> None:
    talk = Conversation(shop, "alice")
    talk.say("where is order 10237?")
    with pytest.raises(SessionOwnerError):
        shop.chat(talk.session_id, "where is order 10237?", customer_id="bob")
    with pytest.raises(SessionOwnerError):
        shop.chat(talk.session_id, "where is order 10237?")
    anonymous = Conversation(shop, None)
    anonymous.say("hello")
    anonymous.customer = "alice"  # signing in later ties the session to her
    assert "has shipped" in anonymous.say("where is order 10237?")
