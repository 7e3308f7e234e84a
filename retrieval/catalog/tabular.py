"""Load a generic catalog from CSV or JSON Lines, given which column holds what."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from retrieval.catalog.categories import canonical_category
from retrieval.catalog.collect import (
    INVALID_JSON,
    CatalogLoad,
    PriceUnit,
    ProductCollector,
    clean_attributes,
    optional_text,
    parse_price,
    require_id,
    require_title,
)
from retrieval.catalog.errors import CatalogError
from retrieval.catalog.product import Product
from retrieval.catalog.taxonomy import derive_category

ColumnName = Annotated[str, Field(min_length=1, max_length=200)]
_INT = re.compile(r"-?(?:0|[1-9]\d{0,17})")
_FLOAT = re.compile(r"-?\d+\.\d+")
# Marks a JSONL line that is not JSON, so that it is counted rather than fatal.
_BAD_JSON = object()


class ColumnMapping(BaseModel):
    """Which column of a CSV/JSONL catalog holds which product field.

    Optional fields may be ``None`` when the file has no such column; any column not named here
    goes into the product's attributes. Without a category column the category is derived from
    the title.

    Example:
        >>> ColumnMapping(id="sku", title="name", price="price_cents", price_unit="cents").id
        'sku'
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: ColumnName = "id"
    title: ColumnName = "title"
    price: ColumnName = "price"
    description: ColumnName | None = "description"
    brand: ColumnName | None = "brand"
    category: ColumnName | None = "category"
    currency: ColumnName | None = "currency"
    color: ColumnName | None = "color"
    image_url: ColumnName | None = "image_url"
    price_unit: PriceUnit = "dollars"
    source: Annotated[str, Field(min_length=1, max_length=32)] | None = None
    """Recorded as each product's ``source``; defaults to the format name."""

    def field_columns(self) -> set[str]:
        """Every column mapped to a product field."""
        names = (
            self.id,
            self.title,
            self.price,
            self.description,
            self.brand,
            self.category,
            self.currency,
            self.color,
            self.image_url,
        )
        return {name for name in names if name is not None}


def load_tabular(
    path: Path, fmt: Literal["csv", "jsonl"], mapping: ColumnMapping | None = None
) -> CatalogLoad:
    """Load a CSV or JSONL catalog.

    Args:
        path: The file.
        fmt: ``"csv"`` (header row, comma-separated, UTF-8) or ``"jsonl"`` (one object a line).
        mapping: Column names; the defaults are ``id``, ``title``, ``price``, ... in dollars.

    Raises:
        CatalogError: The file cannot be read, or a CSV header lacks the id/title/price column.

    Example:
        >>> load_tabular(Path("shop.csv"), "csv", ColumnMapping(id="sku"))  # doctest: +SKIP
    """
    mapping = mapping or ColumnMapping()
    source = mapping.source or fmt
    build = partial(tabular_product, mapping=mapping, source=source)
    collector = ProductCollector(source)
    rows = _csv_rows(path, mapping) if fmt == "csv" else _jsonl_rows(path)
    try:
        for row in rows:
            if row is _BAD_JSON:
                collector.skip(INVALID_JSON)
            else:
                collector.add(row, build)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise CatalogError(f"cannot read {fmt} catalog {path}: {e}") from e
    return collector.result()


def _csv_rows(path: Path, mapping: ColumnMapping) -> Iterator[object]:
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as e:
        raise CatalogError(f"cannot open CSV catalog {path}: {e}") from e
    with handle:
        reader = csv.DictReader(handle)
        header = set(reader.fieldnames or ())
        missing = sorted({mapping.id, mapping.title, mapping.price} - header)
        if missing:
            raise CatalogError(f"{path} has no column(s) {', '.join(missing)}")
        for row in reader:
            yield {k: v for k, v in row.items() if isinstance(k, str)}


def _jsonl_rows(path: Path) -> Iterator[object]:
    try:
        handle = path.open(encoding="utf-8-sig")
    except OSError as e:
        raise CatalogError(f"cannot open JSONL catalog {path}: {e}") from e
    with handle:
        for line in handle:
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                yield _BAD_JSON


def _cell(value: object) -> object:
    """A CSV cell as a typed value: integers and decimals become numbers, blanks disappear."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if not text:
        return None
    if _INT.fullmatch(text):
        return int(text)
    if _FLOAT.fullmatch(text):
        return float(text)
    return text


def tabular_product(row: Mapping[str, object], mapping: ColumnMapping, source: str) -> Product:
    """One CSV/JSONL row as a :class:`Product`.

    Raises:
        RowRejected: The row has no id, no title or no usable price.
    """

    def text(column: str | None, max_chars: int) -> str:
        return optional_text(row.get(column), max_chars) if column else ""

    product_id = require_id(row.get(mapping.id))
    title = require_title(row.get(mapping.title))
    price = parse_price(row.get(mapping.price), mapping.price_unit)
    taken = mapping.field_columns()
    attributes = clean_attributes((k, _cell(v)) for k, v in row.items() if k not in taken)
    raw_category = text(mapping.category, 200)
    category = canonical_category(raw_category) if raw_category else None
    return Product(
        id=product_id,
        title=title,
        description=text(mapping.description, 5000),
        brand=text(mapping.brand, 200),
        category=category or derive_category(title, attributes),
        price=price,
        currency=(text(mapping.currency, 100) or "USD").upper(),
        color=text(mapping.color, 100),
        attributes=attributes,
        image_url=text(mapping.image_url, 2000),
        source=source,
    )
