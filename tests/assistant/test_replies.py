from decimal import Decimal

import pytest

from assistant.messages import clarify_reply, support_reply
from assistant.replies import describe_filters, explain, plural, search_reply, vague_followup
from ranking.rerank import RankedProducts
from retrieval.catalog.product import Product
from retrieval.filters import SearchFilters
from retrieval.search import Candidate
from tests.assistant.fakes import prediction
from tests.assistant.products import CABLE, TONER, product

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
    attributes = SearchFilters(
        memory_gb_min=16.0, memory_gb_max=16.0, cable_length_m_min=2.743,
        cable_length_m_max=3.353, compatible_with="Lexmark E320",
    )  # fmt: skip
    assert describe_filters(attributes) == (
        "with 16 GB RAM about 3.0 m (10 ft) long compatible with Lexmark E320"
    )


def test_reason_is_grounded_in_filters_and_text() -> None:
    f = SearchFilters(category="laptop", brands=["HP"], price_max=Decimal("800"), color="black")
    reason = explain(LAPTOP, f, "thin and light laptop")
    assert reason.startswith("Laptop; by HP, as you asked; $649.00 is within your $800.00 budget")
    assert "comes in black" in reason and "“thin”" in reason and "“light”" in reason


def test_reason_names_the_attributes_that_matched() -> None:
    cable = explain(CABLE, SearchFilters(cable_length_m_min=2.7, cable_length_m_max=3.4), "")
    assert "3.05 m (10.0 ft) long" in cable
    toner = explain(TONER, SearchFilters(compatible_with="Lexmark E320"), "")
    assert "compatibility with Lexmark E320" in toner


def test_reason_never_claims_what_is_not_true() -> None:
    f = SearchFilters(brands=["Lenovo"], price_max=Decimal("500"))
    reason = explain(LAPTOP, f, "gaming rig")
    assert "Lenovo" not in reason and "budget" not in reason
    assert "close in meaning" in reason.lower()


def _ranked(*categories: str) -> RankedProducts:
    items = [
        Candidate(product=product(str(i), f"Item {i}", "10.00", category=c), score=0.5, rank=i)
        for i, c in enumerate(categories, start=1)
    ]
    return RankedProducts(items=items, total_candidates=len(items), has_more=False)


def test_vague_followup_names_the_categories_found() -> None:
    question = vague_followup(_ranked("mouse", "cable", "bag", "mouse"), SearchFilters())
    assert question is not None and question.endswith("?")
    assert "mice, cables or bag & case?" in question
    assert "budget" in question
    assert vague_followup(_ranked("bag", "bag", "adapter"), SearchFilters()) is None
    assert vague_followup(_ranked("bag", "adapter", "tv"), SearchFilters(category="bag")) is None


def test_clarify_names_the_two_likeliest_readings() -> None:
    unsure = prediction("order_status", 0.4, order_status=0.4, return_request=0.35, search=0.1)
    assert clarify_reply(unsure) == (
        "Sorry, I'm not sure I understood. Do you want to check on an order or return an item?"
    )
    assert "product" in clarify_reply(prediction("other", 0.2))


def test_support_reply_is_honest_and_keeps_shopping() -> None:
    reply = support_reply("return_request", "12345", has_search=True)
    assert "can't start a return for order 12345" in reply and "show more" in reply
    assert "find products" in support_reply("order_status", None, has_search=False)


def test_search_reply_counts_and_paging() -> None:
    one = RankedProducts(items=_ranked("toner").items, total_candidates=1, has_more=False)
    text = search_reply(one, SearchFilters(category="toner", compatible_with="Lexmark E320"), False)
    assert text == "Here is one toner compatible with Lexmark E320: Item 1 at $10.00."
    many = search_reply(_ranked("mouse", "mouse"), SearchFilters(category="mouse"), paged=True)
    assert many.startswith("Here are 2 more mice.")
    none = search_reply(_ranked(), SearchFilters(category="mouse"), paged=True)
    assert none.startswith("That's all I have for mice")
