"""Sentence embeddings of the training utterances, cached on disk by text.

Embedding the ~4,800 training utterances takes ~20 s on two CPU cores; the cache (an ``.npz``
under ``var/``, one file per encoder) makes re-training and cross-validation start at once.

Example:
    >>> cache = EmbeddingCache(embedder, Path("var/intents"))  # doctest: +SKIP
    >>> cache.embed(["only HP", "我想退货"]).shape  # doctest: +SKIP
    (2, 384)
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from retrieval.embedder import Embedder, Vectors

log = logging.getLogger(__name__)


class EmbeddingCache:
    """Embeds texts with ``embedder``, reusing vectors stored in ``directory`` (None: no cache)."""

    def __init__(self, embedder: Embedder, directory: Path | None) -> None:
        if not hasattr(embedder, "embed"):
            raise ValueError("embedder must have an embed(texts) method")
        self._embedder = embedder
        identity = str(getattr(embedder, "model_path", type(embedder).__name__))
        digest = hashlib.sha256(identity.encode()).hexdigest()[:16]
        self.path = None if directory is None else directory / f"embeddings-{digest}.npz"

    def embed(self, texts: Sequence[str]) -> Vectors:
        """Vectors for ``texts`` in order; only texts not cached yet are encoded."""
        known = self._read()
        missing = sorted({t for t in texts if t not in known})
        if missing:
            log.info("embedding %d utterances", len(missing))
            fresh = self._embedder.embed(missing)
            known.update(zip(missing, fresh, strict=True))
            self._write(known)
        dim = self._embedder.dimension
        out = np.zeros((len(texts), dim), dtype=np.float32)
        for i, text in enumerate(texts):
            out[i] = known[text]
        return out

    def _read(self) -> dict[str, np.ndarray]:
        if self.path is None or not self.path.is_file():
            return {}
        try:
            with np.load(self.path, allow_pickle=False) as stored:
                return dict(zip(stored["texts"].tolist(), stored["vectors"], strict=True))
        except (OSError, ValueError, KeyError) as e:
            log.warning("ignoring unreadable embedding cache %s: %s", self.path, e)
            return {}

    def _write(self, known: dict[str, np.ndarray]) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            texts = np.array(list(known), dtype=np.str_)
            vectors = np.stack(list(known.values())).astype(np.float32)
            tmp = self.path.with_suffix(".tmp.npz")
            np.savez(tmp, texts=texts, vectors=vectors)
            tmp.replace(self.path)
        except OSError as e:
            log.warning("could not write embedding cache %s: %s", self.path, e)
