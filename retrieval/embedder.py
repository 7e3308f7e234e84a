"""BERT sentence embeddings: mean-pooled, L2-normalised, batched, offline."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from retrieval.errors import EmbedderError

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Turns texts into unit-length vectors; queries and documents share one space."""

    @property
    def dimension(self) -> int: ...

    def embed(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> Vectors: ...


class TransformerEmbedder:
    """A BERT-family encoder loaded with ``transformers`` from a local folder.

    Loads with ``local_files_only`` (nothing is fetched), mean-pools the last hidden
    state over real tokens and L2-normalises, as sentence-transformers does for
    all-MiniLM-L6-v2. Texts are sorted by length before batching so that a batch
    carries little padding; the output keeps the input order.

    Example:
        >>> embedder = TransformerEmbedder("/path/to/all-MiniLM-L6-v2")
        >>> embedder.embed(["thin and light laptop"]).shape
        (1, 384)
    """

    def __init__(
        self,
        model_path: str | Path,
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
            raise ValueError("threads must be >= 0 (0 keeps torch's default)")
        path = Path(model_path)
        if not (path / "config.json").is_file():
            raise EmbedderError(f"no model folder with config.json at {path}")
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        import torch
        from transformers import AutoModel, AutoTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # a local load needs no progress bar on stderr
        if threads:
            torch.set_num_threads(threads)
        try:
            self._tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=True)
            self._model = AutoModel.from_pretrained(str(path), local_files_only=True).eval()
        except (OSError, ValueError) as e:
            raise EmbedderError(f"could not load the encoder from {path}: {e}") from e
        self._torch = torch
        self.model_path = str(path)
        self.batch_size = batch_size
        self.max_length = max_length
        self._dimension = int(self._model.config.hidden_size)

    @property
    def dimension(self) -> int:
        return self._dimension

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
        torch = self._torch
        encoded = self._tokenizer(
            batch,
            padding=True,
            truncation=True,
            max_length=self.max_length,
            return_tensors="pt",
        )
        with torch.inference_mode():
            hidden = self._model(**encoded).last_hidden_state
            mask = encoded["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            normed = torch.nn.functional.normalize(pooled, p=2, dim=1)
        result: Vectors = normed.cpu().numpy().astype(np.float32)
        return result


class CachedEmbedder:
    """An LRU cache by text in front of another embedder (thread-safe).

    A chat turn embeds its query several times (intent classifier, dense retrieval, CTR
    re-ranking); with the cache the encoder runs once per distinct text. Cached rows are
    returned as copies, so a caller cannot change what the next caller gets.

    Args:
        inner: The embedder that computes vectors on a miss.
        max_size: Texts kept (least recently used dropped first).

    Example:
        >>> embedder = CachedEmbedder(TransformerEmbedder(path), max_size=1024)
        >>> embedder.embed(["usb-c cable"]) is not embedder.embed(["usb-c cable"])  # one encode
        True
    """

    def __init__(self, inner: Embedder, max_size: int = 1024) -> None:
        if max_size <= 0:
            raise ValueError("max_size must be positive")
        self._inner = inner
        self.max_size = max_size
        self._cache: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    @property
    def inner(self) -> Embedder:
        """The wrapped embedder."""
        return self._inner

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> Vectors:
        """Vectors for ``texts``; only texts not in the cache reach the wrapped embedder."""
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        with self._lock:
            for i, text in enumerate(texts):
                row = self._cache.get(text)
                if row is None:
                    missing.setdefault(text, []).append(i)
                    continue
                self._cache.move_to_end(text)
                out[i] = row
            self.hits += len(texts) - sum(len(v) for v in missing.values())
            self.misses += len(missing)
        if missing:
            order = list(missing)
            computed = self._inner.embed(order, progress)
            with self._lock:
                for text, row in zip(order, computed, strict=True):
                    out[missing[text]] = row
                    self._cache[text] = row.copy()
                    self._cache.move_to_end(text)
                while len(self._cache) > self.max_size:
                    self._cache.popitem(last=False)
        return out

    def clear(self) -> None:
        """Forget every cached vector."""
        with self._lock:
            self._cache.clear()
