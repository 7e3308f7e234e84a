"""Test doubles for the assistant: a fake intent classifier (queued or keyword answers)."""

from __future__ import annotations

import hashlib
import re
from collections import deque
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from assistant.intents.base import IntentContext, IntentLabel, IntentPrediction


class FakeIntentClassifier:
    """Answers queued predictions first, then the first keyword rule that matches.

    Records every call so tests can check what the service passed (text, vector, context).
    """

    def __init__(
        self,
        rules: Sequence[tuple[str, IntentLabel]] = (),
        default: IntentLabel = "search",
        confidence: float = 0.9,
    ) -> None:
        self._rules = [(re.compile(pattern, re.I), label) for pattern, label in rules]
        self._default = default
        self._confidence = confidence
        self._queued: deque[IntentPrediction] = deque()
        self.calls: list[tuple[str, npt.NDArray[np.float32], IntentContext]] = []

    def queue(
        self, label: IntentLabel, confidence: float = 0.9, scores: dict[str, float] | None = None
    ) -> None:
        self._queued.append(
            IntentPrediction(
                label=label, confidence=confidence, scores=scores or {label: confidence}
            )
        )

    def predict(
        self, text: str, vector: npt.NDArray[np.float32], context: IntentContext
    ) -> IntentPrediction:
        self.calls.append((text, vector, context))
        if self._queued:
            return self._queued.popleft()
        label = next((lbl for pattern, lbl in self._rules if pattern.search(text)), self._default)
        return IntentPrediction(
            label=label, confidence=self._confidence, scores={label: self._confidence}
        )


def prediction(label: IntentLabel, confidence: float = 0.9, **scores: float) -> IntentPrediction:
    return IntentPrediction(
        label=label, confidence=confidence, scores=scores or {label: confidence}
    )


class HashEmbedder:
    """A deterministic stand-in for the BERT encoder: one unit vector per distinct text."""

    dimension = 384

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def embed(self, texts: Sequence[str], progress: object = None) -> npt.NDArray[np.float32]:
        self.calls.append(list(texts))
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode("utf-8", "replace")).digest()[:8])
            row = np.random.default_rng(seed).standard_normal(self.dimension)
            rows.append(row / np.linalg.norm(row))
        return np.asarray(rows, dtype=np.float32).reshape(len(texts), self.dimension)
