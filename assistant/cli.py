"""The ``shopbot`` command line: ingest, index, search, serve."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import typer

from assistant.config import Settings
from assistant.replies import money
from assistant.wiring import Services
from retrieval.catalog.loading import format_category_report
from retrieval.filters import SearchFilters

app = typer.Typer(help="Shopbot: a conversational shopping assistant.", no_args_is_help=True)
Format = Literal["icecat", "dummyjson", "csv", "jsonl"]


def _services() -> Services:
    logging.basicConfig(level=logging.WARNING)
    return Services(Settings())


@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="Catalog file or folder.")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="icecat | dummyjson | csv | jsonl")
    ] = None,
) -> None:
    """Load a catalog into the products table (upsert by id); prints what was loaded."""
    if fmt is not None and fmt not in ("icecat", "dummyjson", "csv", "jsonl"):
        raise typer.BadParameter("format must be icecat, dummyjson, csv or jsonl")
    services = _services()
    report = services.ingest(path, fmt)
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
