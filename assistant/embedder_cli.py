"""``shopbot embedder export``: make the ONNX (and int8) encoder files ahead of first use."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from assistant.config import Settings
from retrieval.onnx_export import OnnxExportError, ensure_exported

embedder_app = typer.Typer(help="The sentence encoder's ONNX export (issue 8).")


@embedder_app.command("export")
def export(
    model: Annotated[
        Path | None, typer.Option("--model", help="Model folder (default: the model_path setting).")
    ] = None,
    cache_dir: Annotated[
        Path | None,
        typer.Option("--cache-dir", help="Where exports live (default: onnx_cache_dir)."),
    ] = None,
    int8: Annotated[bool, typer.Option("--int8/--no-int8", help="Also quantise to int8.")] = True,
    force: Annotated[bool, typer.Option("--force", help="Export again even if cached.")] = False,
) -> None:
    """Export the encoder to ONNX from the same weights (cached by fingerprint); prints paths."""
    logging.basicConfig(level=logging.WARNING)
    settings = Settings()
    source = model or Path(settings.model_path)
    try:
        report = ensure_exported(
            source, cache_dir or settings.onnx_cache_dir, int8=int8, force=force
        )
    except OnnxExportError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(code=2) from e
    typer.echo(f"model: {source}\nfingerprint: {report.fingerprint}")
    typer.echo(f"onnx: {report.fp32}{_took('exported', report.export_seconds)}")
    if report.int8 is not None:
        typer.echo(f"onnx-int8: {report.int8}{_took('quantised', report.quantize_seconds)}")
    if not report.export_seconds and not report.quantize_seconds:
        typer.echo("already exported (use --force to export again)")
    typer.echo("Select it with SHOPBOT_EMBEDDER_BACKEND=onnx or onnx-int8.")


def _took(what: str, seconds: float) -> str:
    return f" ({what} in {seconds:.1f}s)" if seconds else ""
