"""``shopbot ctr train`` and ``shopbot ctr evaluate``: cross-validated CTR models."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Annotated, Any, cast

import numpy as np
import typer

from assistant.config import REPO_ROOT, Settings
from ranking.evaluate import ModelEvaluation, format_table, plot_calibration

ctr_app = typer.Typer(
    help="CTR models: train with cross-validation, evaluate.", no_args_is_help=True
)
DEFAULT_REPORTS = REPO_ROOT / "reports" / "ctr"
EVALUATION = "evaluation.json"
OUT_OF_FOLD = "out_of_fold.npz"
CALIBRATION = "calibration.png"
log = logging.getLogger(__name__)


def _model_names(value: str) -> list[str]:
    from ranking.models import MODELS

    names = [n.strip() for n in value.split(",") if n.strip()]
    unknown = [n for n in names if n not in MODELS]
    if not names or unknown:
        raise typer.BadParameter(f"choose from {', '.join(MODELS)}", param_hint="--models")
    return names


def _write_report(directory: Path, payload: dict[str, Any], cv: Any) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / EVALUATION).write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    np.savez_compressed(directory / OUT_OF_FOLD, labels=cv.labels, **cv.out_of_fold)
    plot_calibration(cv.labels, cv.out_of_fold, directory / CALIBRATION)


@ctr_app.command()
def train(
    folds: Annotated[int, typer.Option(min=2, max=20, help="Cross-validation folds.")] = 5,
    epochs: Annotated[int, typer.Option(min=1, help="Maximum epochs per fit.")] = 10,
    patience: Annotated[int, typer.Option(min=1, help="Early-stopping patience.")] = 2,
    source: Annotated[str, typer.Option(help="simulated | live | all")] = "simulated",
    models: Annotated[str, typer.Option(help="Comma-separated models.")] = "baseline,logreg,deep",
    serve: Annotated[
        str | None, typer.Option(help="Model to save for serving (default: best mean AUC).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of folds, shuffles and weights.")] = 13,
    batch_size: Annotated[int, typer.Option(min=16, help="Minibatch size.")] = 512,
    output: Annotated[
        Path | None, typer.Option(help="Model root (default SHOPBOT_CTR_MODEL_PATH).")
    ] = None,
    reports: Annotated[Path, typer.Option(help="Where evaluation files go.")] = DEFAULT_REPORTS,
) -> None:
    """Cross-validate each model, then fit the chosen one on all rows and save it."""
    import torch

    from assistant.wiring import Services
    from ranking.artifact import save_artifact
    from ranking.dataset import SourceFilter, load_training_rows
    from ranking.train import TrainSettings, choose_model, cross_validate, fit_final

    if source not in ("simulated", "live", "all"):
        raise typer.BadParameter("simulated | live | all", param_hint="--source")
    names = _model_names(models)
    if serve is not None and serve not in names:
        raise typer.BadParameter("must be one of --models", param_hint="--serve")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings()
    torch.set_num_threads(settings.torch_threads or 2)
    services = Services(settings)
    started = time.perf_counter()
    try:
        rows = load_training_rows(services, cast(SourceFilter, source))
    except ValueError as e:
        raise typer.BadParameter(str(e), param_hint="--source") from e
    finally:
        services.close()
    train_settings = TrainSettings(
        folds=folds, epochs=epochs, patience=patience, seed=seed, batch_size=batch_size
    )
    cv = cross_validate(rows, names, train_settings)
    chosen = serve or choose_model(cv.evaluations)
    fitted = fit_final(rows, chosen, train_settings)
    metrics = {e.model: e.model_dump(exclude={"folds"}) for e in cv.evaluations}
    root = output or settings.ctr_model_path
    path = save_artifact(root, chosen, fitted.model, fitted.config, fitted.encoders, metrics)
    payload = {
        "source": source,
        "rows": len(rows),
        "sessions": len(set(rows.sessions)),
        "positives": int(rows.labels.sum()),
        "settings": train_settings.model_dump(),
        "models": [e.model_dump() for e in cv.evaluations],
        "served": {"model": chosen, "artifact": str(path), "epochs": fitted.epochs},
        "seconds": round(time.perf_counter() - started, 1),
    }
    _write_report(reports, payload, cv)
    typer.echo(format_table(cv.evaluations))
    typer.echo(f"{len(rows)} impressions, {payload['sessions']} sessions, {folds} folds")
    typer.echo(f"served: {chosen} -> {path}  ({payload['seconds']} s)")


@ctr_app.command()
def evaluate(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    reports: Annotated[Path, typer.Option(help="Where train wrote its files.")] = DEFAULT_REPORTS,
) -> None:
    """Per model: AUC, logloss and session AUC (mean ± std over held-out folds) + calibration."""
    path = reports / EVALUATION
    if not path.is_file():
        typer.echo(f"no evaluation at {path}; run `shopbot ctr train` first", err=True)
        raise typer.Exit(code=1)
    payload = json.loads(path.read_text(encoding="utf-8"))
    evaluations = [ModelEvaluation.model_validate(m) for m in payload["models"]]
    out_of_fold = reports / OUT_OF_FOLD
    if out_of_fold.is_file():
        with np.load(out_of_fold) as saved:
            predictions = {e.model: saved[e.model] for e in evaluations if e.model in saved}
            plot_calibration(saved["labels"], predictions, reports / CALIBRATION)
    if as_json:
        typer.echo(json.dumps(payload, indent=2))
        return
    typer.echo(format_table(evaluations))
    typer.echo(
        f"{payload['rows']} impressions, {payload['sessions']} sessions ({payload['source']})"
    )
    typer.echo(f"served: {payload['served']['model']}; calibration: {reports / CALIBRATION}")
