"""What the phrasing model is given: the structured result of one turn, and what it returns."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from retrieval.filters import SearchFilters

PhrasedBy = Literal["template", "llm"]
ShortText = Annotated[str, Field(max_length=400)]


class ProductFact(BaseModel):
    """One shown product as the model may describe it.

    Example:
        >>> ProductFact(position=1, id="2101957", title="HP Pavilion dv7-1211ea", brand="HP",
        ...             category="laptop", price=Decimal("109.95"))
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    position: Annotated[int, Field(ge=1)]
    id: Annotated[str, Field(max_length=64)]
    title: ShortText
    brand: Annotated[str, Field(max_length=200)] = ""
    category: Annotated[str, Field(max_length=64)] = ""
    price: Decimal
    currency: Annotated[str, Field(max_length=3)] = "USD"
    attributes: dict[str, ShortText] = Field(default_factory=dict)
    reason: ShortText = ""


class PolicyFact(BaseModel):
    """A policy passage the answer may quote, with its citation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    document: Annotated[str, Field(max_length=100)]
    section: Annotated[str, Field(max_length=300)]
    text: Annotated[str, Field(max_length=2000)]


class PhrasingInput(BaseModel):
    """Everything the model may use to word one reply; nothing else reaches it.

    ``template_reply`` is the deterministic reply: the model rewords it and must not add
    facts. All text fields have already been neutralised (:func:`~assistant.phrasing.facts.
    neutralise`) when built by :func:`~assistant.phrasing.facts.phrasing_input`.

    Example:
        >>> PhrasingInput(intent="greeting", template_reply="Hi! What are you looking for?")
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    intent: Annotated[str, Field(max_length=40)]
    filters: SearchFilters = Field(default_factory=SearchFilters)
    products: list[ProductFact] = Field(default_factory=list)
    policies: list[PolicyFact] = Field(default_factory=list)
    template_reply: Annotated[str, Field(max_length=4000)]


class Phrasing(BaseModel):
    """The reply to show, who worded it, and why the model's text was not used (if so)."""

    model_config = ConfigDict(frozen=True)

    text: str
    phrased_by: PhrasedBy
    fallback_reason: str = ""
    ms: float = 0.0
