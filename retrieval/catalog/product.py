"""The normalised product every catalog source is loaded into."""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

AttributeValue = str | float | int | bool
NonEmptyStr = Annotated[str, Field(min_length=1, max_length=1000)]


class Product(BaseModel):
    """One sellable product, whatever catalog it came from.

    Example:
        >>> p = Product(id="3920564", title="Xerox 006R90321 toner cartridge", brand="Xerox",
        ...             category="toner", price=Decimal("49.95"), source="icecat")
        >>> p.price
        Decimal('49.95')
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Annotated[str, Field(min_length=1, max_length=64)]
    title: NonEmptyStr
    description: Annotated[str, Field(max_length=5000)] = ""
    brand: Annotated[str, Field(max_length=200)] = ""
    category: Annotated[str, Field(min_length=1, max_length=64)] = "other"
    price: Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]
    currency: Annotated[str, Field(min_length=3, max_length=3)] = "USD"
    color: Annotated[str, Field(max_length=100)] = ""
    attributes: dict[str, AttributeValue] = Field(default_factory=dict)
    image_url: Annotated[str, Field(max_length=2000)] = ""
    source: Annotated[str, Field(min_length=1, max_length=32)] = "icecat"

    @field_validator("title", "brand", "description", "color", mode="before")
    @classmethod
    def _strip(cls, value: Any) -> Any:
        return value.strip() if isinstance(value, str) else value

    def content_hash(self) -> str:
        """A stable hash of everything the index derives from this product."""
        payload = self.model_dump(mode="json")
        blob = json.dumps(payload, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(blob).hexdigest()[:32]
