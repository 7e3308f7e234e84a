import pytest

from assistant.references import extract_references, resolve
from tests.assistant.products import BIG_LAPTOP, CABLE, HP_LAPTOP, LENOVO_LAPTOP

pytestmark = pytest.mark.unit

SHOWN = [HP_LAPTOP, LENOVO_LAPTOP, BIG_LAPTOP, CABLE]


@pytest.mark.parametrize(
    ("text", "positions"),
    [
        ("the second one", (2,)),
        ("compare 1 and 3", (1, 3)),
        ("compare 1, 2 and 4", (1, 2, 4)),
        ("2 vs 4", (2, 4)),
        ("compare the first two", (1, 2)),
        ("the last one", (-1,)),
        ("the last two", (-2, -1)),
        ("compare the first and the third", (1, 3)),
        ("number 3 please", (3,)),
        ("第二个", (2,)),
        ("比较1和3", (1, 3)),
        ("laptops between 300 and 600", ()),
        ("my first time buying a laptop", ()),
    ],
)
def test_positions(text: str, positions: tuple[int, ...]) -> None:
    assert extract_references(text).positions == positions


def test_deixis() -> None:
    assert extract_references("does it have HDMI?").deixis == "single"
    assert extract_references("compare them").deixis == "plural"
    assert extract_references("which of these two is lighter").deixis == "plural"
    assert extract_references("laptops").deixis is None


def test_resolve_positions_brands_and_missing() -> None:
    found = resolve(extract_references("compare 1 and 3"), SHOWN, focus=[])
    assert found.ids == ("1", "3")
    found = resolve(extract_references("the last one"), SHOWN, focus=[])
    assert found.ids == ("4",)
    found = resolve(extract_references("the Lenovo one", ["Lenovo"]), SHOWN, focus=[])
    assert found.ids == ("2",)
    found = resolve(extract_references("compare 2 and 7"), SHOWN, focus=[])
    assert (found.ids, found.missing) == (("2",), (7,))


def test_resolve_deixis_uses_focus_then_first_shown() -> None:
    it = extract_references("what colour is it?")
    assert resolve(it, SHOWN, focus=["3"]).ids == ("3",)
    assert resolve(it, SHOWN, focus=[]).ids == ("1",)
    them = extract_references("compare them")
    assert resolve(them, SHOWN, focus=["2", "4"]).ids == ("2", "4")
    assert resolve(them, SHOWN, focus=[]).ids == ("1", "2", "3", "4")
    assert resolve(them, [], focus=[]).ids == ()
