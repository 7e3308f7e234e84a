"""Fine-tune a BERT-family sentence encoder with in-batch negatives (MultipleNegativesRanking).

For a batch of ``(query_i, document_i)`` pairs the loss is the cross-entropy of
``scale * cos(query_i, document_j)`` over ``j`` with target ``i``: every other document in the
batch is a negative (InfoNCE). Embeddings are mean-pooled over real tokens and L2-normalised,
exactly as :class:`retrieval.embedder.TransformerEmbedder` does at serving time, and the result
is saved with ``save_pretrained`` (model + tokenizer) so that class can load it.
"""

from __future__ import annotations

import json
import logging
import os
import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from retrieval.errors import EmbedderError
from retrieval.finetune.pairs import TrainingPair, batches

if TYPE_CHECKING:
    import torch

log = logging.getLogger(__name__)

TRAINING_RECORD = "shopbot_training.json"


class TrainConfig(BaseModel):
    """Hyper-parameters of one fine-tuning run.

    Example:
        >>> TrainConfig(epochs=1, batch_size=32).scale
        20.0
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    epochs: Annotated[int, Field(ge=1, le=20)] = 1
    batch_size: Annotated[int, Field(ge=2, le=512)] = 32
    learning_rate: Annotated[float, Field(gt=0, le=1e-2)] = 3e-5
    warmup_ratio: Annotated[float, Field(ge=0, le=0.5)] = 0.1
    scale: Annotated[float, Field(gt=0, le=100)] = 20.0
    max_query_length: Annotated[int, Field(ge=8, le=512)] = 32
    max_doc_length: Annotated[int, Field(ge=8, le=512)] = 128
    seed: int = 13
    threads: Annotated[int, Field(ge=0, le=256)] = 0
    max_seconds: Annotated[float, Field(gt=0)] | None = None


class TrainReport(BaseModel):
    """What a run did and how well the held-out pairs were matched before and after."""

    base_model: str
    output_dir: str
    config: TrainConfig
    train_pairs: int
    valid_pairs: int
    pairs_per_kind: dict[str, int]
    steps: int
    seconds: float
    stopped_early: bool
    loss_first: float = Field(description="mean loss of the first min(50, steps/2) steps")
    loss_last: float = Field(description="mean loss of the last min(50, steps/2) steps")
    valid_top1_before: float
    valid_top1_after: float


def mean_pool(hidden: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean over real tokens, L2-normalised (the serving embedder's pooling)."""
    import torch

    weights = mask.unsqueeze(-1).to(hidden.dtype)
    pooled = (hidden * weights).sum(dim=1) / weights.sum(dim=1).clamp(min=1e-9)
    return torch.nn.functional.normalize(pooled, p=2, dim=1)


class _Encoder:
    """Tokenizer + model pair that encodes text lists with a length cap."""

    def __init__(self, model_path: Path) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from transformers import AutoModel, AutoTokenizer

        if not (model_path / "config.json").is_file():
            raise EmbedderError(f"no model folder with config.json at {model_path}")
        try:
            self.tokenizer = AutoTokenizer.from_pretrained(str(model_path), local_files_only=True)
            self.model = AutoModel.from_pretrained(str(model_path), local_files_only=True)
        except (OSError, ValueError) as e:
            raise EmbedderError(f"could not load the encoder from {model_path}: {e}") from e

    def encode(self, texts: Sequence[str], max_length: int) -> torch.Tensor:
        encoded = self.tokenizer(
            list(texts), padding=True, truncation=True, max_length=max_length, return_tensors="pt"
        )
        hidden = self.model(**encoded).last_hidden_state
        return mean_pool(hidden, encoded["attention_mask"])


def in_batch_loss(queries: torch.Tensor, documents: torch.Tensor, scale: float) -> torch.Tensor:
    """MultipleNegativesRanking loss: document ``i`` is the positive of query ``i``."""
    import torch

    scores = scale * queries @ documents.T
    labels = torch.arange(scores.shape[0], device=scores.device)
    return torch.nn.functional.cross_entropy(scores, labels)


def _top1(encoder: _Encoder, pairs: Sequence[TrainingPair], config: TrainConfig) -> float:
    """Share of held-out queries whose own document is the nearest of all held-out documents."""
    import torch

    if not pairs:
        return 0.0
    encoder.model.eval()
    with torch.inference_mode():
        docs = sorted({p.document for p in pairs})
        doc_index = {d: i for i, d in enumerate(docs)}
        d = torch.cat(
            [
                encoder.encode(docs[i : i + 64], config.max_doc_length)
                for i in range(0, len(docs), 64)
            ]
        )
        q = torch.cat(
            [
                encoder.encode([p.query for p in pairs[i : i + 64]], config.max_query_length)
                for i in range(0, len(pairs), 64)
            ]
        )
        best = (q @ d.T).argmax(dim=1).tolist()
    hits = sum(best[i] == doc_index[p.document] for i, p in enumerate(pairs))
    return hits / len(pairs)


class EncoderTrainer:
    """Fine-tunes the encoder at ``base_model`` on mined pairs and saves it to ``output_dir``.

    Example:
        >>> trainer = EncoderTrainer(Path(base), Path("var/models/minilm-icecat"), TrainConfig())
        >>> report = trainer.train(train_pairs, valid_pairs)
        >>> report.valid_top1_after > report.valid_top1_before
        True
    """

    def __init__(self, base_model: Path, output_dir: Path, config: TrainConfig) -> None:
        if not (base_model / "config.json").is_file():
            raise ValueError(f"no model folder with config.json at {base_model}")
        if output_dir.resolve() == base_model.resolve():
            raise ValueError("output_dir must differ from the base model folder")
        self.base_model = base_model
        self.output_dir = output_dir
        self.config = config

    def train(
        self,
        train_pairs: Sequence[TrainingPair],
        valid_pairs: Sequence[TrainingPair] = (),
        progress: Callable[[int, float], None] | None = None,
    ) -> TrainReport:
        """Run the epochs; ``progress(step, loss)`` is called after every step."""
        import torch

        if len(train_pairs) < 2:
            raise ValueError("need at least two training pairs")
        cfg = self.config
        random.seed(cfg.seed)
        torch.manual_seed(cfg.seed)
        if cfg.threads:
            torch.set_num_threads(cfg.threads)
        encoder = _Encoder(self.base_model)
        before = _top1(encoder, valid_pairs, cfg)
        started = time.perf_counter()
        losses, stopped = self._loop(encoder, train_pairs, progress, started)
        seconds = time.perf_counter() - started
        after = _top1(encoder, valid_pairs, cfg)
        window = max(1, min(50, len(losses) // 2))
        report = TrainReport(
            base_model=str(self.base_model),
            output_dir=str(self.output_dir),
            config=cfg,
            train_pairs=len(train_pairs),
            valid_pairs=len(valid_pairs),
            pairs_per_kind=dict(Counter(p.kind for p in train_pairs)),
            steps=len(losses),
            seconds=round(seconds, 1),
            stopped_early=stopped,
            loss_first=_mean(losses[:window]),
            loss_last=_mean(losses[-window:]),
            valid_top1_before=before,
            valid_top1_after=after,
        )
        self._save(encoder, report)
        return report

    def _loop(
        self,
        encoder: _Encoder,
        pairs: Sequence[TrainingPair],
        progress: Callable[[int, float], None] | None,
        started: float,
    ) -> tuple[list[float], bool]:
        import torch

        cfg = self.config
        rng = random.Random(cfg.seed)
        steps_per_epoch = -(-len(pairs) // cfg.batch_size)
        total = steps_per_epoch * cfg.epochs
        optimizer = torch.optim.AdamW(encoder.model.parameters(), lr=cfg.learning_rate)
        schedule = torch.optim.lr_scheduler.LambdaLR(
            optimizer, _lr_factor(total, int(total * cfg.warmup_ratio), started, cfg.max_seconds)
        )
        losses: list[float] = []
        encoder.model.train()
        for _ in range(cfg.epochs):
            for batch in batches(pairs, cfg.batch_size, rng):
                q = encoder.encode([p.query for p in batch], cfg.max_query_length)
                d = encoder.encode([p.document for p in batch], cfg.max_doc_length)
                loss = in_batch_loss(q, d, cfg.scale)
                loss.backward()
                torch.nn.utils.clip_grad_norm_(encoder.model.parameters(), 1.0)
                optimizer.step()
                schedule.step()
                optimizer.zero_grad()
                losses.append(float(loss.item()))
                if progress is not None:
                    progress(len(losses), losses[-1])
                if cfg.max_seconds and time.perf_counter() - started > cfg.max_seconds:
                    return losses, True
        return losses, False

    def _save(self, encoder: _Encoder, report: TrainReport) -> None:
        self.output_dir.mkdir(parents=True, exist_ok=True)
        encoder.model.save_pretrained(str(self.output_dir))
        encoder.tokenizer.save_pretrained(str(self.output_dir))
        record: dict[str, Any] = report.model_dump(mode="json")
        (self.output_dir / TRAINING_RECORD).write_text(json.dumps(record, indent=2) + "\n")
        log.info("saved fine-tuned encoder to %s", self.output_dir)


def _lr_factor(
    total: int, warmup: int, started: float, max_seconds: float | None
) -> Callable[[int], float]:
    """Linear warm-up, then linear decay to 0 by the last step *or* the time cap.

    Decaying on elapsed time as well means a run cut short by ``max_seconds`` still ends
    with a small learning rate instead of stopping mid-schedule.
    """

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total - warmup)
        if max_seconds:
            progress = max(progress, (time.perf_counter() - started) / max_seconds)
        return max(0.0, 1.0 - progress)

    return factor


def _mean(values: Sequence[float]) -> float:
    return round(sum(values) / len(values), 4) if values else 0.0
