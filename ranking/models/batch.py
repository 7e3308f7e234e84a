"""Tensors the CTR models take: a :class:`~ranking.features.FeatureBatch` on torch."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict, Field

from ranking.features import FeatureBatch


class ModelConfig(BaseModel):
    """Everything needed to rebuild a model's modules (saved in the artifact's meta.json).

    Example:
        >>> ModelConfig(numeric_dim=22, cardinalities=[9, 120, 11], max_position=10)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    numeric_dim: int = Field(ge=1)
    cardinalities: list[int]
    max_position: int = Field(ge=1)
    vector_dim: int = Field(default=384, ge=1)
    embed_dim: int = Field(default=8, ge=1)
    projection_dim: int = Field(default=16, ge=1)
    attention_hidden: int = Field(default=32, ge=1)
    hidden: list[int] = Field(default_factory=lambda: [64, 32])
    dropout: float = Field(default=0.3, ge=0, lt=1)


@dataclass
class TensorBatch:
    """One minibatch: per-row tensors, and the vectors as a small table the rows index.

    Rows of one turn share their query and history vectors, so the table holds each distinct
    vector once; a model projects the table and then gathers (far less work than projecting
    every row's ``L + 2`` vectors).
    """

    numeric: torch.Tensor  # (B, F) float
    categorical: torch.Tensor  # (B, C) long
    positions: torch.Tensor  # (B,) long, 1-based
    cosine: torch.Tensor  # (B,) float
    vectors: torch.Tensor  # (U, d) distinct vectors of the batch; the last row is zeros
    query_index: torch.Tensor  # (B,) long into vectors
    candidate_index: torch.Tensor  # (B,) long
    history_index: torch.Tensor  # (B, L) long; padding points at the zero row
    history_mask: torch.Tensor  # (B, L) bool, True = a real history item

    def __len__(self) -> int:
        return int(self.numeric.shape[0])


def _trimmed(history: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """History indices and their mask without the trailing padding columns no row uses
    (masked, they change nothing); at least one column is kept."""
    mask = history >= 0
    used_columns = np.flatnonzero(mask.any(axis=0))
    width = int(used_columns[-1]) + 1 if len(used_columns) else 1
    return history[:, :width], mask[:, :width]


class BatchTensors:
    """Turns rows of a :class:`FeatureBatch` into :class:`TensorBatch` minibatches.

    Example:
        >>> tensors = BatchTensors(batch)
        >>> tensors.rows(np.arange(512)).numeric.shape
        torch.Size([512, 22])
    """

    def __init__(self, batch: FeatureBatch) -> None:
        self._batch = batch
        self._numeric = torch.from_numpy(batch.numeric)
        self._categorical = torch.from_numpy(batch.categorical)
        self._positions = torch.from_numpy(batch.positions)
        self._cosine = torch.from_numpy(batch.cosine)

    def __len__(self) -> int:
        return len(self._batch)

    def rows(self, index: np.ndarray) -> TensorBatch:
        """The given rows as tensors, with a compact table of the vectors they use."""
        b = self._batch
        index = np.asarray(index, dtype=np.int64)
        history, mask = _trimmed(b.history_index[index])
        n = len(index)
        used = np.concatenate([b.query_index[index], b.candidate_index[index], history[mask]])
        distinct, local = np.unique(used, return_inverse=True)
        pad = len(distinct)
        table = np.zeros((pad + 1, b.vectors.shape[1]), dtype=np.float32)
        table[:pad] = b.vectors[distinct]
        history_local = np.full(history.shape, pad, dtype=np.int64)
        history_local[mask] = local[2 * n :]
        idx = torch.from_numpy(index)
        return TensorBatch(
            numeric=self._numeric[idx],
            categorical=self._categorical[idx],
            positions=self._positions[idx],
            cosine=self._cosine[idx],
            vectors=torch.from_numpy(table),
            query_index=torch.from_numpy(local[:n].astype(np.int64)),
            candidate_index=torch.from_numpy(local[n : 2 * n].astype(np.int64)),
            history_index=torch.from_numpy(history_local),
            history_mask=torch.from_numpy(mask),
        )

    def all(self) -> TensorBatch:
        """Every row, over the batch's own vector table (serving scores one list this way:
        every vector of the table is used, so nothing is gathered or deduplicated)."""
        b = self._batch
        history, mask = _trimmed(b.history_index)
        pad = len(b.vectors)
        table = np.zeros((pad + 1, b.vectors.shape[1]), dtype=np.float32)
        table[:pad] = b.vectors
        return TensorBatch(
            numeric=self._numeric,
            categorical=self._categorical,
            positions=self._positions,
            cosine=self._cosine,
            vectors=torch.from_numpy(table),
            query_index=torch.from_numpy(b.query_index.astype(np.int64)),
            candidate_index=torch.from_numpy(b.candidate_index.astype(np.int64)),
            history_index=torch.from_numpy(np.where(mask, history, pad).astype(np.int64)),
            history_mask=torch.from_numpy(mask),
        )
