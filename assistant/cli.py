"""The ``shopbot`` command line: ingest, index, search, serve."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import typer
from pydantic import ValidationError

from assistant.config import Settings
from assistant.replies import money
from assistant.wiring import Services
from retrieval.catalog.errors import CatalogError
from retrieval.catalog.loading import ColumnMapping, format_category_report
from retrieval.filters import SearchFilters

app = typer.Typer(help="Shopbot: a conversational shopping assistant.", no_args_is_help=True)
Format = Literal["icecat", "dummyjson", "csv", "jsonl"]


def _services() -> Services:
    logging.basicConfig(level=logging.WARNING)
    return Services(Settings())


def parse_mapping(pairs: list[str] | None) -> ColumnMapping | None:
    """``["title=name", "price_unit=cents"]`` -> a :class:`ColumnMapping` (``None`` if empty)."""
    if not pairs:
        return None
    fields: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"expected FIELD=COLUMN, got {pair!r}", param_hint="--map")
        fields[key.strip()] = value.strip()
    try:
        return ColumnMapping.model_validate(fields)
    except ValidationError as e:
        raise typer.BadParameter(str(e), param_hint="--map") from e


@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="Catalog file or folder.")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="icecat | dummyjson | csv | jsonl")
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="CSV/JSONL column mapping, repeatable: FIELD=COLUMN (fields: id, title, price, "
            "description, brand, category, currency, color, image_url) or price_unit=cents.",
        ),
    ] = None,
) -> None:
    """Load a catalog into the products table (upsert by id); prints what was loaded."""
    if fmt is not None and fmt not in ("icecat", "dummyjson", "csv", "jsonl"):
        raise typer.BadParameter("format must be icecat, dummyjson, csv or jsonl")
    column_mapping = parse_mapping(mapping)
    services = _services()
    try:
        report = services.ingest(path, fmt, column_mapping)
    except CatalogError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(code=2) from e
    typer.echo(format_category_report(report))
    typer.echo("Run `shopbot index` to (re)build the vector index.")


@app.command()
def index() -> None:
    """Build or reconcile the vector index from the products table."""
    services = _services()
    report = services.build_index(show_progress=True)
    typer.echo(
        f"{report.total} products: {report.embedded} embedded, {report.unchanged} unchanged, "
        f"{report.deleted} removed in {report.seconds:.1f}s "
        f"({report.products_per_second:.0f} products/s)"
    )


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option(min=1, max=50)] = 10,
    category: Annotated[str | None, typer.Option()] = None,
    brand: Annotated[list[str] | None, typer.Option(help="Repeatable.")] = None,
    price_max: Annotated[float | None, typer.Option(min=0)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Search the indexed catalog."""
    filters = SearchFilters(
        category=category,
        brands=brand or [],
        price_max=None if price_max is None else Decimal(str(price_max)),
    )
    cards = _services().assistant.search(query, filters, k)
    if as_json:
        typer.echo(json.dumps([c.model_dump(mode="json") for c in cards], indent=2))
        return
    for i, card in enumerate(cards, start=1):
        typer.echo(f"{i:>2}. {money(card.price):>11}  {card.title[:90]}  [{card.score:.3f}]")


@app.command()
def serve() -> None:
    """Start the app (first run loads the bundled catalog and builds the index)."""
    from app import main

    main(Settings())


if __name__ == "__main__":
    app()
