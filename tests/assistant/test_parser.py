from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.parser import TurnParser

pytestmark = pytest.mark.unit

BRANDS = ["HP", "Lenovo", "DELL", "Logitech", "StarTech.com", "Kingston Technology", "ASUS"]


@pytest.fixture(scope="module")
def parser() -> TurnParser:
    return TurnParser(BRANDS)


def test_search_with_category_and_budget(parser: TurnParser) -> None:
    turn = parser.parse("thin and light laptop under 800 dollars", has_results=False)
    assert turn.intent == "search"
    assert turn.category == "laptop"
    assert turn.price_max == Decimal("800.00")
    assert "under" not in turn.query_text and "thin and light laptop" in turn.query_text


def test_synonyms_map_to_store_categories(parser: TurnParser) -> None:
    assert parser.parse("a notebook for school", has_results=False).category == "laptop"
    assert parser.parse("usb cord", has_results=False).category == "cable"


def test_brand_only_after_results_is_a_refinement(parser: TurnParser) -> None:
    turn = parser.parse("only HP", has_results=True)
    assert turn.intent == "refine"
    assert turn.brands == ["HP"]


def test_brand_negation_is_an_exclusion(parser: TurnParser) -> None:
    turn = parser.parse("a wireless mouse, not Logitech", has_results=False)
    assert turn.exclude_brands == ["Logitech"]
    assert turn.brands == []


def test_brand_matching_is_case_insensitive_and_uses_short_forms(parser: TurnParser) -> None:
    assert parser.parse("lenovo laptops", has_results=False).brands == ["Lenovo"]
    assert parser.parse("startech hdmi cable", has_results=False).brands == ["StarTech.com"]


def test_show_more_and_cheaper(parser: TurnParser) -> None:
    more = parser.parse("show me more", has_results=True)
    assert (more.intent, more.more) == ("refine", True)
    cheaper = parser.parse("something cheaper", has_results=True)
    assert (cheaper.intent, cheaper.cheaper) == ("refine", True)
    # "more than $500" is a price bound, not paging
    bound = parser.parse("more than $500", has_results=True)
    assert bound.more is False and bound.price_min == Decimal("500.00")


def test_greeting_and_support_and_nonsense(parser: TurnParser) -> None:
    assert parser.parse("Hello there!", has_results=False).intent == "greeting"
    support = parser.parse("how do I return my order?", has_results=False)
    assert support.intent == "other" and support.support_request
    assert parser.parse("?!", has_results=False).intent == "other"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=2500))
def test_parser_never_raises_and_returns_a_label(text: str) -> None:
    turn = TurnParser(BRANDS).parse(text, has_results=True)
    assert turn.intent in {"search", "refine", "greeting", "other"}
    assert len(turn.text) <= 2000
