"""One entry point for every catalog source: ``load_catalog(path, fmt)``.

Example:
    >>> load = load_catalog(bundled_catalog_path())  # doctest: +SKIP
    >>> load.report.loaded, load.report.category_counts["laptop"]  # doctest: +SKIP
    (19406, ...)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from retrieval.catalog.collect import CatalogLoad, LoadReport
from retrieval.catalog.dummyjson import load_dummyjson
from retrieval.catalog.errors import CatalogError
from retrieval.catalog.icecat import load_icecat
from retrieval.catalog.report import format_category_report
from retrieval.catalog.tabular import ColumnMapping, load_tabular

CatalogFormat = Literal["icecat", "dummyjson", "csv", "jsonl"]

__all__ = [
    "CatalogFormat",
    "CatalogLoad",
    "ColumnMapping",
    "LoadReport",
    "bundled_catalog_path",
    "format_category_report",
    "guess_format",
    "load_catalog",
]


def bundled_catalog_path() -> Path:
    """The repository's bundled Icecat catalog directory (``data/icecat``)."""
    return Path(__file__).resolve().parents[2] / "data" / "icecat"


def load_catalog(
    path: Path, fmt: CatalogFormat | None = None, mapping: ColumnMapping | None = None
) -> CatalogLoad:
    """Load a catalog of any supported format.

    Bad rows are skipped and counted in ``report.skipped``; they never stop the load.

    Args:
        path: A directory of Icecat ``*.json.zip``, an Icecat ``.zip``/``.json``, a DummyJSON
            ``.json``, or a ``.csv``/``.jsonl`` file.
        fmt: The format; guessed from ``path`` when ``None``.
        mapping: Column names for ``csv``/``jsonl`` (ignored by the other formats).

    Returns:
        The products and the load report.

    Raises:
        CatalogError: The path cannot be read at all or its format cannot be told.
    """
    path = Path(path)
    fmt = fmt or guess_format(path)
    if fmt == "icecat":
        return load_icecat(path)
    if fmt == "dummyjson":
        return load_dummyjson(path)
    if fmt in ("csv", "jsonl"):
        return load_tabular(path, fmt, mapping)
    raise CatalogError(f"unknown catalog format: {fmt!r}")


def guess_format(path: Path) -> CatalogFormat:
    """The catalog format of ``path``, from its kind, suffix and (for ``.json``) first product.

    Raises:
        CatalogError: The path does not exist or its format cannot be told.

    Example:
        >>> guess_format(Path("shop.csv"))
        'csv'
    """
    name = path.name.lower()
    if name.endswith((".csv", ".tsv")):
        return "csv"
    if name.endswith((".jsonl", ".ndjson")):
        return "jsonl"
    if path.is_dir() or name.endswith(".zip"):
        return "icecat"
    if name.endswith(".json"):
        return _sniff_json(path)
    if not path.exists():
        raise CatalogError(f"catalog path does not exist: {path}")
    raise CatalogError(f"cannot tell the catalog format of {path}; pass fmt")


def _sniff_json(path: Path) -> CatalogFormat:
    """Icecat rows carry ``supplier``/``attr_*`` keys; DummyJSON rows ``category``/``brand``."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CatalogError(f"cannot read JSON catalog {path}: {e}") from e
    rows = data.get("products") if isinstance(data, dict) else data
    first = next((r for r in rows if isinstance(r, dict)), None) if isinstance(rows, list) else None
    if first is None:
        raise CatalogError(f"{path} holds no list of products")
    if "supplier" in first or any(str(k).startswith("attr_") for k in first):
        return "icecat"
    return "dummyjson"
