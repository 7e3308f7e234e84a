"""Reading the shopper's answers in an order walk-through."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.support.return_flow import (
    Choice,
    ReturnFlow,
    Step,
    answers_pending,
    continuing_intent,
    extract_reason,
    extract_yes_no,
    pick_choice,
    title_words,
)

pytestmark = pytest.mark.unit

ITEMS = [
    Choice(
        key="1",
        label="HP LaserJet P1505n Printer",
        words=title_words("HP LaserJet P1505n Printer", "printer"),
    ),
    Choice(
        key="2",
        label="Xerox toner cartridge",
        words=title_words("Xerox 006R90321 toner cartridge", "toner"),
    ),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("the printer", "1"),
        ("the toner please", "2"),
        ("Xerox", "2"),
        ("the second one", "2"),
        ("2", "2"),
        ("first", "1"),
        ("number 1", "1"),
        ("the HP", "1"),
        ("something else", None),
        ("1 and 2", None),
    ],
)
def test_pick_item(text: str, expected: str | None) -> None:
    assert pick_choice(text, ITEMS) == expected


def test_pick_order_by_number_or_position() -> None:
    orders = [Choice(key="10236", label="order 10236"), Choice(key="10234", label="order 10234")]
    assert pick_choice("10234", orders) == "10234"
    assert pick_choice("the most recent one", orders) == "10236"
    assert pick_choice("the second", orders) == "10234"
    assert pick_choice("102345", orders) is None


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("I changed my mind", "changed_mind"),
        ("don't need it anymore", "changed_mind"),
        ("it stopped working after a week", "defective"),
        ("it won't turn on", "defective"),
        ("it's faulty", "defective"),
        ("arrived damaged", "damaged"),
        ("the screen was cracked when it arrived", "damaged"),
        ("you sent me the wrong model", "wrong_item"),
        ("that's not what I ordered", "wrong_item"),
        ("the printer", None),
    ],
)
def test_reasons(text: str, reason: str | None) -> None:
    assert extract_reason(text) == reason


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("yes", True),
        ("yes I opened it", True),
        ("no", False),
        ("no, still sealed", False),
        ("it's not opened", False),
        ("unopened", False),
        ("maybe", None),
    ],
)
def test_yes_no(text: str, answer: bool | None) -> None:
    assert extract_yes_no(text) is answer


def _state(step: Step, choices: list[Choice] | None = None) -> dict[str, object]:
    flow = ReturnFlow(flow="return", step=step, order_number="10235", choices=choices or [])
    return flow.to_state()


def test_answers_pending_only_answers_the_question_asked() -> None:
    assert answers_pending("the printer", _state("item", ITEMS))
    assert not answers_pending("show me laptops", _state("item", ITEMS))
    assert answers_pending("it is broken", _state("reason"))
    assert not answers_pending("cheap laptops", _state("reason"))
    assert answers_pending("yes", _state("opened"))
    assert answers_pending("never mind", _state("reason"))
    assert not answers_pending("the printer", {})


def test_continuing_intent_respects_a_clear_other_request() -> None:
    state = _state("order", [Choice(key="10236", label="order 10236")])
    assert continuing_intent("order 10236", state, "order_status") == "return_request"
    assert continuing_intent("10236", state, "search") == "return_request"
    assert continuing_intent("where is my order 10237 please?", state, "order_status") is None
    assert continuing_intent("order 10236", state, "human_agent") is None
    assert continuing_intent("order 10236", {}, "order_status") is None


@given(st.text(max_size=300), st.sampled_from(["order", "item", "reason", "opened"]))
@settings(max_examples=200, deadline=None)
def test_any_message_is_read_without_error(text: str, step: Step) -> None:
    state = _state(step, ITEMS)
    assert answers_pending(text, state) in (True, False)
    assert pick_choice(text, ITEMS) in (None, "1", "2")
    assert continuing_intent(text, state, "search") in (None, "return_request")


def test_a_corrupt_stored_flow_starts_fresh() -> None:
    assert ReturnFlow.from_state({"orders": {"flow": "bogus"}}) == ReturnFlow()
    assert not answers_pending("yes", {"orders": "not a dict"})
