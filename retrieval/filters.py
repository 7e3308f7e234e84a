"""Structured constraints a search is restricted to."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

BrandName = Annotated[str, Field(min_length=1, max_length=200)]


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

    @model_validator(mode="after")
    def _check_price_range(self) -> SearchFilters:
        if (
            self.price_min is not None
            and self.price_max is not None
            and self.price_min > self.price_max
        ):
            raise ValueError("price_min must not exceed price_max")
        return self

    def is_empty(self) -> bool:
        return self == SearchFilters()
