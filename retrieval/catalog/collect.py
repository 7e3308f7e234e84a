"""What every loader shares: the load report, row checks and the collector of products."""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from retrieval.catalog.errors import RowRejected
from retrieval.catalog.product import AttributeValue, Product

PriceUnit = Literal["dollars", "cents"]

# Skip reasons, the keys of ``LoadReport.skipped``.
NOT_AN_OBJECT = "not_an_object"
MISSING_ID = "missing_id"
MISSING_TITLE = "missing_title"
MISSING_PRICE = "missing_price"
UNPARSABLE_PRICE = "unparsable_price"
NEGATIVE_PRICE = "negative_price"
DUPLICATE_ID = "duplicate_id"
INVALID = "invalid"
INVALID_JSON = "invalid_json"

_CENT = Decimal("0.01")
_MAX_ID_CHARS = 64
_MAX_TITLE_CHARS = 1000
_MAX_DESCRIPTION_CHARS = 5000


class LoadReport(BaseModel):
    """What a catalog load read, kept and skipped.

    Example:
        >>> LoadReport(source="icecat", rows_read=3, loaded=2, skipped={"missing_title": 1})
        ... # doctest: +ELLIPSIS
        LoadReport(source='icecat', rows_read=3, loaded=2, ...)
    """

    source: str
    rows_read: int = 0
    loaded: int = 0
    skipped: dict[str, int] = Field(default_factory=dict)
    category_counts: dict[str, int] = Field(default_factory=dict)

    @property
    def skipped_total(self) -> int:
        """How many rows were skipped, all reasons together."""
        return sum(self.skipped.values())


class CatalogLoad(BaseModel):
    """The products of one load and its report.

    Example:
        >>> CatalogLoad(products=[], report=LoadReport(source="csv")).report.loaded
        0
    """

    model_config = ConfigDict(frozen=True)

    products: list[Product]
    report: LoadReport


def require_id(value: object) -> str:
    """The row's id as a string, or :class:`RowRejected` ``missing_id``."""
    if isinstance(value, bool) or value is None:
        raise RowRejected(MISSING_ID)
    if isinstance(value, int | str):
        text = str(value).strip()
        if text and len(text) <= _MAX_ID_CHARS:
            return text
        raise RowRejected(MISSING_ID if not text else INVALID)
    raise RowRejected(MISSING_ID)


def require_title(value: object) -> str:
    """The row's title, stripped and capped, or :class:`RowRejected` ``missing_title``."""
    if not isinstance(value, str) or not value.strip():
        raise RowRejected(MISSING_TITLE)
    return value.strip()[:_MAX_TITLE_CHARS]


def optional_text(value: object, max_chars: int = _MAX_DESCRIPTION_CHARS) -> str:
    """A free-text field: strings are stripped and capped, anything else becomes ``""``."""
    return value.strip()[:max_chars] if isinstance(value, str) else ""


def parse_price(value: object, unit: PriceUnit = "dollars") -> Decimal:
    """A price in dollars with two decimals.

    Args:
        value: A number or numeric string (``4995``, ``"4995"``, ``"49.95"``, ``" $49.95 "``).
        unit: Whether ``value`` counts dollars or cents.

    Raises:
        RowRejected: ``missing_price``, ``unparsable_price`` or ``negative_price``.

    Example:
        >>> parse_price("4995", "cents")
        Decimal('49.95')
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RowRejected(MISSING_PRICE)
    if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
        raise RowRejected(UNPARSABLE_PRICE)
    if isinstance(value, float) and not math.isfinite(value):
        raise RowRejected(UNPARSABLE_PRICE)
    text = (
        str(value).strip().removeprefix("$").replace(",", "") if isinstance(value, str) else value
    )
    try:
        amount = Decimal(str(text))
    except InvalidOperation as e:
        raise RowRejected(UNPARSABLE_PRICE) from e
    if not amount.is_finite():
        raise RowRejected(UNPARSABLE_PRICE)
    if amount < 0:
        raise RowRejected(NEGATIVE_PRICE)
    if unit == "cents":
        amount = amount / 100
    return amount.quantize(_CENT, rounding=ROUND_HALF_UP)


def attribute_value(value: object) -> AttributeValue | None:
    """A JSON-ish value as a product attribute; ``None`` when there is nothing to keep."""
    if value is None:
        return None
    if isinstance(value, bool | int | str):
        return value.strip() or None if isinstance(value, str) else value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return ", ".join(str(v) for v in value) or None
    return json.dumps(value, ensure_ascii=False, default=str)


def clean_attributes(pairs: Iterable[tuple[str, object]]) -> dict[str, AttributeValue]:
    """Attributes with empty values dropped; the first occurrence of a key wins."""
    attributes: dict[str, AttributeValue] = {}
    for key, raw in pairs:
        value = attribute_value(raw)
        if key and value is not None:
            attributes.setdefault(key, value)
    return attributes


class ProductCollector:
    """Turns raw rows into products, skipping and counting the bad ones.

    Example:
        >>> collector = ProductCollector("csv")
        >>> collector.add({"id": "1"}, lambda row: Product(
        ...     id=str(row["id"]), title="Cable", price="1", source="csv"))
        >>> collector.result().report.loaded
        1
    """

    def __init__(self, source: str) -> None:
        self._source = source
        self._products: list[Product] = []
        self._seen: set[str] = set()
        self._rows_read = 0
        self._skipped: Counter[str] = Counter()

    def skip(self, reason: str) -> None:
        """Count a row that was read but could not even be handed to a builder."""
        self._rows_read += 1
        self._skipped[reason] += 1

    def add(self, row: object, build: Callable[[Mapping[str, object]], Product]) -> None:
        """Build a product from ``row`` and keep it, or count why it was skipped."""
        self._rows_read += 1
        if not isinstance(row, Mapping):
            self._skipped[NOT_AN_OBJECT] += 1
            return
        try:
            product = build(row)
        except RowRejected as e:
            self._skipped[e.reason] += 1
            return
        except (ValidationError, ValueError, TypeError, ArithmeticError):
            self._skipped[INVALID] += 1
            return
        if product.id in self._seen:
            self._skipped[DUPLICATE_ID] += 1
            return
        self._seen.add(product.id)
        self._products.append(product)

    def result(self) -> CatalogLoad:
        """The products kept so far and the report."""
        counts = Counter(p.category for p in self._products)
        report = LoadReport(
            source=self._source,
            rows_read=self._rows_read,
            loaded=len(self._products),
            skipped=dict(sorted(self._skipped.items())),
            category_counts=dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))),
        )
        return CatalogLoad(products=list(self._products), report=report)
