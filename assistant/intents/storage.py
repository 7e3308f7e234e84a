"""Saving and loading the intent model: safetensors weights + a JSON config to rebuild it.

The JSON holds the label order, the feature configuration (embedding size, hashing buckets and
n-gram range), the network shape, the temperature and the training settings, so a saved model
can be rebuilt without the code that trained it guessing anything.

Example:
    >>> saved = load_model(Path("assistant/intents/model"))  # doctest: +SKIP
    >>> saved.config.labels[0]  # doctest: +SKIP
    'search'
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Literal, NamedTuple

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.intents.errors import IntentModelError
from assistant.intents.features import FeatureConfig
from assistant.intents.network import IntentNetwork, NetworkConfig
from assistant.intents.training import TrainingConfig

WEIGHTS_FILE = "intent_model.safetensors"
CONFIG_FILE = "intent_model.json"


class SavedModelConfig(BaseModel):
    """The JSON written next to the weights."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format_version: Literal[1] = 1
    labels: tuple[str, ...]
    features: FeatureConfig
    network: NetworkConfig
    temperature: float = Field(gt=0)
    training: TrainingConfig | None = None
    trained_on: dict[str, int | str] = Field(default_factory=dict)


class SavedModel(NamedTuple):
    network: IntentNetwork
    config: SavedModelConfig


def model_exists(directory: Path) -> bool:
    return (directory / WEIGHTS_FILE).is_file() and (directory / CONFIG_FILE).is_file()


def save_model(directory: Path, network: IntentNetwork, config: SavedModelConfig) -> None:
    """Write weights and config into ``directory`` (created if needed)."""
    from safetensors.torch import save_file

    if network.config != config.network:
        raise IntentModelError("the network does not match the config being saved")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        # Crash-safe order: without config.json there is no model (model_exists), so the
        # config goes first and comes back last; each file is written under a temporary
        # name and renamed, so a name never holds a partial file.
        (directory / CONFIG_FILE).unlink(missing_ok=True)
        state = {k: v.detach().contiguous() for k, v in network.state_dict().items()}
        weights_tmp = directory / f".{WEIGHTS_FILE}.tmp"
        save_file(state, str(weights_tmp), metadata={"format": "pt"})
        os.replace(weights_tmp, directory / WEIGHTS_FILE)
        text = json.dumps(config.model_dump(mode="json"), indent=2, ensure_ascii=False)
        config_tmp = directory / f".{CONFIG_FILE}.tmp"
        config_tmp.write_text(text + "\n", encoding="utf-8")
        os.replace(config_tmp, directory / CONFIG_FILE)
    except OSError as e:
        raise IntentModelError(f"could not save the intent model to {directory}: {e}") from e


def load_model(directory: Path) -> SavedModel:
    """Rebuild the network from ``directory``; raises :class:`IntentModelError` if unusable."""
    from safetensors import SafetensorError
    from safetensors.torch import load_file

    if not model_exists(directory):
        raise IntentModelError(f"no intent model in {directory}")
    try:
        raw = json.loads((directory / CONFIG_FILE).read_text(encoding="utf-8"))
        config = SavedModelConfig.model_validate(raw)
        network = IntentNetwork(config.network)
        network.load_state_dict(load_file(str(directory / WEIGHTS_FILE)), strict=True)
    except (OSError, ValueError, RuntimeError, ValidationError, SafetensorError) as e:
        raise IntentModelError(f"could not load the intent model from {directory}: {e}") from e
    return SavedModel(network.eval(), config)
