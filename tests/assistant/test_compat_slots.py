import pytest

from assistant.compat_slots import CompatibilityFinder
from retrieval.catalog.taxonomy import CATEGORY_SYNONYMS

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def finder() -> CompatibilityFinder:
    everyday = frozenset({"compensation", "galaxy", "alarm", "left"})
    return CompatibilityFinder({"lexmark", "hp", "epson", "dell"}, CATEGORY_SYNONYMS, everyday)


@pytest.mark.parametrize(
    ("text", "target"),
    [
        ("black toner for my Lexmark E320 printer", "Lexmark E320"),
        ("toner for HP LaserJet 3500, under 100", "HP LaserJet 3500"),
        ("toner for an HP LaserJet", "HP LaserJet"),
        ("a case that fits Galaxy S20", "Galaxy S20"),
        ("ink for Epson", "Epson"),
        ("a mouse that works with mac", "mac"),
        ("battery compatible with ThinkPad T480", "ThinkPad T480"),
        ("hp toner for a laserjet pro m404", "laserjet pro m404"),
        ("8gb ddr4 ram for a dell optiplex", "dell optiplex"),
    ],
)
def test_targets(finder: CompatibilityFinder, text: str, target: str) -> None:
    found = finder.find(text)
    assert found is not None and found.target == target


@pytest.mark.parametrize(
    "text",
    [
        "a gift for my dad who travels",
        "laptop for gaming",
        "cable for 2 monitors",
        "something for under $500",
        "looking for HP toner",  # a brand wish, not compatibility
        "I am searching for Dell monitors",
        "can you set an alarm for 7am",
        "I am waiting for a compensation of350 dollars",
        "is the mouse suitable for left handed people",
    ],
)
def test_plain_for_needs_a_brand_or_model(finder: CompatibilityFinder, text: str) -> None:
    assert finder.find(text) is None


def test_span_covers_the_phrase_and_category_word(finder: CompatibilityFinder) -> None:
    text = "toner for my Lexmark E320 printer please"
    found = finder.find(text)
    assert found is not None
    assert text[found.span[0] : found.span[1]] == "for my Lexmark E320 printer"
