import time
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.dialogue import DialogueState
from assistant.intents.base import INTENT_LABELS
from assistant.lexicon import common_english_words
from assistant.parser import MAX_MESSAGE_CHARS, ParsedTurn, TurnParser, clean_message
from assistant.policy import IntentPolicy
from tests.assistant.fakes import prediction
from tests.assistant.products import HP_LAPTOP, LENOVO_LAPTOP

pytestmark = pytest.mark.unit

BRANDS = ["HP", "Lenovo", "DELL", "Logitech", "StarTech.com", "Kingston Technology", "ASUS",
          "Lexmark", "Tripp Lite", "Projecta"]  # fmt: skip


@pytest.fixture(scope="module")
def parser() -> TurnParser:
    return TurnParser(BRANDS, common_words=common_english_words())


def test_category_budget_and_query_text(parser: TurnParser) -> None:
    turn = parser.parse("thin and light laptop under 800 dollars")
    assert (turn.category, turn.price_max) == ("laptop", Decimal("800.00"))
    assert turn.query_text == "thin and light laptop"
    assert turn.content_words == ("thin", "light")


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("a notebook for school", "laptop"),
        ("usb cord", "cable"),
        ("printer toner", "toner"),  # the head noun of a compound
        ("ink for my printer", "ink"),
        ("笔记本 500元以下", "laptop"),
        ("显示器", "monitor"),
        ("with a backlit keyboard", None),  # a feature, not the product
    ],
)
def test_categories(parser: TurnParser, text: str, category: str | None) -> None:
    assert parser.parse(text).category == category


def test_full_sentence(parser: TurnParser) -> None:
    turn = parser.parse("a 17 inch laptop with 16GB RAM, not HP, under $1k in silver")
    assert turn.category == "laptop"
    assert turn.exclude_brands == ["HP"] and turn.brands == []
    assert (turn.attributes.screen_inches_min, turn.attributes.memory_gb_min) == (16.7, 16.0)
    assert turn.price_max == Decimal("1000.00") and turn.color == "silver"
    assert "HP" not in turn.query_text and "not" not in turn.query_text.split()


def test_category_words_are_never_corrected_into_brands(parser: TurnParser) -> None:
    turn = parser.parse("a projector for the office")
    assert (turn.category, turn.brands) == ("projector", [])


def test_compatibility_is_not_a_brand_filter(parser: TurnParser) -> None:
    turn = parser.parse("black toner for my Lexmark E320")
    assert turn.compatible_with == "Lexmark E320"
    assert turn.brands == [] and turn.color == "black" and turn.category == "toner"


def test_relative_price_paging_references_and_orders(parser: TurnParser) -> None:
    assert parser.parse("something cheaper").relative_price == "lower"
    assert parser.parse("cheaper than $300").relative_price is None  # an absolute bound
    assert parser.parse("show me more").more
    assert not parser.parse("more than $500").more
    assert parser.parse("compare 1 and 3").references.positions == (1, 3)
    assert parser.parse("where is my order #10234?").order_number == "10234"


def test_chinese_turn(parser: TurnParser) -> None:
    turn = parser.parse("联想笔记本 不要惠普 16G内存 5000元以下")
    assert turn.category == "laptop" and turn.price_max == Decimal("5000.00")
    assert turn.brands == ["Lenovo"] and turn.exclude_brands == ["HP"]  # 联想, 不要惠普
    assert turn.attributes.memory_gb_min == 16.0


def test_clean_message() -> None:
    assert clean_message("  a\x00b\tc\u200b  ") == "a b c"
    assert len(clean_message("x" * 5000)) == MAX_MESSAGE_CHARS


_TEXT = st.one_of(
    st.text(max_size=2500),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=300),
    st.lists(
        st.sampled_from(
            ["laptop", "under", "$800", "not", "HP", "😀", "笔记本", "500元以下", "\x00", "\u202e",
             "compare", "1", "and", "3", "17", "inch", "for", "Lexmark", "E320", "#10234",
             "cheaper", "more", "ft", "GB", "عربي", "кабель", "\n", "  "]
        ),
        max_size=400,
    ).map(" ".join),
)  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT, st.sampled_from(INTENT_LABELS), st.floats(0, 1), st.booleans())
def test_parser_never_raises_and_the_turn_gets_a_valid_label(
    parser: TurnParser, text: str, label: str, confidence: float, shown: bool
) -> None:
    turn = parser.parse(text)
    assert isinstance(turn, ParsedTurn) and len(turn.text) <= MAX_MESSAGE_CHARS
    products = [HP_LAPTOP, LENOVO_LAPTOP] if shown else []
    state = DialogueState(shown_ids=[p.id for p in products])
    decision = IntentPolicy(0.5).decide(prediction(label, confidence), turn, state, products)  # type: ignore[arg-type]
    assert decision.intent in INTENT_LABELS


@pytest.mark.parametrize("text", ["9" * 2000, "9," * 1000, "$9," * 666, "for E9 " * 285])
def test_long_digit_runs_parse_in_linear_time(parser: TurnParser, text: str) -> None:
    # Regexes retried at every position of a digit run once took seconds on such input.
    started = time.perf_counter()
    parser.parse(text)
    assert time.perf_counter() - started < 1.0
