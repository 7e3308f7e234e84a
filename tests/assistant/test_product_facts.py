import pytest

from assistant.product_facts import (
    cable_length_m,
    has_attribute_filters,
    is_compatible,
    memory_gb,
    satisfies,
    screen_inches,
)
from retrieval.filters import SearchFilters
from tests.assistant.products import BIG_LAPTOP, CABLE, HP_LAPTOP, MEMORY_MB, TONER

pytestmark = pytest.mark.unit


def test_values_from_attributes_and_titles() -> None:
    assert screen_inches(HP_LAPTOP) == 13.3
    assert screen_inches(BIG_LAPTOP) == 17.0  # from '(17")' in the title
    assert memory_gb(HP_LAPTOP) == 3.0
    assert memory_gb(MEMORY_MB) == 1.0  # 1024 MB
    assert memory_gb(BIG_LAPTOP) is None
    assert cable_length_m(CABLE) == 3.05


def test_compatibility_matches_whole_model_words() -> None:
    assert is_compatible(TONER, "Lexmark E320")
    assert is_compatible(TONER, "lexmark e-320")
    assert not is_compatible(TONER, "Lexmark E321")
    assert not is_compatible(TONER, "")


def test_satisfies_checks_every_constraint() -> None:
    seventeen = SearchFilters(screen_inches_min=16.7, screen_inches_max=17.99)
    assert satisfies(BIG_LAPTOP, seventeen)
    assert not satisfies(HP_LAPTOP, seventeen)
    ten_feet = SearchFilters(cable_length_m_min=2.74, cable_length_m_max=3.35)
    assert satisfies(CABLE, ten_feet)
    assert not satisfies(HP_LAPTOP, ten_feet)  # unknown length never qualifies
    assert satisfies(HP_LAPTOP, SearchFilters(memory_gb_min=2.0))
    assert not satisfies(HP_LAPTOP, SearchFilters(memory_gb_min=8.0))
    assert satisfies(TONER, SearchFilters(compatible_with="Lexmark E320"))


def test_has_attribute_filters() -> None:
    assert not has_attribute_filters(SearchFilters(category="laptop", brands=["HP"]))
    assert has_attribute_filters(SearchFilters(compatible_with="Lexmark E320"))
    assert has_attribute_filters(SearchFilters(memory_gb_max=8.0))


def test_inconsistent_attribute_bounds_are_rejected() -> None:
    with pytest.raises(ValueError):
        SearchFilters(screen_inches_min=20.0, screen_inches_max=10.0)
