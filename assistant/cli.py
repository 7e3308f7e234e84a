"""The ``shopbot`` command line: ingest, index, search, serve."""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

import typer
from pydantic import ValidationError

from assistant.api_keys_cli import keys_app
from assistant.config import REPO_ROOT, Settings
from assistant.embedder_cli import embedder_app
from assistant.intents.cli import intents_app
from assistant.replies import money
from assistant.support.demo_cli import demo_app
from assistant.support.staff_cli import staff_app
from assistant.wiring import Services
from ranking.cli_ctr import ctr_app
from ranking.cli_sim import sim_app
from retrieval.catalog.errors import CatalogError
from retrieval.catalog.loading import ColumnMapping, format_category_report
from retrieval.filters import SearchFilters

app = typer.Typer(help="Shopbot: a conversational shopping assistant.", no_args_is_help=True)
Format = Literal["icecat", "dummyjson", "csv", "jsonl"]
DEFAULT_FINETUNED = REPO_ROOT / "var" / "models" / "minilm-icecat"


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
    """Build or reconcile the vector and lexical (BM25) indexes from the products table."""
    services = _services()
    report = services.build_index(show_progress=True)
    typer.echo(
        f"vector index: {report.total} products: {report.embedded} embedded, "
        f"{report.unchanged} unchanged, {report.deleted} removed in {report.seconds:.1f}s "
        f"({report.products_per_second:.0f} products/s)"
    )
    if report.lexical is not None:
        lexical = report.lexical
        state = "rebuilt" if lexical.rebuilt else "unchanged"
        typer.echo(
            f"lexical index: {lexical.documents} products {state} in {lexical.seconds:.1f}s; "
            f"total {report.total_seconds:.1f}s"
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


@app.command("train-encoder")
def train_encoder(
    out: Annotated[Path, typer.Option(help="Model folder to write.")] = DEFAULT_FINETUNED,
    base: Annotated[str | None, typer.Option(help="Base model folder (default: settings).")] = None,
    epochs: Annotated[int, typer.Option(min=1, max=20)] = 1,
    max_pairs: Annotated[int, typer.Option(min=10)] = 7500,
    batch_size: Annotated[int, typer.Option(min=2, max=512)] = 32,
    learning_rate: Annotated[float, typer.Option(min=1e-7, max=1e-2)] = 3e-5,
    max_doc_length: Annotated[int, typer.Option(min=8, max=512)] = 64,
    max_seconds: Annotated[float, typer.Option(min=1, help="Wall-time cap.")] = 600.0,
    seed: Annotated[int, typer.Option()] = 13,
    threads: Annotated[
        int, typer.Option(min=0, help="Torch threads; 1 is fastest on a busy CPU.")
    ] = 1,
) -> None:
    """Fine-tune the encoder on query/product pairs mined from the catalog (no eval queries)."""
    from retrieval.finetune.run import FineTuneRequest, catalog_products, fine_tune
    from retrieval.finetune.train import TrainConfig

    services = _services()
    settings = services.settings
    config = TrainConfig(
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        max_doc_length=max_doc_length,
        max_seconds=max_seconds,
        seed=seed,
        threads=threads,
    )
    request = FineTuneRequest(
        base_model=Path(base or settings.model_path),
        output_dir=out,
        max_pairs=max_pairs,
        train=config,
    )
    products = catalog_products(services.products, settings.catalog_path)
    report = fine_tune(products, request, lambda step, loss: _log_step(step, loss))
    typer.echo(
        f"{report.steps} steps in {report.seconds:.0f}s on {report.train_pairs} pairs; held-out "
        f"top-1 {report.valid_top1_before:.3f} -> {report.valid_top1_after:.3f}. Saved to {out}.\n"
        f"Use it: SHOPBOT_MODEL_PATH={out} with a fresh SHOPBOT_CHROMA_PATH, then `shopbot index`."
    )


def _log_step(step: int, loss: float) -> None:
    if step % 25 == 0:
        typer.echo(f"step {step}: loss {loss:.4f}")


eval_app = typer.Typer(help="Offline evaluations.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")
app.add_typer(intents_app, name="intents")
app.add_typer(sim_app)  # shopbot simulate | experiment
app.add_typer(ctr_app, name="ctr")
app.add_typer(demo_app, name="demo")  # shopbot demo seed | token | customers
app.add_typer(staff_app, name="staff")  # shopbot staff create | list | disable | enable | password
app.add_typer(keys_app, name="keys")  # shopbot keys create | list | revoke (issue 7)
app.add_typer(embedder_app, name="embedder")  # shopbot embedder export (issue 8)
EVAL_DIR = REPO_ROOT / "data" / "eval"
REPORT_DIR = REPO_ROOT / "reports" / "retrieval"


def _eval_notes(services: Services, tuned: Services | None) -> list[str]:
    """The settings a retrieval report's numbers depend on, recorded in the report."""
    s = services.settings
    notes = [
        f"model_path={s.model_path}",
        f"fusion: rrf_k={s.fusion_rrf_k} dense_weight={s.fusion_dense_weight} "
        f"lexical_weight={s.fusion_lexical_weight} candidates_k={s.candidates_k}",
        f"full = hybrid + DiversifiedRanker(max_per_brand={s.max_per_brand})",
    ]
    if tuned is not None:
        notes.append(f"fine-tuned: model_path={tuned.settings.model_path}")
    return notes


def _finetuned_services(services: Services, model: Path, chroma: Path | None) -> Services:
    """Services that embed with ``model`` into their own Chroma directory (kept in sync)."""
    s = services.settings
    tuned = Services(
        s.model_copy(
            update={
                "model_path": str(model),
                "chroma_path": chroma or s.chroma_path.with_name(f"chroma-{model.name}"),
                "lexical_path": s.lexical_dir,
            }
        )
    )
    tuned.build_index(show_progress=True)
    return tuned


@eval_app.command("retrieval")
def eval_retrieval(
    queries: Annotated[Path, typer.Option(help="qid<TAB>query")] = EVAL_DIR / "queries.tsv",
    qrels: Annotated[Path, typer.Option(help="TREC qrels")] = EVAL_DIR / "qrels.tsv",
    split: Annotated[str, typer.Option(help="tune | test | all")] = "test",
    split_file: Annotated[Path, typer.Option(help="qid<TAB>part<TAB>type")] = EVAL_DIR
    / "split.tsv",
    systems: Annotated[str, typer.Option(help="Comma-separated.")] = "bm25,dense,hybrid,full",
    model: Annotated[Path | None, typer.Option(help="Fine-tuned model: adds *-ft.")] = None,
    model_chroma: Annotated[Path | None, typer.Option(help="Its Chroma dir.")] = None,
    k: Annotated[int, typer.Option(min=1, max=1000, help="Retrieval depth.")] = 50,
    json_out: Annotated[Path, typer.Option()] = REPORT_DIR / "report.json",
    png_out: Annotated[Path, typer.Option()] = REPORT_DIR / "chart.png",
    per_query: Annotated[bool, typer.Option(help="Print the per-query table.")] = True,
) -> None:
    """nDCG@10, Recall@50 and MRR@10 per system on a judged query set (TREC TSV files)."""
    from ranking.rerank import DiversifiedRanker
    from retrieval.evaluation import report as rep
    from retrieval.evaluation.errors import EvaluationError
    from retrieval.evaluation.suite import EvaluationRequest, evaluate
    from retrieval.evaluation.systems import FINETUNED_SYSTEMS, build_systems

    logging.basicConfig(level=logging.WARNING)
    # "hybrid" and "full" are the fused retriever whatever the app's retrieval_mode is.
    services = Services(Settings(retrieval_mode="hybrid"))
    names = [n.strip() for n in systems.split(",") if n.strip()]
    tuned = None
    if model is not None:
        if not (model / "config.json").is_file():
            raise typer.BadParameter(f"no model folder at {model}", param_hint="--model")
        names += [n for n in FINETUNED_SYSTEMS if n not in names]
        tuned = _finetuned_services(services, model, model_chroma)
    ranker = DiversifiedRanker(max_per_brand=services.settings.max_per_brand)
    try:
        built = build_systems(services, names, ranker=ranker, finetuned=tuned, depth=max(k, 100))
    except EvaluationError as e:
        raise typer.BadParameter(str(e), param_hint="--systems") from e
    request = EvaluationRequest(
        queries=queries, qrels=qrels, split_file=split_file, part=split, depth=k
    )
    try:
        report = evaluate(request, built, notes=_eval_notes(services, tuned))
    except EvaluationError as e:
        typer.echo(f"Error: {e}", err=True)
        raise typer.Exit(code=2) from e
    rep.write_json(report, json_out)
    rep.write_chart(report, png_out)
    if per_query:
        typer.echo(rep.format_per_query(report) + "\n")
    typer.echo(rep.format_summary(report))
    typer.echo(f"Report: {json_out}  Chart: {png_out}")


@app.command()
def serve() -> None:
    """Start the app (first run loads the bundled catalog and builds the index)."""
    from app import main

    main(Settings())


if __name__ == "__main__":
    app()
