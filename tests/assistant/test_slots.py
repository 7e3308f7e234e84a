from decimal import Decimal

import pytest

from assistant.slots import PhraseMatcher, brand_aliases, extract_color, extract_price

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
        ("around $500", "400.00", "600.00"),
        ("my budget is 900", None, "900.00"),
        ("a 17 inch laptop", None, None),
        ("usb-c cable 2 m", None, None),
    ],
)
def test_extract_price(text: str, low: str | None, high: str | None) -> None:
    bounds = extract_price(text)
    assert bounds.minimum == (Decimal(low) if low else None)
    assert bounds.maximum == (Decimal(high) if high else None)


def test_price_span_covers_the_phrase() -> None:
    text = "laptop under $800 please"
    bounds = extract_price(text)
    ((start, end),) = bounds.spans
    assert text[start:end].strip() == "under $800"


def test_absurd_price_is_ignored() -> None:
    assert extract_price("under 99999999999 dollars").maximum is None


def test_brand_aliases_add_short_forms_without_clobbering() -> None:
    aliases = brand_aliases(["Kingston Technology", "StarTech.com", "HP", "HP Inc"])
    assert aliases["kingston"] == "Kingston Technology"
    assert aliases["startech"] == "StarTech.com"
    assert aliases["hp"] == "HP"  # the exact brand wins over "HP Inc"'s first word


def test_phrase_matcher_prefers_longest_and_respects_word_boundaries() -> None:
    matcher = PhraseMatcher({"hp": "HP", "hp inc": "HP Inc", "asus": "ASUS"})
    assert matcher.find_all("an HP Inc printer") == [("HP Inc", (3, 9))]
    assert matcher.find_all("chpa asusx") == []


def test_extract_color_canonicalises_gray() -> None:
    assert extract_color("a Gray mouse")[0] == "grey"
    assert extract_color("a mouse") == (None, None)
