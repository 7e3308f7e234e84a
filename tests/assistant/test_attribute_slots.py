import pytest

from assistant.attribute_slots import extract_attributes

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("a 17 inch laptop", 16.7, 17.99),
        ('15.6" notebook', 15.55, 15.65),
        ("a 24-inch monitor", 23.7, 24.99),
        ("at least 15 inch screen", 15.0, None),
        ("monitor 27 inches or bigger", 27.0, None),
        ("laptop under 14 inch", None, 13.99),
        ("27寸显示器", 26.7, 27.99),
    ],
)
def test_screen_size(text: str, low: float | None, high: float | None) -> None:
    found = extract_attributes(text)
    assert (found.screen_inches_min, found.screen_inches_max) == (low, high)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("laptop with 16GB RAM", 16.0, 16.0),
        ("16 gb laptop", 16.0, 16.0),
        ("at least 8 GB of memory", 8.0, None),
        ("RAM: 32 GB", 32.0, 32.0),
        ("16G内存", 16.0, 16.0),
        ("laptop with a 512GB SSD", None, None),  # storage, not memory
        ("a 4g phone", None, None),  # the network, not memory
        ("usb 3.0 flash drive 64gb", None, None),  # storage
        ("laptop with 16gb ram and a 512gb ssd", 16.0, 16.0),
    ],
)
def test_memory(text: str, low: float | None, high: float | None) -> None:
    found = extract_attributes(text)
    assert (found.memory_gb_min, found.memory_gb_max) == (low, high)


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("10 ft hdmi cable", 2.743, 3.353),
        ("a 2m usb cable", 1.8, 2.2),
        ("cat6 cable 25ft", 6.858, 8.382),
        ("cable at least 3 m", 3.0, None),
        ("a cable shorter than 1 m", None, 1.0),
        ("6 inch usb cable", 0.102, 0.202),  # inches of cable are a length
        ("2米线", 1.8, 2.2),
    ],
)
def test_cable_length_in_metres(text: str, low: float | None, high: float | None) -> None:
    found = extract_attributes(text)
    assert (found.cable_length_m_min, found.cable_length_m_max) == (low, high)
    assert found.screen_inches_min is None


def test_nothing_found_in_plain_text() -> None:
    found = extract_attributes("laptops under 800 for my dad, model i5 m series")
    assert found.is_empty()
    assert found == extract_attributes("")


def test_spans_cover_qualifiers() -> None:
    text = "a screen at least 15 inch please"
    ((start, end),) = extract_attributes(text).spans
    assert text[start:end] == "at least 15 inch"
