"""Deterministic training of :class:`IntentNetwork`: class weighting, seeded batches, temperature.

Example:
    >>> import numpy as np
    >>> x = np.eye(4, dtype=np.float32).repeat(5, axis=0)
    >>> y = np.arange(4).repeat(5)
    >>> net = train_network(x, y, 4, TrainingConfig(epochs=30, hidden_dim=0))
    >>> int(predict_logits(net, x[:1]).argmax())
    0
"""

from __future__ import annotations

import logging
import zlib
from typing import Annotated

import numpy as np
import numpy.typing as npt
import torch
from pydantic import BaseModel, ConfigDict, Field
from torch import nn

from assistant.intents.base import INTENT_LABELS, IntentContext, IntentLabel
from assistant.intents.data import LabelledUtterance
from assistant.intents.network import IntentNetwork, NetworkConfig

log = logging.getLogger(__name__)

_AFTER_RESULTS: tuple[IntentLabel, ...] = ("search", "refine", "compare", "product_question")
_CONTEXT_FREE_OF_RESULTS = frozenset(INTENT_LABELS) - {"search", "refine"}


class TrainingConfig(BaseModel):
    """Optimiser and model-size settings; saved with the model so a run can be repeated."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hidden_dim: Annotated[int, Field(ge=0, le=4096)] = 64
    dropout: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.1
    epochs: Annotated[int, Field(ge=1, le=1000)] = 20
    batch_size: Annotated[int, Field(ge=1)] = 64
    learning_rate: Annotated[float, Field(gt=0)] = 1e-3
    weight_decay: Annotated[float, Field(ge=0)] = 1e-4
    label_smoothing: Annotated[float, Field(ge=0, lt=1)] = 0.05
    class_weight_power: Annotated[float, Field(ge=0, le=1)] = 0.5
    seed: int = 13
    # Small matrix products are faster on one thread, and a fixed count keeps runs repeatable.
    threads: Annotated[int, Field(ge=1, le=256)] = 1


def training_context(row: LabelledUtterance, seed: int = 13) -> IntentContext:
    """The context a row is trained with (a deterministic function of the row and ``seed``).

    Our own rows keep the ``has_results`` they were written with for ``search``/``refine``,
    where it decides the label ("cheaper" refines shown results, else it starts a search);
    for every other label it does not matter, so 30% of rows are trained with it flipped, and
    Bitext rows get it 30% of the time, so support questions asked while products are on
    screen are not pushed towards shopping labels. A missing ``previous_intent`` is drawn
    from the shopping intents when results are shown (80%), otherwise from all labels (50%),
    so the previous-intent one-hot is only informative through the written follow-up rows.
    """
    draw = zlib.crc32(f"{seed}|{row.source}|{row.text}|{row.label}".encode("utf-8", "replace"))
    u1, u2, pick = draw % 100, (draw // 100) % 100, draw // 10_000
    if row.source == "bitext":
        has_results = u1 < 30
    elif row.label in _CONTEXT_FREE_OF_RESULTS and u1 < 30:
        has_results = not row.has_results
    else:
        has_results = row.has_results
    previous = row.previous_intent
    if previous is None:
        if has_results and u2 < 80:
            previous = _AFTER_RESULTS[pick % len(_AFTER_RESULTS)]
        elif u2 < 50:
            previous = INTENT_LABELS[pick % len(INTENT_LABELS)]
    return IntentContext(has_results=has_results, previous_intent=previous)


def class_weights(targets: npt.NDArray[np.int64], n_labels: int, power: float) -> torch.Tensor:
    """``(n / (k * count)) ** power``: 1 is sklearn's "balanced", 0 is unweighted."""
    counts = np.bincount(targets, minlength=n_labels).astype(np.float64)
    balanced = len(targets) / (n_labels * np.maximum(counts, 1.0))
    return torch.tensor(balanced**power, dtype=torch.float32)


def train_network(
    features: npt.NDArray[np.float32],
    targets: npt.NDArray[np.int64],
    n_labels: int,
    config: TrainingConfig,
) -> IntentNetwork:
    """Fit a fresh network; the same inputs and config give the same weights."""
    if len(features) != len(targets) or len(features) == 0:
        raise ValueError("features and targets must be non-empty and aligned")
    threads = torch.get_num_threads()
    torch.set_num_threads(config.threads)
    try:
        return _fit(features, targets, n_labels, config)
    finally:
        torch.set_num_threads(threads)


def _fit(
    features: npt.NDArray[np.float32],
    targets: npt.NDArray[np.int64],
    n_labels: int,
    config: TrainingConfig,
) -> IntentNetwork:
    torch.manual_seed(config.seed)
    generator = torch.Generator().manual_seed(config.seed)
    net = IntentNetwork(
        NetworkConfig(
            input_dim=features.shape[1],
            n_labels=n_labels,
            hidden_dim=config.hidden_dim,
            dropout=config.dropout,
        )
    )
    x = torch.from_numpy(np.ascontiguousarray(features, dtype=np.float32))
    y = torch.from_numpy(np.asarray(targets, dtype=np.int64))
    loss_fn = nn.CrossEntropyLoss(
        weight=class_weights(np.asarray(targets), n_labels, config.class_weight_power),
        label_smoothing=config.label_smoothing,
    )
    optimiser = torch.optim.AdamW(
        net.parameters(), lr=config.learning_rate, weight_decay=config.weight_decay
    )
    net.train()
    for epoch in range(config.epochs):
        total = 0.0
        for batch in torch.randperm(len(x), generator=generator).split(config.batch_size):
            optimiser.zero_grad()
            loss = loss_fn(net(x[batch]), y[batch])
            loss.backward()
            optimiser.step()
            total += loss.item() * len(batch)
        log.debug("epoch %d loss %.4f", epoch + 1, total / len(x))
    return net.eval()


def predict_logits(
    net: IntentNetwork, features: npt.NDArray[np.float32]
) -> npt.NDArray[np.float32]:
    """Logits for a batch of feature vectors (eval mode, no gradients)."""
    net.eval()
    with torch.inference_mode():
        logits = net(torch.from_numpy(np.ascontiguousarray(features, dtype=np.float32)))
    result: npt.NDArray[np.float32] = logits.numpy()
    return result


def softmax(logits: npt.NDArray[np.float32], temperature: float = 1.0) -> npt.NDArray[np.float64]:
    """Row-wise softmax of ``logits / temperature``."""
    scaled = np.asarray(logits, dtype=np.float64) / temperature
    scaled -= scaled.max(axis=-1, keepdims=True)
    exp = np.exp(scaled)
    result: npt.NDArray[np.float64] = exp / exp.sum(axis=-1, keepdims=True)
    return result


def fit_temperature(logits: npt.NDArray[np.float32], targets: npt.NDArray[np.int64]) -> float:
    """The temperature minimising held-out negative log-likelihood (grid over 0.25 … 8)."""
    grid = np.geomspace(0.25, 8.0, 121)
    rows = np.arange(len(targets))
    nll = [-np.log(softmax(logits, t)[rows, targets] + 1e-12).mean() for t in grid]
    return float(grid[int(np.argmin(nll))])
