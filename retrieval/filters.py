"""Structured constraints a search is restricted to."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

BrandName = Annotated[str, Field(min_length=1, max_length=200)]


def _not_a_boolean(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("must be a number, not a boolean")
    return value


NOT_BOOLEAN = BeforeValidator(_not_a_boolean)
"""Refuses JSON ``true``/``false`` for a number, which pydantic's lax mode reads as 1/0."""

# Numbers of request bodies (filters, API fields): anything lax mode takes but a boolean.
JsonFloat = Annotated[float, NOT_BOOLEAN]
JsonInt = Annotated[int, NOT_BOOLEAN]


class SearchFilters(BaseModel):
    """Hard filters applied inside retrieval (and shown back to the shopper).

    Example:
        >>> SearchFilters(category="laptop", brands=["HP"], price_max=Decimal("800"))
        SearchFilters(category='laptop', brands=['HP'], ...)
    """

    model_config = ConfigDict(extra="forbid")

    category: Annotated[str, Field(max_length=64)] | None = None
    brands: Annotated[list[BrandName], Field(max_length=50)] = Field(default_factory=list)
    exclude_brands: Annotated[list[BrandName], Field(max_length=50)] = Field(default_factory=list)
    price_min: Annotated[Decimal, Field(ge=0, le=10_000_000)] | None = None
    price_max: Annotated[Decimal, Field(ge=0, le=10_000_000)] | None = None
    color: Annotated[str, Field(max_length=50)] | None = None
    # Attribute constraints, checked on the retrieved candidates by the assistant
    # (assistant/product_facts.py) rather than in the vector store's where clause.
    screen_inches_min: Annotated[JsonFloat, Field(ge=0, le=1000)] | None = None
    screen_inches_max: Annotated[JsonFloat, Field(ge=0, le=1000)] | None = None
    memory_gb_min: Annotated[JsonFloat, Field(ge=0, le=1_000_000)] | None = None
    memory_gb_max: Annotated[JsonFloat, Field(ge=0, le=1_000_000)] | None = None
    cable_length_m_min: Annotated[JsonFloat, Field(ge=0, le=10_000)] | None = None
    cable_length_m_max: Annotated[JsonFloat, Field(ge=0, le=10_000)] | None = None
    compatible_with: Annotated[str, Field(min_length=1, max_length=200)] | None = None

    @model_validator(mode="after")
    def _check_price_range(self) -> SearchFilters:
        for low, high in (
            ("price_min", "price_max"),
            ("screen_inches_min", "screen_inches_max"),
            ("memory_gb_min", "memory_gb_max"),
            ("cable_length_m_min", "cable_length_m_max"),
        ):
            low_value, high_value = getattr(self, low), getattr(self, high)
            if low_value is not None and high_value is not None and low_value > high_value:
                raise ValueError(f"{low} must not exceed {high}")
        return self

    def is_empty(self) -> bool:
        return self == SearchFilters()
