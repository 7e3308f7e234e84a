from decimal import Decimal

import pytest

from assistant.dialogue import DialogueState, advance, with_results
from assistant.lexicon import common_english_words
from assistant.parser import TurnParser
from assistant.policy import IntentPolicy
from tests.assistant.fakes import prediction
from tests.assistant.products import BIG_LAPTOP, HP_LAPTOP, LENOVO_LAPTOP, product

pytestmark = pytest.mark.unit

PRICES = [Decimal(p) for p in (100, 200, 300, 400, 500)]
SHOWN = [product(str(i), f"HP Laptop {i}", str(p)) for i, p in enumerate(PRICES, start=1)]


@pytest.fixture(scope="module")
def parser() -> TurnParser:
    return TurnParser(["HP", "Lenovo", "DELL", "Lexmark"], common_words=common_english_words())


def _say(
    parser: TurnParser, state: DialogueState, text: str, label: str = "search"
) -> DialogueState:
    turn = parser.parse(text)
    shown = SHOWN if state.shown_ids else []
    decision = IntentPolicy().decide(prediction(label), turn, state, shown)  # type: ignore[arg-type]
    new = advance(state, turn, decision, page_size=5)
    if decision.action in ("search", "refine", "page"):  # pretend products were shown
        new = with_results(new, [p.id for p in SHOWN], PRICES)
    return new


def test_slots_carry_over_across_refinements(parser: TurnParser) -> None:
    state = _say(parser, DialogueState(), "laptops")
    state = _say(parser, state, "under $800", "refine")
    state = _say(parser, state, "only HP", "refine")
    f = state.filters
    assert (f.category, f.price_max, f.brands) == ("laptop", Decimal("800.00"), ["HP"])
    assert state.query == "laptops" and state.last_intent == "refine"


def test_new_category_resets_what_no_longer_applies(parser: TurnParser) -> None:
    state = _say(parser, DialogueState(), "17 inch HP laptops under $800, not Dell")
    state = _say(parser, state, "a monitor")
    f = state.filters
    assert f.category == "monitor"
    assert f.brands == [] and f.price_max is None and f.screen_inches_min is None
    assert f.exclude_brands == ["DELL"]  # a brand ruled out stays ruled out


def test_same_category_search_keeps_what_applies(parser: TurnParser) -> None:
    state = _say(parser, DialogueState(), "laptops under $800")
    state = _say(parser, state, "HP laptops for business")
    assert (state.filters.price_max, state.filters.brands) == (Decimal("800.00"), ["HP"])
    assert state.query == "HP laptops for business"


def test_refinement_words_extend_the_query(parser: TurnParser) -> None:
    state = _say(parser, DialogueState(), "laptops")
    state = _say(parser, state, "with a backlit keyboard", "refine")
    assert state.filters.category == "laptop"
    assert state.query == "laptops backlit keyboard"


def test_exclusion_then_inclusion_of_same_brand(parser: TurnParser) -> None:
    state = _say(parser, DialogueState(), "laptops")
    state = _say(parser, state, "not HP", "refine")
    assert state.filters.exclude_brands == ["HP"]
    state = _say(parser, state, "only HP", "refine")
    assert state.filters.brands == ["HP"] and state.filters.exclude_brands == []


def test_price_bounds_merge(parser: TurnParser) -> None:
    state = _say(parser, DialogueState(), "laptops under $800")
    state = _say(parser, state, "over $500", "refine")
    assert (state.filters.price_min, state.filters.price_max) == (
        Decimal("500.00"),
        Decimal("800.00"),
    )
    state = _say(parser, state, "over $900", "refine")
    assert (state.filters.price_min, state.filters.price_max) == (Decimal("900.00"), None)


def test_show_more_pages_and_relative_prices(parser: TurnParser) -> None:
    state = _say(parser, DialogueState(), "laptops")
    state = _say(parser, state, "show more", "refine")
    assert state.offset == 5
    state = _say(parser, state, "cheaper", "refine")
    assert state.offset == 0
    assert state.filters.price_max == Decimal("299.99")  # below the median shown
    state = _say(parser, state, "more expensive than the fourth one", "refine")
    assert state.filters.price_min == Decimal("400.01") and state.filters.price_max is None


def test_attributes_and_compatibility_carry_over(parser: TurnParser) -> None:
    state = _say(parser, DialogueState(), "toner for Lexmark E320")
    state = _say(parser, state, "under $150", "refine")
    assert state.filters.compatible_with == "Lexmark E320"
    assert state.filters.price_max == Decimal("150.00")


def test_support_and_questions_keep_the_search(parser: TurnParser) -> None:
    state = _say(parser, DialogueState(), "laptops under 500")
    after = _say(parser, state, "I want to return order 12345", "return_request")
    assert after.filters == state.filters and after.shown_ids == state.shown_ids
    assert after.order_number == "12345" and after.last_intent == "return_request"
    asked = _say(parser, after, "does the second one have HDMI?", "product_question")
    assert asked.filters == state.filters and asked.focus_ids == ["2"]


def test_corrupt_stored_state_starts_fresh() -> None:
    assert DialogueState.from_stored({"filters": {"price_min": "x"}}) == DialogueState()
    assert DialogueState.from_stored(None) == DialogueState()
    old = {"query": "x", "filters": {}, "offset": 0, "shown_ids": ["1"], "shown_prices": ["1"]}
    assert DialogueState.from_stored(old).shown_ids == ["1"]  # states stored before this change


def test_price_of_shown_product() -> None:
    state = with_results(
        DialogueState(), [HP_LAPTOP.id, LENOVO_LAPTOP.id], [HP_LAPTOP.price, LENOVO_LAPTOP.price]
    )
    assert state.price_of("2") == LENOVO_LAPTOP.price
    assert state.price_of(BIG_LAPTOP.id) is None
