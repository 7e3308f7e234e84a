"""``shopbot intents …``: map the Bitext data, train the shipped model, cross-validate it.

Example:
    $ shopbot intents train        # writes assistant/intents/model/
    $ shopbot intents evaluate     # writes reports/intents/report.json and confusion.png
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Annotated

import typer

from assistant.config import REPO_ROOT, Settings
from assistant.intents.data import (
    BITEXT_FILE,
    load_training_set,
    map_bitext,
    training_summary,
    write_bitext_csv,
)
from assistant.intents.errors import IntentError
from assistant.intents.training import TrainingConfig
from retrieval.embedder import TransformerEmbedder

intents_app = typer.Typer(help="The trained intent classifier.", no_args_is_help=True)
DEFAULT_CACHE = REPO_ROOT / "var" / "intents"
DEFAULT_REPORT_DIR = REPO_ROOT / "reports" / "intents"

DataOption = Annotated[Path | None, typer.Option(help="Training data folder.")]
CacheOption = Annotated[Path, typer.Option(help="Embedding cache folder.")]


def _embedder(settings: Settings) -> TransformerEmbedder:
    return TransformerEmbedder(
        settings.model_path,
        batch_size=settings.embed_batch_size,
        max_length=settings.embed_max_length,
        threads=settings.torch_threads,
    )


def _setup() -> Settings:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    return Settings()


@intents_app.command("map-bitext")
def map_bitext_command(
    source: Annotated[Path, typer.Argument(help="Bitext_Sample_..._Dataset.csv")],
    output: Annotated[Path | None, typer.Option(help="Target CSV.")] = None,
) -> None:
    """Map the raw Bitext CSV onto our labels (instruction, bitext_intent, label)."""
    settings = _setup()
    target = output or settings.intent_data_path / BITEXT_FILE
    try:
        count = write_bitext_csv(map_bitext(source), target)
    except (IntentError, OSError, KeyError) as e:
        raise typer.BadParameter(str(e)) from e
    typer.echo(f"wrote {count} rows to {target}")


@intents_app.command()
def train(
    data: DataOption = None,
    output: Annotated[Path | None, typer.Option(help="Model folder.")] = None,
    cache: CacheOption = DEFAULT_CACHE,
) -> None:
    """Train on all of data/intents and save the model (default: the shipped model folder)."""
    from assistant.intents.classifier import TrainedIntentClassifier
    from assistant.intents.embedding_cache import EmbeddingCache

    settings = _setup()
    data_dir, target = data or settings.intent_data_path, output or settings.intent_model_path
    started = time.perf_counter()
    rows = load_training_set(data_dir)
    vectors = EmbeddingCache(_embedder(settings), cache).embed([r.text for r in rows])
    model = TrainedIntentClassifier.fit(rows, vectors)
    model.save(target, training_summary(rows, data_dir))
    typer.echo(
        f"trained on {len(rows)} utterances in {time.perf_counter() - started:.1f}s "
        f"(temperature {model.temperature:.2f}); saved to {target}"
    )


@intents_app.command()
def evaluate(
    data: DataOption = None,
    folds: Annotated[int, typer.Option(min=2, max=20)] = 5,
    report_dir: Annotated[Path, typer.Option(help="Where report files go.")] = DEFAULT_REPORT_DIR,
    cache: CacheOption = DEFAULT_CACHE,
    hidden_dim: Annotated[int | None, typer.Option(help="0 = softmax regression.")] = None,
    class_weight_power: Annotated[float | None, typer.Option(min=0, max=1)] = None,
    dropout: Annotated[float | None, typer.Option(min=0, max=0.9)] = None,
) -> None:
    """k-fold cross-validation (stratified, and paraphrase-grouped); writes report + plot.

    The model options override the shipped settings, to compare alternatives.
    """
    from assistant.intents.embedding_cache import EmbeddingCache
    from assistant.intents.evaluation import evaluate as run_evaluation
    from assistant.intents.report import format_summary, write_report

    settings = _setup()
    rows = load_training_set(data or settings.intent_data_path)
    vectors = EmbeddingCache(_embedder(settings), cache).embed([r.text for r in rows])
    overrides = {
        "hidden_dim": hidden_dim,
        "class_weight_power": class_weight_power,
        "dropout": dropout,
    }
    training = TrainingConfig(**{k: v for k, v in overrides.items() if v is not None})
    report = run_evaluation(rows, vectors, folds=folds, training=training)
    json_path, png_path = write_report(report, report_dir)
    typer.echo(format_summary(report))
    typer.echo(f"wrote {json_path} and {png_path}")
