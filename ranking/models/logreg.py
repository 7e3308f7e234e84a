"""Logistic regression over every flat feature, one-hot categoricals and position."""

from __future__ import annotations

import torch
from torch import nn

from ranking.models.batch import ModelConfig, TensorBatch


class LogisticRegressionModel(nn.Module):
    """A linear logit over the standardised numerics plus one weight per categorical value.

    A one-dimensional ``nn.Embedding`` is exactly a one-hot linear layer. Position gets its own
    weights (de-biasing); serving feeds position 1 to every candidate.

    Example:
        >>> model = LogisticRegressionModel(config)
        >>> torch.sigmoid(model(batch))
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        self.linear = nn.Linear(config.numeric_dim, 1)
        self.onehots = nn.ModuleList(nn.Embedding(n, 1) for n in config.cardinalities)
        self.position = nn.Embedding(config.max_position + 1, 1)
        for table in [*self.onehots, self.position]:
            nn.init.zeros_(table.weight)

    def forward(self, batch: TensorBatch) -> torch.Tensor:
        """Logits, shape (B,)."""
        logit = self.linear(batch.numeric).squeeze(-1)
        for i, table in enumerate(self.onehots):
            logit = logit + table(batch.categorical[:, i]).squeeze(-1)
        return logit + self.position(batch.positions).squeeze(-1)
