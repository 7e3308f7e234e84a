from decimal import Decimal

import pytest

from assistant.replies import describe_filters, explain, plural
from retrieval.catalog.product import Product
from retrieval.filters import SearchFilters

pytestmark = pytest.mark.unit

LAPTOP = Product(
    id="1",
    title='HP ProBook 4320s Notebook PC Black 33.8 cm (13.3")',
    description="Thin and light business notebook",
    brand="HP",
    category="laptop",
    price=Decimal("649.00"),
    color="Black",
)


def test_plural_of_labels() -> None:
    assert [plural(w) for w in ("mouse", "battery", "laptop", "switch", "graphics card")] == [
        "mice", "batteries", "laptops", "switches", "graphics cards"]  # fmt: skip


def test_describe_filters() -> None:
    f = SearchFilters(brands=["HP"], price_min=Decimal("300"), price_max=Decimal("800"))
    assert describe_filters(f) == "from HP between $300.00 and $800.00"
    assert describe_filters(SearchFilters(exclude_brands=["DELL"])) == "not from DELL"


def test_reason_is_grounded_in_filters_and_text() -> None:
    f = SearchFilters(category="laptop", brands=["HP"], price_max=Decimal("800"), color="black")
    reason = explain(LAPTOP, f, "thin and light laptop")
    assert reason.startswith("Laptop; by HP, as you asked; $649.00 is within your $800.00 budget")
    assert "comes in black" in reason and "“thin”" in reason and "“light”" in reason


def test_reason_never_claims_what_is_not_true() -> None:
    f = SearchFilters(brands=["Lenovo"], price_max=Decimal("500"))
    reason = explain(LAPTOP, f, "gaming rig")
    assert "Lenovo" not in reason and "budget" not in reason
    assert "close in meaning" in reason.lower()
