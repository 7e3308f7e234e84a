"""The intent network: softmax regression, or one hidden layer, over the feature vector."""

from __future__ import annotations

from typing import Annotated

import numpy as np
import numpy.typing as npt
import torch
from pydantic import BaseModel, ConfigDict, Field
from scipy.special import erf
from torch import nn


class NetworkConfig(BaseModel):
    """Shape of :class:`IntentNetwork`; ``hidden_dim == 0`` means plain softmax regression."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    input_dim: Annotated[int, Field(ge=1)]
    n_labels: Annotated[int, Field(ge=2)]
    hidden_dim: Annotated[int, Field(ge=0, le=4096)] = 128
    dropout: Annotated[float, Field(ge=0.0, lt=1.0)] = 0.2


class IntentNetwork(nn.Module):
    """Maps feature vectors to one logit per intent label.

    Example:
        >>> net = IntentNetwork(NetworkConfig(input_dim=10, n_labels=3, hidden_dim=4))
        >>> net(torch.zeros(2, 10)).shape
        torch.Size([2, 3])
    """

    def __init__(self, config: NetworkConfig) -> None:
        super().__init__()
        self.config = config
        layers: list[nn.Module] = [nn.Dropout(config.dropout)]
        if config.hidden_dim:
            layers += [
                nn.Linear(config.input_dim, config.hidden_dim),
                nn.GELU(),
                nn.Dropout(config.dropout),
                nn.Linear(config.hidden_dim, config.n_labels),
            ]
        else:
            layers.append(nn.Linear(config.input_dim, config.n_labels))
        self.layers = nn.Sequential(*layers)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        logits: torch.Tensor = self.layers(features)
        return logits


class NumpyIntentNetwork:
    """The same function as a trained :class:`IntentNetwork`, evaluated with numpy.

    Serving one turn is a 1 x 4,500 by 4,500 x 64 product: numpy does it in microseconds,
    while torch's intra-op thread pool, sharing two cores with the encoder and the web
    server, adds milliseconds of scheduling jitter. Training stays in torch.

    Example:
        >>> net = IntentNetwork(NetworkConfig(input_dim=4, n_labels=2, hidden_dim=3)).eval()
        >>> fast = NumpyIntentNetwork(net)
        >>> x = np.ones((1, 4), dtype=np.float32)
        >>> bool(np.allclose(fast(x), net(torch.from_numpy(x)).detach().numpy(), atol=1e-5))
        True
    """

    def __init__(self, network: IntentNetwork) -> None:
        linears = [m for m in network.layers if isinstance(m, nn.Linear)]
        if len(linears) not in (1, 2):
            raise ValueError("expected one or two linear layers")
        self._layers = [
            (m.weight.detach().cpu().numpy().T.copy(), m.bias.detach().cpu().numpy().copy())
            for m in linears
        ]

    def __call__(self, features: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        (w1, b1), *rest = self._layers
        out: npt.NDArray[np.float32] = features @ w1 + b1
        for weight, bias in rest:  # hidden layer: exact (erf) GELU, as nn.GELU()
            out = (0.5 * out * (1.0 + erf(out / np.sqrt(2.0)))).astype(np.float32) @ weight + bias
        return out
