from decimal import Decimal

import pytest

from assistant.dialogue import DialogueState, advance
from assistant.parser import TurnParser

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def parser() -> TurnParser:
    return TurnParser(["HP", "Lenovo", "DELL"])


def _say(parser: TurnParser, state: DialogueState, text: str) -> DialogueState:
    turn = parser.parse(text, has_results=bool(state.shown_ids))
    new = advance(state, turn, page_size=5)
    # pretend products were shown, priced 100..500
    return new.model_copy(
        update={
            "shown_ids": ["a", "b", "c", "d", "e"],
            "shown_prices": [Decimal(p) for p in (100, 200, 300, 400, 500)],
        }
    )


def test_slots_carry_over_across_refinements(parser: TurnParser) -> None:
    state = _say(parser, DialogueState(), "laptops")
    state = _say(parser, state, "under $800")
    state = _say(parser, state, "only HP")
    f = state.filters
    assert (f.category, f.price_max, f.brands) == ("laptop", Decimal("800.00"), ["HP"])
    assert state.query == "laptops"


def test_new_category_resets_filters(parser: TurnParser) -> None:
    state = _say(parser, DialogueState(), "HP laptops under $800")
    state = _say(parser, state, "a monitor")
    assert state.filters.category == "monitor"
    assert state.filters.brands == [] and state.filters.price_max is None


def test_exclusion_then_inclusion_of_same_brand(parser: TurnParser) -> None:
    state = _say(parser, DialogueState(), "laptops")
    state = _say(parser, state, "not HP")
    assert state.filters.exclude_brands == ["HP"]
    state = _say(parser, state, "only HP")
    assert state.filters.brands == ["HP"] and state.filters.exclude_brands == []


def test_show_more_pages_and_cheaper_lowers_the_cap(parser: TurnParser) -> None:
    state = _say(parser, DialogueState(), "laptops")
    state = _say(parser, state, "show more")
    assert state.offset == 5
    state = _say(parser, state, "cheaper")
    assert state.offset == 0
    assert state.filters.price_max == Decimal("299.99")


def test_greeting_keeps_state(parser: TurnParser) -> None:
    state = _say(parser, DialogueState(), "laptops under 500")
    after = advance(state, parser.parse("thanks", has_results=True), page_size=5)
    assert after.filters == state.filters


def test_corrupt_stored_state_starts_fresh() -> None:
    assert DialogueState.from_stored({"filters": {"price_min": "x"}}) == DialogueState()
    assert DialogueState.from_stored(None) == DialogueState()
