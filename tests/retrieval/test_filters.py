"""SearchFilters validation: ranges, bounds, and no booleans where a number is expected."""

from __future__ import annotations

from decimal import Decimal

import pytest
from pydantic import ValidationError

from retrieval.filters import SearchFilters

pytestmark = pytest.mark.unit

NUMERIC = [
    "price_min", "price_max", "screen_inches_min", "screen_inches_max",
    "memory_gb_min", "memory_gb_max", "cable_length_m_min", "cable_length_m_max",
]  # fmt: skip


@pytest.mark.parametrize("field", NUMERIC)
@pytest.mark.parametrize("value", ["true", "false"])
def test_a_json_boolean_is_not_a_number(field: str, value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        SearchFilters.model_validate_json(f'{{"{field}": {value}}}')
    assert caught.value.errors()[0]["loc"] == (field,)


@pytest.mark.parametrize("field", NUMERIC)
def test_numbers_and_numeric_strings_are_read(field: str) -> None:
    assert getattr(SearchFilters.model_validate_json(f'{{"{field}": 15}}'), field) == 15
    assert getattr(SearchFilters.model_validate({field: "2.5"}), field) == Decimal("2.5")


def test_low_above_high_and_out_of_bounds_are_refused() -> None:
    with pytest.raises(ValidationError, match="screen_inches_min must not exceed"):
        SearchFilters(screen_inches_min=17, screen_inches_max=13)
    with pytest.raises(ValidationError):
        SearchFilters(memory_gb_min=-1)
    assert SearchFilters(screen_inches_min=13, screen_inches_max=13).screen_inches_min == 13
