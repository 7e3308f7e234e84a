from decimal import Decimal

import pytest

from assistant.slots import (
    PhraseMatcher,
    extract_color,
    extract_price,
    extract_relative_price,
    mask_spans,
    wants_more,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("thin and light laptop under 800 dollars", None, "800.00"),
        ("a laptop under $800", None, "800.00"),
        ("monitor below $1,200.50", None, "1200.50"),
        ("keyboards less than 50 bucks", None, "50.00"),
        ("printer over $300", "300.00", None),
        ("at least 150 usd", "150.00", None),
        ("between 300 and 600", "300.00", "600.00"),
        ("between 600 and 300", "300.00", "600.00"),
        ("$300-$600 monitor", "300.00", "600.00"),
        ("something up to $1k", None, "1000.00"),
        ("under 1.5k", None, "1500.00"),
        ("around $500", "400.00", "600.00"),
        ("a $500 laptop", "400.00", "600.00"),
        ("my budget is 900", None, "900.00"),
        ("over 300 but under 700", "300.00", "700.00"),
        ("a laptop from 700 to 900", "700.00", "900.00"),
        ("laptop 800-1000 usd", "800.00", "1000.00"),
        ("a monitor, no more than 250", None, "250.00"),
        ("not less than 300", "300.00", None),
        ("笔记本 500元以下", None, "500.00"),
        ("500块以内的鼠标", None, "500.00"),
        ("不超过300元", None, "300.00"),
        ("1000元左右的显示器", "800.00", "1200.00"),
        ("2000元以上", "2000.00", None),
        ("300到600元", "300.00", "600.00"),
        ("预算5千", None, "5000.00"),
    ],
)
def test_extract_price(text: str, low: str | None, high: str | None) -> None:
    bounds = extract_price(text)
    assert bounds.minimum == (Decimal(low) if low else None)
    assert bounds.maximum == (Decimal(high) if high else None)


@pytest.mark.parametrize(
    "text",
    [
        "a 17 inch laptop",
        "usb-c cable 2 m",
        "laptop under 14 inch",
        "under 2 kg",
        "at least 16 gb",
        "over 20 ppm",
        "model 300 toner",
        "27寸显示器",
        "invoice from 7 purchases ago",
        "my order from 6 weeks ago",
    ],
)
def test_sizes_and_counts_are_not_prices(text: str) -> None:
    bounds = extract_price(text)
    assert (bounds.minimum, bounds.maximum) == (None, None)


def test_price_span_covers_the_phrase() -> None:
    text = "laptop under $800 please"
    bounds = extract_price(text)
    ((start, end),) = bounds.spans
    assert text[start:end].strip() == "under $800"


def test_absurd_price_is_ignored() -> None:
    assert extract_price("under 99999999999 dollars").maximum is None


@pytest.mark.parametrize(
    ("text", "direction"),
    [
        ("something cheaper", "lower"),
        ("too expensive", "lower"),
        ("a bit more expensive please", "higher"),
        ("pricier ones", "higher"),
        ("便宜一点", "lower"),
        ("更贵的", "higher"),
        ("only HP", None),
    ],
)
def test_relative_price(text: str, direction: str | None) -> None:
    assert extract_relative_price(text)[0] == direction


@pytest.mark.parametrize(
    ("text", "more"),
    [
        ("show me more", True),
        ("next", True),
        ("any other options?", True),
        ("换一批", True),
        ("more expensive", False),
        ("more than $500", False),
        ("more memory", False),
    ],
)
def test_show_more(text: str, more: bool) -> None:
    assert (wants_more(text) is not None) is more


def test_phrase_matcher_prefers_longest_and_respects_word_boundaries() -> None:
    matcher = PhraseMatcher({"hp": "HP", "hp inc": "HP Inc", "asus": "ASUS"})
    assert matcher.find_all("an HP Inc printer") == [("HP Inc", (3, 9))]
    assert matcher.find_all("chpa asusx") == []


def test_extract_color_canonicalises_and_reads_chinese() -> None:
    assert extract_color("a Gray mouse")[0] == "grey"
    assert extract_color("黑色的鼠标")[0] == "black"
    assert extract_color("a mouse") == (None, None)


def test_mask_spans_keeps_positions() -> None:
    assert mask_spans("abc def", [(0, 3), (100, 200)]) == "    def"
