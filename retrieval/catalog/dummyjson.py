"""Load the DummyJSON product list (``data/dummyjson/products.json``).

The file is either a JSON list of products or an object with a ``products`` list. Prices are US
dollars. DummyJSON's own category is kept, mapped onto our slugs where one fits.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from retrieval.catalog.categories import canonical_category
from retrieval.catalog.collect import (
    CatalogLoad,
    ProductCollector,
    clean_attributes,
    optional_text,
    parse_price,
    require_id,
    require_title,
)
from retrieval.catalog.errors import CatalogError
from retrieval.catalog.product import AttributeValue, Product
from retrieval.catalog.taxonomy import derive_category

SOURCE = "dummyjson"

# DummyJSON categories whose products our title rules sort better than the category does.
_DERIVED_CATEGORIES = frozenset({"mobile-accessories"})

# DummyJSON field -> attribute name.
_ATTRIBUTE_FIELDS: dict[str, str] = {
    "rating": "rating",
    "stock": "stock",
    "warrantyInformation": "warranty",
    "returnPolicy": "return_policy",
    "sku": "sku",
    "discountPercentage": "discount_percentage",
    "availabilityStatus": "availability",
    "shippingInformation": "shipping",
    "minimumOrderQuantity": "minimum_order_quantity",
    "weight": "weight",
    "tags": "tags",
}


def load_dummyjson(path: Path) -> CatalogLoad:
    """Load DummyJSON products from ``path``.

    Raises:
        CatalogError: The file is missing, not JSON, or holds no product list.

    Example:
        >>> load_dummyjson(Path("data/dummyjson/products.json")).report.loaded  # doctest: +SKIP
        194
    """
    try:
        data = json.loads(path.read_bytes())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CatalogError(f"cannot read DummyJSON file {path}: {e}") from e
    if isinstance(data, dict):
        data = data.get("products")
    if not isinstance(data, list):
        raise CatalogError(f"{path} holds no list of products")
    collector = ProductCollector(SOURCE)
    for row in data:
        collector.add(row, dummyjson_product)
    return collector.result()


def dummyjson_category(raw: object, title: str) -> str:
    """Our slug for a DummyJSON category ("laptops" -> "laptop", "groceries" -> "groceries").

    Example:
        >>> dummyjson_category("smartphones", "iPhone 9")
        'phone'
    """
    slug = canonical_category(raw) if isinstance(raw, str) else None
    if slug is None or slug in _DERIVED_CATEGORIES:
        derived = derive_category(title)
        return derived if derived != "other" or slug is None else slug
    return slug


def dummyjson_attributes(row: Mapping[str, object]) -> dict[str, AttributeValue]:
    """The DummyJSON fields kept as attributes (rating, stock, warranty, return policy, ...)."""
    pairs: list[tuple[str, object]] = [
        (name, row.get(field)) for field, name in _ATTRIBUTE_FIELDS.items()
    ]
    dimensions = row.get("dimensions")
    if isinstance(dimensions, Mapping):
        pairs += [(f"{k}", dimensions.get(k)) for k in ("width", "height", "depth")]
    return clean_attributes(pairs)


def _image_url(row: Mapping[str, object]) -> str:
    images = row.get("images")
    if isinstance(images, list) and images and isinstance(images[0], str):
        return images[0][:2000]
    return optional_text(row.get("thumbnail"), 2000)


def dummyjson_product(row: Mapping[str, object]) -> Product:
    """One DummyJSON row as a :class:`Product`.

    Raises:
        RowRejected: The row has no id, no title or no usable price.
    """
    product_id = require_id(row.get("id"))
    title = require_title(row.get("title"))
    price = parse_price(row.get("price"), "dollars")
    return Product(
        id=product_id,
        title=title,
        description=optional_text(row.get("description")),
        brand=optional_text(row.get("brand"), 200),
        category=dummyjson_category(row.get("category"), title),
        price=price,
        currency="USD",
        attributes=dummyjson_attributes(row),
        image_url=_image_url(row),
        source=SOURCE,
    )
