"""Customer-service conversations through the real assistant (classifier, desk, SQL, Chroma).

Policy answers quote the policy documents in data/policies and cite them; questions the
policies do not answer get an honest "don't know" and the offer of a person; handoffs land in
the staff queue with a summary; a staff reply reaches the shopper.
"""

from __future__ import annotations

from typing import Any

import pytest

from assistant.service import ShoppingAssistant
from assistant.support.desk import DONT_KNOW_REPLY

pytestmark = pytest.mark.integration


@pytest.fixture
def assistant(services: Any) -> ShoppingAssistant:
    return services.assistant


def test_policy_question_is_answered_with_a_citation(assistant: ShoppingAssistant) -> None:
    result = assistant.chat(None, "how much do you charge for shipping on a small order?")
    assert result.intent in ("faq", "return_policy")
    assert [(s.document, s.section) for s in result.sources] == [
        ("shipping", "Shipping options and costs")
    ]
    snippet = result.sources[0].snippet
    # The quote is the passage's relevant sentence, not the whole section.
    assert "$5.99" in snippet and "freight" not in snippet
    assert snippet in result.reply and "Shipping and delivery" in result.reply


def test_return_window_question_cites_the_returns_policy(assistant: ShoppingAssistant) -> None:
    result = assistant.chat(None, "how many days do I have to return a laptop?")
    assert result.sources and result.sources[0].document == "returns"
    assert "30 days" in result.reply


def test_unknown_question_says_so_and_offers_a_person(
    assistant: ShoppingAssistant, services: Any
) -> None:
    result = assistant.chat(None, "do you have a loyalty program with reward points?")
    assert result.intent == "faq"
    assert result.sources == []
    assert result.reply == DONT_KNOW_REPLY
    assert services.support.handoffs.list_handoffs() == []

    accepted = assistant.chat(result.session_id, "yes please")
    assert accepted.intent == "human_agent"
    queue = services.support.handoffs.list_handoffs()
    assert [h.session_id for h in queue] == [result.session_id]
    assert f"case #{queue[0].id}" in accepted.reply
    assert "loyalty program" in queue[0].summary


def test_declining_the_offer_creates_no_handoff(
    assistant: ShoppingAssistant, services: Any
) -> None:
    first = assistant.chat(None, "do you have a loyalty program with reward points?")
    declined = assistant.chat(first.session_id, "no thanks")
    assert "anything else" in declined.reply
    assert services.support.handoffs.list_handoffs() == []


def test_following_up_on_a_low_confidence_answer_hands_over(
    assistant: ShoppingAssistant, services: Any
) -> None:
    first = assistant.chat(None, "do you have a loyalty program with reward points?")
    again = assistant.chat(first.session_id, "what about student discounts?")
    (handoff,) = services.support.handoffs.list_handoffs()
    assert handoff.session_id == first.session_id
    assert "customer service team" in again.reply


def test_asking_for_a_person_opens_one_handoff_with_a_summary(
    assistant: ShoppingAssistant, services: Any
) -> None:
    first = assistant.chat(None, "my order 10234 arrived with a cracked screen")
    sid = first.session_id
    assistant.chat(sid, "I want to talk to a human agent")
    assistant.chat(sid, "can I speak to a real person please")
    queue = services.support.handoffs.list_handoffs()
    assert len(queue) == 1  # asked twice, one handoff
    summary = queue[0].summary
    assert "Order: 10234" in summary
    assert "cracked screen" in summary
    assert "asked for a person" in queue[0].reason


def test_staff_reply_reaches_the_shopper(assistant: ShoppingAssistant, services: Any) -> None:
    first = assistant.chat(None, "I want to talk to a person")
    (handoff,) = services.support.handoffs.list_handoffs()
    services.support.handoffs.add_message(first.session_id, "ana", "Hi, Ana here. How can I help?")
    later = assistant.chat(first.session_id, "thanks")
    assert [(m.staff, m.text) for m in later.staff_messages] == [
        ("ana", "Hi, Ana here. How can I help?")
    ]
    # Delivered once: the next turn carries no old staff messages.
    assert assistant.chat(first.session_id, "a wireless mouse").staff_messages == []
    assert handoff.status == "open"
