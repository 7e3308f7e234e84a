"""CTR models, one ``nn.Module`` per file, and the registry the trainer and scorer use."""

from __future__ import annotations

from collections.abc import Callable

from torch import nn

from ranking.models.baseline import BaselineModel
from ranking.models.batch import BatchTensors, ModelConfig, TensorBatch
from ranking.models.deep import DeepInterestModel
from ranking.models.logreg import LogisticRegressionModel

MODELS: dict[str, Callable[[ModelConfig], nn.Module]] = {
    "baseline": BaselineModel,
    "logreg": LogisticRegressionModel,
    "deep": DeepInterestModel,
}
"""Model name -> constructor (the name is saved in the artifact's meta.json)."""


def build_model(name: str, config: ModelConfig) -> nn.Module:
    """A fresh model by registry name.

    Raises:
        ValueError: Unknown name.
    """
    try:
        factory = MODELS[name]
    except KeyError as e:
        raise ValueError(f"unknown CTR model {name!r}; known: {', '.join(MODELS)}") from e
    return factory(config)


__all__ = [
    "MODELS",
    "BaselineModel",
    "BatchTensors",
    "DeepInterestModel",
    "LogisticRegressionModel",
    "ModelConfig",
    "TensorBatch",
    "build_model",
]
