import pytest

from assistant.compare import build_comparison, comparison_text
from tests.assistant.products import BIG_LAPTOP, CABLE, HP_LAPTOP, LENOVO_LAPTOP

pytestmark = pytest.mark.unit


def test_side_by_side_has_price_brand_category_and_key_attributes() -> None:
    table = build_comparison([HP_LAPTOP, LENOVO_LAPTOP], positions=[1, 3])
    rows = {row.label: row.values for row in table.rows}
    assert rows["Price"] == ["$649.00", "$496.95"]
    assert rows["Brand"] == ["HP", "Lenovo"]
    assert rows["Category"] == ["Laptop", "Laptop"]
    assert rows["Screen size"] == ['13.3"', '14"']
    assert rows["Memory (RAM)"] == ["3 GB", "8 GB"]
    assert "Ean" not in rows  # identifiers are never key attributes
    assert table.positions == [1, 3] and table.product_ids == ["1", "2"]


def test_missing_values_are_marked_and_title_fallbacks_used() -> None:
    table = build_comparison([HP_LAPTOP, BIG_LAPTOP])
    rows = {row.label: row.values for row in table.rows}
    assert rows["Screen size"] == ['13.3"', '17"']  # from the title of the second
    assert rows["Memory (RAM)"] == ["3 GB", "—"]


def test_mixed_categories_and_text() -> None:
    table = build_comparison([HP_LAPTOP, CABLE], positions=[1, 2])
    text = comparison_text(table, [HP_LAPTOP, CABLE])
    assert text.startswith("Comparing #1 HP ProBook")
    assert "- Price: $649.00 | $7.95" in text
    assert "$641.05 less" in text


def test_needs_two_products() -> None:
    with pytest.raises(ValueError):
        build_comparison([HP_LAPTOP])
