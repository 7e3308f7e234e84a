"""The reply validator: every price, policy number, name and brand must be in the facts."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.phrasing import claims
from assistant.phrasing.validator import ReplyValidator, fact_sheet
from tests.assistant.phrasing.facts_data import BRANDS, FACTS, FAITHFUL, POLICY_FACTS, TEMPLATE

pytestmark = pytest.mark.unit

VALIDATOR = ReplyValidator(BRANDS)


def test_claims_are_read_the_same_way_in_facts_and_replies() -> None:
    text = (
        "Returns within thirty days or a 30-day window; 15 percent fee; $1,234.50 or 49.95 dollars"
    )
    assert claims.prices(text) == {Decimal("1234.5"), Decimal("49.95")}
    assert claims.quantities(text) == {(Decimal(30), "day"), (Decimal(15), "%")}
    assert claims.model_tokens("the dv7-1211ea and T14s with 16GB, 4K and a 2nd port") == {
        "dv7-1211ea",
        "t14s",
    }
    assert claims.name_tokens("a ThinkPad or XPS with USB and HDMI") == {"thinkpad", "xps"}


def test_the_template_and_a_faithful_rewording_pass() -> None:
    assert VALIDATOR.problems(TEMPLATE, FACTS) == []
    assert VALIDATOR.problems(FAITHFUL, FACTS) == []


@pytest.mark.parametrize(
    ("reply", "problem"),
    [
        ("The HP ProBook 4320s is yours for $599.00.", "price $599"),
        ("The HP ProBook 4320s costs 649 euros.", None),  # same amount, any currency word
        ("Try the HP ProBook 4330s instead.", "name '4330s'"),
        ("The HP ProBook X360 is a great pick.", "name 'x360'"),
        ("The Dell XPS is the closest match.", "brand 'Dell'"),
        ("You might like the HP ZenBook.", "name 'zenbook'"),
        ("The HP ProBook 4320s has 16 GB of RAM.", "number 16"),
        ("The HP ProBook 4320s weighs 1.8 kg.", "number 1.8"),
    ],
)
def test_invented_prices_names_and_numbers_are_caught(reply: str, problem: str | None) -> None:
    found = VALIDATOR.problems(reply, FACTS)
    if problem is None:
        assert found == []
    else:
        assert any(p.startswith(problem) for p in found), found


@pytest.mark.parametrize(
    ("reply", "ok"),
    [
        ("You have 30 days from delivery to return a laptop.", True),
        ("You have thirty days to send a laptop back.", True),
        ("There is a 30-day return window.", True),
        ("You have 60 days to return a laptop.", False),
        ("You have a month to return a laptop.", False),
        ("Opened laptops carry a 15% restocking fee.", True),
        ("Opened laptops carry a 10% restocking fee.", False),
        ("Returns are free within 30 days; after that we charge $25.", False),
    ],
)
def test_policy_numbers_must_match_the_passage(reply: str, ok: bool) -> None:
    assert (VALIDATOR.problems(reply, POLICY_FACTS) == []) is ok


def test_small_counts_are_free_but_prices_never_are() -> None:
    assert VALIDATOR.problems("Here are 3 options: 1. the HP ProBook 4320s.", FACTS) == []
    assert VALIDATOR.problems("Prices start at $5.", FACTS) != []


def test_brands_are_matched_as_written() -> None:
    # "trust" the word is not the brand Trust.
    assert VALIDATOR.problems("You can trust the HP ProBook 4320s.", FACTS) == []
    assert VALIDATOR.problems("Trust makes a similar one.", FACTS) != []


def test_fact_sheet_collects_prices_from_products_filters_and_texts() -> None:
    sheet = fact_sheet(FACTS)
    assert {Decimal("649"), Decimal("496.95"), Decimal("800")} <= sheet.prices


@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999"), places=2))
def test_any_price_not_in_the_facts_is_rejected(price: Decimal) -> None:
    allowed = {Decimal("649.00"), Decimal("496.95"), Decimal("800")}
    reply = f"The HP ProBook 4320s is ${price:,.2f} today."
    rejected = VALIDATOR.problems(reply, FACTS) != []
    assert rejected is (price not in allowed)


def test_free_numbers_bound_is_validated() -> None:
    with pytest.raises(ValueError, match="free_numbers_up_to"):
        ReplyValidator(free_numbers_up_to=-1)
