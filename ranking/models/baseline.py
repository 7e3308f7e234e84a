"""The seed's baseline: ``y = sigma(a * cos(u, v) + b)`` with a learned scale and bias."""

from __future__ import annotations

import torch
from torch import nn

from ranking.models.batch import ModelConfig, TensorBatch


class BaselineModel(nn.Module):
    """Click probability from the query-product cosine alone (no personalisation).

    Example:
        >>> model = BaselineModel(config)
        >>> torch.sigmoid(model(batch))  # (B,) click probabilities
    """

    def __init__(self, config: ModelConfig) -> None:
        super().__init__()
        self.config = config
        # Cosines of relevant products sit in a narrow band, so the scale starts well above 1.
        self.scale = nn.Parameter(torch.tensor(5.0))
        self.bias = nn.Parameter(torch.tensor(-3.0))

    def forward(self, batch: TensorBatch) -> torch.Tensor:
        """Logits, shape (B,)."""
        return self.scale * batch.cosine + self.bias
