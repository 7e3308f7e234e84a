"""Test doubles for the retrieval protocols."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import numpy as np

from retrieval.embedder import Vectors


class HashEmbedder:
    """Deterministic pseudo-embeddings: equal texts give equal unit vectors."""

    dimension = 16

    def __init__(self) -> None:
        self.calls: list[int] = []

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> Vectors:
        self.calls.append(len(texts))
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            v = np.random.default_rng(seed).normal(size=self.dimension)
            rows.append(v / np.linalg.norm(v))
        if progress is not None:
            progress(len(texts))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dimension)
