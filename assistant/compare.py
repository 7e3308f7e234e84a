"""Side-by-side comparison of shown products: price, brand, category and key attributes."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from assistant.attribute_format import attribute_label, attribute_value, key_attributes
from assistant.formatting import money, shorten
from retrieval.catalog.product import Product
from retrieval.catalog.taxonomy import category_label

MISSING = "—"


class ComparisonRow(BaseModel):
    """One compared property: its label and one value per product ("—" if unknown).

    Example:
        >>> ComparisonRow(label="Price", values=["$649.00", "$496.95"])
    """

    model_config = ConfigDict(frozen=True)

    label: str
    values: list[str]


class ComparisonTable(BaseModel):
    """The structured side-by-side sent with a ``compare`` answer.

    Example:
        >>> table = build_comparison([laptop_a, laptop_b], positions=[1, 3])
        >>> [row.label for row in table.rows][:3]
        ['Price', 'Brand', 'Category']
    """

    model_config = ConfigDict(frozen=True)

    product_ids: list[str]
    positions: list[int | None]
    titles: list[str]
    rows: list[ComparisonRow]


def build_comparison(
    products: Sequence[Product], positions: Sequence[int | None] = ()
) -> ComparisonTable:
    """Compare ``products`` (2 or more) on price, brand, category and key attributes."""
    if len(products) < 2:
        raise ValueError("a comparison needs at least two products")
    numbered = list(positions) + [None] * (len(products) - len(positions))
    rows = [
        ComparisonRow(label="Price", values=[money(p.price) for p in products]),
        ComparisonRow(label="Brand", values=[p.brand or MISSING for p in products]),
        ComparisonRow(label="Category", values=[category_label(p.category) for p in products]),
    ]
    for key in key_attributes(products):
        values = [attribute_value(p, key) or MISSING for p in products]
        rows.append(ComparisonRow(label=attribute_label(key), values=values))
    return ComparisonTable(
        product_ids=[p.id for p in products],
        positions=numbered[: len(products)],
        titles=[p.title for p in products],
        rows=rows,
    )


def _name(table: ComparisonTable, index: int) -> str:
    position = table.positions[index]
    short = shorten(table.titles[index])
    return f"#{position} {short}" if position else short


def price_summary(products: Sequence[Product]) -> str:
    """One sentence on which is cheapest and by how much."""
    ordered = sorted(products, key=lambda p: p.price)
    cheapest, dearest = ordered[0], ordered[-1]
    if cheapest.price == dearest.price:
        return "They cost the same."
    gap = money(dearest.price - cheapest.price)
    return f"The cheapest is {shorten(cheapest.title)}, {gap} less than the most expensive."


def comparison_text(table: ComparisonTable, products: Sequence[Product]) -> str:
    """The comparison as plain text lines (the chat reply)."""
    names = " vs ".join(_name(table, i) for i in range(len(table.titles)))
    lines = [f"Comparing {names}:"]
    lines += [f"- {row.label}: " + " | ".join(row.values) for row in table.rows]
    lines.append(price_summary(products))
    return "\n".join(lines)
