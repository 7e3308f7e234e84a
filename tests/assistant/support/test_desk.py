"""The support desk's routing and handoff rules, with fakes for policies, handoffs and orders."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.intents.base import IntentLabel, IntentPrediction
from assistant.support.desk import DONT_KNOW_REPLY, SupportDesk
from assistant.support.handoff import build_summary, is_affirmative, is_negative
from assistant.support.policies import PolicyAnswer, PolicyHit
from assistant.support.policy_docs import PolicyPassage
from assistant.support.types import SupportReply, SupportRequest
from db.records import TurnRecord
from db.support_records import HandoffRecord

pytestmark = pytest.mark.unit

PASSAGE = PolicyPassage(
    document="shipping", title="Shipping and delivery", section="PO boxes", text="We deliver."
)


class FakePolicies:
    def __init__(self, score: float) -> None:
        self.score = score

    def answer(self, question: str) -> PolicyAnswer:
        hit = PolicyHit(passage=PASSAGE, score=self.score)
        return PolicyAnswer(
            question=question, hits=[hit], snippet="We deliver.", confident=self.score >= 0.34
        )


class FakeHandoffs:
    def __init__(self) -> None:
        self.reasons: list[str] = []

    def hand_off(self, request: SupportRequest, reason: str) -> tuple[HandoffRecord, bool]:
        self.reasons.append(reason)
        record = HandoffRecord(
            id=7, session_id=request.session_id, status="open", reason=reason, summary="s",
            order_number=None, customer_id=None, created_at="2026-11-28T10:00:00Z",
        )  # fmt: skip
        return record, len(self.reasons) == 1


class FakeOrders:
    def __init__(self, resolved: bool = True) -> None:
        self.requests: list[SupportRequest] = []
        self.resolved = resolved

    def handle(self, request: SupportRequest) -> SupportReply:
        self.requests.append(request)
        state = {"orders": {"step": "item"}}
        return SupportReply(reply="Which item?", support_state=state, resolved=self.resolved)


def _request(text: str, intent: IntentLabel, state: dict[str, Any] | None = None, failed: int = 0):  # type: ignore[no-untyped-def]
    return SupportRequest(
        session_id="s1", text=text, intent=intent,
        prediction=IntentPrediction(label=intent, confidence=0.9),
        support_state=state or {}, failed_turns=failed,
    )  # fmt: skip


def _desk(
    score: float = 0.6, orders: FakeOrders | None = None, general: float | None = None
) -> tuple[SupportDesk, FakeHandoffs]:
    handoffs = FakeHandoffs()
    desk = SupportDesk(
        FakePolicies(score),  # type: ignore[arg-type]
        handoffs,  # type: ignore[arg-type]
        orders=orders,
        is_refund_question=lambda text: "refund" in text,
        general_min_score=general,
    )
    return desk, handoffs


def test_confident_policy_answer_quotes_and_cites() -> None:
    desk, handoffs = _desk(0.6)
    reply = desk.handle(_request("do you deliver to PO boxes?", "faq"))
    assert reply.resolved and "We deliver." in reply.reply and "PO boxes" in reply.reply
    assert [(s.document, s.section) for s in reply.sources] == [("shipping", "PO boxes")]
    assert handoffs.reasons == []


def test_low_confidence_offers_a_person_then_yes_hands_over() -> None:
    desk, handoffs = _desk(0.2)
    first = desk.handle(_request("loyalty points?", "faq"))
    assert first.reply == DONT_KNOW_REPLY and not first.resolved and first.sources == []
    yes = desk.handle(_request("yes please", "human_agent", first.support_state, failed=1))
    assert yes.handoff and handoffs.reasons == ["the shopper accepted the offer of a person"]
    assert "case #7" in yes.reply


def test_low_confidence_follow_up_hands_over() -> None:
    desk, handoffs = _desk(0.2)
    first = desk.handle(_request("loyalty points?", "faq"))
    again = desk.handle(_request("and student discounts?", "faq", first.support_state))
    assert again.handoff and handoffs.reasons == ["a low-confidence policy answer was followed up"]
    assert "customer service team" in again.reply and DONT_KNOW_REPLY not in again.reply


def test_no_to_the_offer_clears_it() -> None:
    desk, handoffs = _desk(0.2)
    first = desk.handle(_request("loyalty points?", "faq"))
    no = desk.handle(_request("no thanks", "other", first.support_state))
    assert not no.support_state.get("desk") and handoffs.reasons == []


def test_order_intents_and_refund_status_go_to_the_orders_desk_with_their_state() -> None:
    orders = FakeOrders()
    desk, _ = _desk(orders=orders)
    state = {"desk": {"handoff_id": 3}, "orders": {"step": "order"}}
    reply = desk.handle(_request("I want to return my mouse", "return_request", state))
    assert orders.requests[-1].support_state == {"orders": {"step": "order"}}  # desk part kept out
    assert reply.support_state == {"orders": {"step": "item"}, "desk": {"handoff_id": 3}}
    desk.handle(_request("has my refund been processed?", "return_policy"))
    assert len(orders.requests) == 2
    desk.handle(_request("what is your return policy?", "return_policy"))
    assert len(orders.requests) == 2  # a policy question stays with the policies


def test_an_order_question_about_no_order_also_gets_the_general_policy_answer() -> None:
    desk, _ = _desk(score=0.6, orders=FakeOrders(), general=0.45)
    reply = desk.handle(_request("how long does delivery take?", "order_status"))
    assert reply.reply.startswith("From our Shipping and delivery policy (PO boxes)")
    assert reply.reply.endswith("Which item?")  # the orders desk's own question follows
    assert [(s.document, s.section) for s in reply.sources] == [("shipping", "PO boxes")]


@pytest.mark.parametrize(
    ("score", "request_kwargs"),
    [
        (0.40, {}),  # no passage clears the stricter threshold
        (0.60, {"state": {"orders": {"step": "item"}}}),  # inside a return walk-through
    ],
)
def test_no_general_answer_below_the_threshold_or_inside_a_walk_through(
    score: float, request_kwargs: dict[str, Any]
) -> None:
    desk, _ = _desk(score=score, orders=FakeOrders(), general=0.45)
    reply = desk.handle(_request("how long does delivery take?", "order_status", **request_kwargs))
    assert reply.reply == "Which item?" and reply.sources == []


def test_no_general_answer_once_an_order_is_named() -> None:
    desk, _ = _desk(score=0.6, orders=FakeOrders(), general=0.45)
    request = _request("where is order 10234?", "order_status").model_copy(
        update={"order_number": "10234"}
    )
    assert desk.handle(request).reply == "Which item?"


def test_second_unresolved_turn_in_a_row_hands_over() -> None:
    desk, handoffs = _desk(orders=FakeOrders(resolved=False))
    first = desk.handle(_request("where is order 999", "order_status"))
    assert not first.handoff
    second = desk.handle(_request("order 998 then", "order_status", first.support_state, failed=1))
    assert second.handoff and handoffs.reasons == ["2 unresolved turns in a row"]
    assert second.reply.startswith("Which item?")  # what the orders desk said comes first


def test_human_agent_always_hands_over() -> None:
    desk, handoffs = _desk()
    assert desk.handle(_request("a human please", "human_agent")).handoff
    assert handoffs.reasons == ["the shopper asked for a person"]


@pytest.mark.parametrize("text", ["yes", "Yes please!", "sure", "ok", "a person", "好的"])
def test_affirmative(text: str) -> None:
    assert is_affirmative(text) and not is_negative(text)


@pytest.mark.parametrize("text", ["no", "No thanks.", "not now", "nope", "不用"])
def test_negative(text: str) -> None:
    assert is_negative(text) and not is_affirmative(text)


@pytest.mark.parametrize("text", ["yes, but is the laptop 15 inch?", "nothing", "know more"])
def test_longer_or_other_answers_are_neither(text: str) -> None:
    assert not is_affirmative(text) and not is_negative(text)


def _turn(number: int, message: str, intent: str, reply: str) -> TurnRecord:
    return TurnRecord(
        id=number, session_id="s1", turn_number=number, user_message=message, reply=reply,
        intent=intent, filters={}, created_at="2026-11-28T10:00:00Z",
    )  # fmt: skip


def test_summary_says_what_is_wanted_the_order_and_what_was_tried() -> None:
    turns = [
        _turn(1, "a wireless mouse", "search", "Here are 5 mice."),
        _turn(2, "where is my order 20419?", "order_status", "Order 20419 was delivered."),
        _turn(3, "it arrived broken", "return_request", "Which item? 1. Mouse"),
    ]
    summary = build_summary(turns, _request("I want a person", "human_agent"), "asked")
    assert summary.startswith("Wants: it arrived broken.")
    assert "Order: 20419." in summary
    assert "order_status: “where is my order 20419?” → Order 20419 was delivered." in summary
    assert "search" not in summary and summary.endswith("Handed over because: asked.")
    fresh = build_summary([], _request("talk to a human", "human_agent"), "asked")
    assert "Order: none given. Tried: nothing yet." in fresh
