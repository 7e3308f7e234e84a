"""The sentence encoder run by ONNX Runtime: same tokenizer, pooling and normalisation as torch."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from retrieval.embedder import Vectors
from retrieval.errors import EmbedderError


def mean_pool_normalise(hidden: npt.NDArray[Any], attention_mask: npt.NDArray[Any]) -> Vectors:
    """Mean of the hidden states over real tokens, scaled to unit length (as in torch).

    Example:
        >>> hidden = np.ones((1, 3, 2), np.float32)
        >>> mean_pool_normalise(hidden, np.array([[1, 1, 0]])).round(3).tolist()
        [[0.707, 0.707]]
    """
    mask = attention_mask[..., None].astype(np.float32)
    pooled = (hidden.astype(np.float32) * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    result: Vectors = (pooled / np.maximum(norms, 1e-12)).astype(np.float32)
    return result


class OnnxEmbedder:
    """An exported encoder (fp32 or int8 ONNX) behind the :class:`~retrieval.embedder.Embedder`
    protocol.

    Tokenises with the Hugging Face tokenizer of the source model folder, runs the graph
    on ONNX Runtime's CPU provider, mean-pools the last hidden state over real tokens and
    L2-normalises. Texts are sorted by length before batching (less padding); the output
    keeps the input order. ``model_path`` is the ONNX file, so caches keyed on it (intent
    utterances, policy passages) keep torch, fp32 and int8 vectors apart.

    Args:
        onnx_path: The ``.onnx`` file (see :func:`retrieval.onnx_export.ensure_exported`).
        tokenizer_path: The source model folder (tokenizer files).
        batch_size: Texts per forward pass.
        max_length: Tokens kept per text (longer texts are truncated).
        threads: ONNX Runtime intra-op threads (0 = ONNX Runtime's default).

    Example:
        >>> embedder = OnnxEmbedder("var/models/onnx/<fp>/model.onnx", "/path/to/all-MiniLM-L6-v2")
        >>> embedder.embed(["thin and light laptop"]).shape
        (1, 384)
    """

    def __init__(
        self,
        onnx_path: str | Path,
        tokenizer_path: str | Path,
        *,
        batch_size: int = 64,
        max_length: int = 128,
        threads: int = 0,
    ) -> None:
        if batch_size <= 0:
            raise ValueError("batch_size must be positive")
        if max_length < 8:
            raise ValueError("max_length must be at least 8")
        if threads < 0:
            raise ValueError("threads must be >= 0 (0 keeps ONNX Runtime's default)")
        self.onnx_path = Path(onnx_path)
        if not self.onnx_path.is_file():
            raise EmbedderError(f"no ONNX model at {self.onnx_path}")
        self.tokenizer_path = str(tokenizer_path)
        self.model_path = str(self.onnx_path)
        self.batch_size = batch_size
        self.max_length = max_length
        self._tokenizer = _load_tokenizer(self.tokenizer_path)
        self._lock = threading.Lock()
        self._session = self._open_session(threads)
        self.threads = threads
        self._input_names = [i.name for i in self._session.get_inputs()]
        width = self._session.get_outputs()[0].shape[-1]
        self._dimension = (
            width if isinstance(width, int) else int(self._encode_batch([" "]).shape[1])
        )

    @property
    def dimension(self) -> int:
        return self._dimension

    def set_threads(self, threads: int) -> None:
        """Reopen the session with ``threads`` intra-op threads (e.g. 1 when serving)."""
        if threads < 0:
            raise ValueError("threads must be >= 0")
        if threads == self.threads:
            return
        session = self._open_session(threads)
        with self._lock:
            self._session, self.threads = session, threads

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> Vectors:
        """Encode ``texts``; ``progress`` is called with the size of each finished batch."""
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), self.batch_size):
            idx = order[start : start + self.batch_size]
            out[idx] = self._encode_batch([texts[i] or " " for i in idx])
            if progress is not None:
                progress(len(idx))
        return out

    def _encode_batch(self, batch: list[str]) -> Vectors:
        encoded = self._tokenizer(
            batch, padding=True, truncation=True, max_length=self.max_length, return_tensors="np"
        )
        feed = {name: np.asarray(encoded[name], dtype=np.int64) for name in self._input_names}
        session = self._session  # a concurrent set_threads swaps it; this call keeps its own
        try:
            hidden = session.run(None, feed)[0]
        except Exception as e:  # onnxruntime raises its own non-exported exception types
            raise EmbedderError(f"ONNX Runtime could not encode a batch: {e}") from e
        return mean_pool_normalise(hidden, feed["attention_mask"])

    def _open_session(self, threads: int) -> Any:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3  # errors only: no per-node warnings on stderr
        # Idle pool threads would busy-wait after each call and take the CPU from the rest
        # of the server (and from torch in the same process); a few % latency is cheaper.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        try:
            return ort.InferenceSession(
                str(self.onnx_path), options, providers=["CPUExecutionProvider"]
            )
        except Exception as e:  # InvalidGraph, Fail, ... are not importable base classes
            raise EmbedderError(f"could not open {self.onnx_path}: {e}") from e


def _load_tokenizer(path: str) -> Any:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from transformers import AutoTokenizer

    if not (Path(path) / "config.json").is_file():
        raise EmbedderError(f"no model folder with config.json at {path}")
    try:
        return AutoTokenizer.from_pretrained(path, local_files_only=True)
    except (OSError, ValueError) as e:
        raise EmbedderError(f"could not load the tokenizer from {path}: {e}") from e
