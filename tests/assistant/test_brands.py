import pytest

from assistant.brands import BrandMatcher, brand_aliases
from assistant.lexicon import common_english_words

pytestmark = pytest.mark.unit

# A cut of the real catalog brand list, with the awkward ones (everyday words, short forms).
BRANDS = [
    "HP", "Lenovo", "DELL", "Logitech", "StarTech.com", "Kingston Technology", "ASUS", "Acer",
    "Samsung", "Epson", "Canon", "Brother", "Sharp", "Tripp Lite", "Lena", "Speck", "Braun",
    "Case Logic", "RAM Mounts", "Cooler Master", "TP-LINK", "Sony", "Toshiba", "Peach",
]  # fmt: skip


@pytest.fixture(scope="module")
def matcher() -> BrandMatcher:
    return BrandMatcher(BRANDS, common_english_words())


def _found(matcher: BrandMatcher, text: str) -> list[tuple[str, bool]]:
    return [(m.brand, m.excluded) for m in matcher.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lenovo laptops", [("Lenovo", False)]),
        ("LENOVO laptops", [("Lenovo", False)]),
        ("a Lenvo laptop", [("Lenovo", False)]),
        ("Samsumg monitor", [("Samsung", False)]),
        ("logitec mouse", [("Logitech", False)]),
        ("epsom ink", [("Epson", False)]),
        ("Kingston memory", [("Kingston Technology", False)]),
        ("startech hdmi cable", [("StarTech.com", False)]),
        ("tp link router", [("TP-LINK", False)]),
        ("hewlett packard toner", [("HP", False)]),
        ("联想笔记本", [("Lenovo", False)]),
    ],
)
def test_brands_are_found_case_and_typo_tolerantly(
    matcher: BrandMatcher, text: str, expected: list[tuple[str, bool]]
) -> None:
    assert _found(matcher, text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a wireless mouse, not Logitech", [("Logitech", True)]),
        ("no Dell please", [("DELL", True)]),
        ("anything except Acer", [("Acer", True)]),
        ("laptops without HP", [("HP", True)]),
        ("not HP or Dell", [("HP", True), ("DELL", True)]),
        ("HP, not Dell", [("HP", False), ("DELL", True)]),
        ("联想 不要惠普", [("Lenovo", False), ("HP", True)]),
    ],
)
def test_negations_exclude(
    matcher: BrandMatcher, text: str, expected: list[tuple[str, bool]]
) -> None:
    assert _found(matcher, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "a gift for my brother who loves his trip",  # Brother, Tripp Lite
        "a sharp picture and a good lens",  # Sharp, Lena
        "the specs of a brown laptop case",  # Speck, Braun, Case Logic
        "16 GB of ram and a cooler running laptop",  # RAM Mounts, Cooler Master
        "I like peach colour and this song",  # Peach, Sony
        "hello there, I need something to eat",
    ],
)
def test_everyday_words_are_not_brands(matcher: BrandMatcher, text: str) -> None:
    assert _found(matcher, text) == []


def test_everyday_word_brands_count_when_capitalised(matcher: BrandMatcher) -> None:
    assert _found(matcher, "Brother toner") == [("Brother", False)]
    assert _found(matcher, "a SHARP monitor") == [("Sharp", False)]


def test_ignored_spans_are_skipped(matcher: BrandMatcher) -> None:
    text = "toner for HP LaserJet"
    assert matcher.find(text, ignore=[(6, len(text))]) == []


def test_aliases_add_short_forms_without_clobbering() -> None:
    aliases = brand_aliases(["Kingston Technology", "StarTech.com", "HP", "HP Inc", "Case Logic"])
    assert aliases["kingston"] == "Kingston Technology"
    assert aliases["startech"] == "StarTech.com"
    assert aliases["hp"] == "HP"  # the exact brand wins over "HP Inc"'s first word
    assert "case" not in aliases and aliases["case logic"] == "Case Logic"
