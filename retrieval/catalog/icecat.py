"""Load the Open Icecat catalog (Chorus' JSON dump): a directory of zips, one zip or a JSON file.

See ``data/icecat/SOURCE.md`` for the fields. Prices are US cents (a number or a numeric string).
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path

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

SOURCE = "icecat"
_ATTRIBUTE_PREFIXES = ("attr_t_", "attr_n_", "attr_b_")


def load_icecat(path: Path) -> CatalogLoad:
    """Load Icecat products from a directory of ``*.json.zip``, a ``.zip`` or a ``.json`` file.

    Args:
        path: The directory, zip or JSON file.

    Returns:
        The products (category derived from the title and attributes) and the load report.

    Raises:
        CatalogError: The path is missing, a file is not a readable zip or JSON list.

    Example:
        >>> load = load_icecat(Path("data/icecat/1.json.zip"))  # doctest: +SKIP
        >>> load.report.loaded  # doctest: +SKIP
        5000
    """
    collector = ProductCollector(SOURCE)
    for row in iter_icecat_rows(path):
        collector.add(row, icecat_product)
    return collector.result()


def iter_icecat_rows(path: Path) -> Iterator[object]:
    """Every raw row of the catalog at ``path``, file by file in name order."""
    for file in _icecat_files(path):
        if file.suffix.lower() == ".zip":
            yield from _rows_from_zip(file)
        else:
            yield from _rows_from_json(file.name, _read_bytes(file))


def _icecat_files(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(path.glob("*.json.zip")) or sorted(path.glob("*.json"))
        if not files:
            raise CatalogError(f"no *.json.zip or *.json files in {path}")
        return files
    if path.is_file():
        return [path]
    raise CatalogError(f"catalog path does not exist: {path}")


def _read_bytes(file: Path) -> bytes:
    try:
        return file.read_bytes()
    except OSError as e:
        raise CatalogError(f"cannot read {file}: {e}") from e


def _rows_from_zip(file: Path) -> Iterator[object]:
    try:
        with zipfile.ZipFile(file) as archive:
            members = sorted(n for n in archive.namelist() if n.lower().endswith(".json"))
            if not members:
                raise CatalogError(f"{file} holds no .json file")
            blobs = [(name, archive.read(name)) for name in members]
    except (zipfile.BadZipFile, OSError, RuntimeError) as e:
        raise CatalogError(f"cannot read zip {file}: {e}") from e
    for name, blob in blobs:
        yield from _rows_from_json(f"{file.name}:{name}", blob)


def _rows_from_json(name: str, blob: bytes) -> list[object]:
    try:
        data = json.loads(blob)
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CatalogError(f"{name} is not valid JSON: {e}") from e
    if isinstance(data, dict) and isinstance(data.get("products"), list):
        data = data["products"]
    if not isinstance(data, list):
        raise CatalogError(f"{name} does not hold a JSON list of products")
    return data


def icecat_attributes(row: Mapping[str, object]) -> dict[str, AttributeValue]:
    """The ``attr_*`` fields with their prefix stripped, plus part number, EAN and release date.

    Example:
        >>> icecat_attributes({"name": "CE285A", "ean": ["0884962"], "attr_n_weight": 9.5})
        {'weight': 9.5, 'part_number': 'CE285A', 'ean': '0884962'}
    """
    pairs: list[tuple[str, object]] = []
    for key, value in row.items():
        for prefix in _ATTRIBUTE_PREFIXES:
            if key.startswith(prefix):
                pairs.append((key[len(prefix) :], value))
                break
    ean = row.get("ean")
    first_ean = ean[0] if isinstance(ean, list) and ean else ean
    pairs += [
        ("part_number", row.get("name")),
        ("ean", str(first_ean) if isinstance(first_ean, str | int) else None),
        ("date_released", row.get("date_released")),
    ]
    return clean_attributes(pairs)


def icecat_product(row: Mapping[str, object]) -> Product:
    """One Icecat row as a :class:`Product`.

    Raises:
        RowRejected: The row has no id, no title or no usable price.
    """
    product_id = require_id(row.get("id"))
    title = require_title(row.get("title"))
    price = parse_price(row.get("price"), "cents")
    attributes = icecat_attributes(row)
    return Product(
        id=product_id,
        title=title,
        description=optional_text(row.get("short_description")),
        brand=optional_text(row.get("supplier"), 200),
        category=derive_category(title, attributes),
        price=price,
        currency="USD",
        color=optional_text(row.get("attr_t_product_colour"), 100),
        attributes=attributes,
        image_url=optional_text(row.get("img_500x500"), 2000),
        source=SOURCE,
    )
