"""CTR model artifacts: safetensors weights + JSON encoders + meta, and the serving scorer.

Layout under the model root (``Settings.ctr_model_path``, default ``var/models/ctr``)::

    <root>/<version>/model.safetensors   the weights
    <root>/<version>/model.onnx          the same model as an ONNX graph (optional; faster)
    <root>/<version>/encoders.json       every fitted encoder (vocabularies, buckets, scaling)
    <root>/<version>/meta.json           model name, version, model config, metrics, features
    <root>/current.json                  {"version": "<version>"}, swapped with os.replace

A version directory is complete before the pointer names it, so a reader sees the old or the
new model, never half of one.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from pydantic import ValidationError
from safetensors.torch import load_file, save_file
from torch import nn

from ranking.encoders import FeatureEncoders
from ranking.errors import ModelLoadError
from ranking.features import NUMERIC_FEATURES, FeatureBatch, FeatureBuilder, Popularity, RankInputs
from ranking.models import BatchTensors, ModelConfig, build_model
from ranking.models.onnx_graph import OnnxLogits, export_onnx, load_onnx_logits

WEIGHTS = "model.safetensors"
ENCODERS = "encoders.json"
META = "meta.json"
POINTER = "current.json"
GRAPH = "model.onnx"

log = logging.getLogger(__name__)


def _write_json(path: Path, payload: Any) -> None:
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def save_artifact(
    root: Path,
    name: str,
    model: nn.Module,
    config: ModelConfig,
    encoders: FeatureEncoders,
    metrics: dict[str, Any] | None = None,
    *,
    graph: bool = True,
) -> Path:
    """Write a new versioned artifact under ``root`` and point ``current.json`` at it.

    With ``graph``, the model is also exported as ``model.onnx`` (a few seconds); if the
    export fails the artifact is written without it and the torch model will serve.

    Example:
        >>> save_artifact(Path("var/models/ctr"), "deep", model, config, encoders)
        PosixPath('var/models/ctr/20261128T051500Z-1a2b3c4d')
    """
    root.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous().clone() for k, v in model.state_dict().items()}
    digest = hashlib.sha256()
    for key in sorted(state):
        digest.update(key.encode())
        digest.update(state[key].numpy().tobytes())
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    version = f"{stamp}-{digest.hexdigest()[:8]}"
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=root))
    save_file(state, str(staging / WEIGHTS))
    if graph:
        try:
            export_onnx(model, config, staging / GRAPH)
        except Exception:  # noqa: BLE001 - the graph only makes scoring faster
            log.warning("could not export the CTR model to ONNX; it will serve with torch",
                        exc_info=True)  # fmt: skip
            (staging / GRAPH).unlink(missing_ok=True)
    (staging / ENCODERS).write_text(encoders.model_dump_json(indent=2) + "\n", encoding="utf-8")
    meta = {
        "model": name,
        "version": version,
        "config": config.model_dump(),
        "feature_names": list(NUMERIC_FEATURES),
        "metrics": metrics or {},
        "created_at": datetime.now(UTC).isoformat(),
    }
    _write_json(staging / META, meta)
    target = root / version
    os.replace(staging, target)
    pointer = root / f".{POINTER}.tmp"
    _write_json(pointer, {"version": version})
    os.replace(pointer, root / POINTER)
    return target


def resolve_artifact(path: Path) -> Path:
    """The version directory that ``path`` names (itself, or via ``current.json``).

    Raises:
        ModelLoadError: Neither an artifact nor a root with a pointer.
    """
    if (path / META).is_file():
        return path
    candidates = [path / POINTER, path.parent / POINTER] if path.name == "current" else []
    for pointer in [path / POINTER, *candidates]:
        if pointer.is_file():
            try:
                version = json.loads(pointer.read_text(encoding="utf-8"))["version"]
            except (ValueError, KeyError, TypeError) as e:
                raise ModelLoadError(f"unreadable model pointer {pointer}") from e
            if not isinstance(version, str) or "/" in version or version.startswith("."):
                raise ModelLoadError(f"bad version in {pointer}: {version!r}")
            return pointer.parent / version
    raise ModelLoadError(f"no CTR model at {path} (no {META} and no {POINTER})")


class CtrScorer:
    """A trained CTR model with its encoders, ready to score candidate lists.

    Scores are click probabilities with the position fixed at 1 (the de-biasing convention).

    Example:
        >>> scorer = CtrScorer.load(Path("var/models/ctr"))
        >>> scorer.score(inputs, popularity)  # one probability per candidate
        array([0.31, 0.12, ...], dtype=float32)
    """

    def __init__(
        self,
        name: str,
        version: str,
        model: nn.Module,
        encoders: FeatureEncoders,
        meta: dict[str, Any] | None = None,
        graph: OnnxLogits | None = None,
    ) -> None:
        self.model_name = name
        self.version = version
        self.model = model.eval()
        self.builder = FeatureBuilder(encoders)
        self.meta = meta or {}
        self.graph = graph

    @property
    def runtime(self) -> str:
        """What computes the scores: ``"onnx"`` (the exported graph) or ``"torch"``."""
        return "onnx" if self.graph is not None else "torch"

    @classmethod
    def load(cls, path: Path) -> CtrScorer:
        """Load the artifact at ``path`` (a version directory or the model root).

        Raises:
            ModelLoadError: Missing or unreadable weights, encoders or meta, or a mismatch.
        """
        directory = resolve_artifact(Path(path))
        for required in (WEIGHTS, ENCODERS, META):
            if not (directory / required).is_file():
                raise ModelLoadError(f"incomplete CTR model at {directory}: {required} missing")
        try:
            meta = json.loads((directory / META).read_text(encoding="utf-8"))
            encoders = FeatureEncoders.model_validate_json((directory / ENCODERS).read_bytes())
            config = ModelConfig.model_validate(meta["config"])
            model = build_model(meta["model"], config)
            model.load_state_dict(load_file(str(directory / WEIGHTS)))
            graph = load_onnx_logits(directory / GRAPH, model.eval(), config)
            return cls(meta["model"], meta["version"], model, encoders, meta, graph)
        except (OSError, ValueError, KeyError, RuntimeError, ValidationError) as e:
            raise ModelLoadError(f"could not load the CTR model at {directory}: {e}") from e

    def features(self, inputs: RankInputs, popularity: Popularity) -> FeatureBatch:
        """The encoded features (position 1); ``.reasons`` holds human-scale values."""
        return self.builder.build(inputs, popularity, positions=None)

    def score_batch(self, batch: FeatureBatch) -> npt.NDArray[np.float32]:
        """Click probabilities of already-built features."""
        if len(batch) == 0:
            return np.zeros(0, dtype=np.float32)
        tensors = BatchTensors(batch).all()
        if self.graph is not None:
            logits = self.graph(tensors).astype(np.float64)
            return (1.0 / (1.0 + np.exp(-logits))).astype(np.float32)
        with torch.inference_mode():
            return torch.sigmoid(self.model(tensors)).numpy().astype(np.float32)

    def score(self, inputs: RankInputs, popularity: Popularity) -> npt.NDArray[np.float32]:
        """One click probability per candidate, in candidate order."""
        if not inputs.candidates:
            return np.zeros(0, dtype=np.float32)
        return self.score_batch(self.features(inputs, popularity))

    def contributions(
        self, inputs: RankInputs, popularity: Popularity
    ) -> tuple[npt.NDArray[np.float32], dict[str, npt.NDArray[np.float64]]]:
        """Scores and the named raw features reasons are worded from.

        Keys: history_similarity, brand_clicked, category_clicked, price_relative,
        product_popularity, category_popularity (one value per candidate each).
        """
        if not inputs.candidates:
            return np.zeros(0, dtype=np.float32), {}
        batch = self.features(inputs, popularity)
        return self.score_batch(batch), batch.reasons
