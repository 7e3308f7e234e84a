"""The classifier's input: sentence embedding + hashed character n-grams + dialogue context.

The MiniLM embedding carries the meaning of English turns; hashed character n-grams of the
normalised text catch short keyword turns ("cheaper", "only HP"), typos and Chinese, where the
English MiniLM vocabulary sees little more than single characters; the context block says
whether products are on screen and what the previous turn was about.

Example:
    >>> import numpy as np
    >>> builder = FeatureBuilder(FeatureConfig())
    >>> x = builder.build("only HP", np.zeros(384, np.float32), IntentContext(has_results=True))
    >>> x.shape == (builder.config.input_dim,)
    True
"""

from __future__ import annotations

import math
import re
import unicodedata
import zlib
from collections import Counter
from collections.abc import Sequence
from typing import Annotated

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.intents.base import INTENT_LABELS, IntentContext

Matrix = npt.NDArray[np.float32]
_TOKEN = re.compile(r"[^\W_]+|[^\w\s]", re.U)
_DIGIT = re.compile(r"\d")
_CONTROL = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


class FeatureConfig(BaseModel):
    """Everything needed to rebuild the feature vector; saved in the model's JSON config."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    embedding_dim: Annotated[int, Field(ge=1)] = 384
    hash_buckets: Annotated[int, Field(ge=16, le=1 << 20)] = 4096
    ngram_min: Annotated[int, Field(ge=1, le=8)] = 1
    ngram_max: Annotated[int, Field(ge=1, le=8)] = 4
    word_ngram_max: Annotated[int, Field(ge=0, le=4)] = 2
    max_chars: Annotated[int, Field(ge=1, le=100_000)] = 400
    embedding_weight: Annotated[float, Field(gt=0)] = 1.0
    lexical_weight: Annotated[float, Field(ge=0)] = 1.0
    labels: tuple[str, ...] = INTENT_LABELS

    @model_validator(mode="after")
    def _ngram_range(self) -> FeatureConfig:
        if self.ngram_min > self.ngram_max:
            raise ValueError("ngram_min must not exceed ngram_max")
        return self

    @property
    def context_dim(self) -> int:
        """``has_results`` plus a one-hot of the previous intent (or none)."""
        return 1 + len(self.labels) + 1

    @property
    def input_dim(self) -> int:
        return self.embedding_dim + self.hash_buckets + self.context_dim


def normalise_text(text: str, max_chars: int) -> str:
    """NFKC, lower case, control characters dropped, digits folded to ``0``, spaces collapsed."""
    text = unicodedata.normalize("NFKC", text[: max_chars * 2])
    kept = "".join(c for c in text if unicodedata.category(c) not in _CONTROL or c.isspace())
    return " ".join(_DIGIT.sub("0", kept.lower()).split())[:max_chars]


def char_ngrams(text: str, config: FeatureConfig) -> Counter[str]:
    """Character n-grams inside each token padded with spaces (sklearn's ``char_wb`` idea),
    plus word n-grams (marked with a leading ``|``) up to ``word_ngram_max`` words.

    Example:
        >>> sorted(char_ngrams("Hi", FeatureConfig(ngram_min=2, ngram_max=2, word_ngram_max=1)))
        [' h', 'hi', 'i ', '|hi']
    """
    grams: Counter[str] = Counter()
    tokens = _TOKEN.findall(normalise_text(text, config.max_chars))
    for token in tokens:
        padded = f" {token} "
        for n in range(config.ngram_min, config.ngram_max + 1):
            for start in range(max(1, len(padded) - n + 1)):
                grams[padded[start : start + n]] += 1
    for n in range(1, config.word_ngram_max + 1):
        for start in range(len(tokens) - n + 1):
            grams["|" + " ".join(tokens[start : start + n])] += 1
    return grams


class FeatureBuilder:
    """Turns ``(text, embedding, context)`` into one float32 vector of ``config.input_dim``.

    Example:
        >>> builder = FeatureBuilder(FeatureConfig(hash_buckets=64))
        >>> builder.lexical("cheaper").shape
        (64,)
    """

    def __init__(self, config: FeatureConfig) -> None:
        if not isinstance(config, FeatureConfig):
            raise ValueError("config must be a FeatureConfig")
        self.config = config
        self._label_index = {label: i for i, label in enumerate(config.labels)}

    def lexical(self, text: str) -> Matrix:
        """Hashed n-gram counts, log-scaled and L2-normalised (crc32: stable across runs)."""
        out = np.zeros(self.config.hash_buckets, dtype=np.float32)
        for gram, count in char_ngrams(text, self.config).items():
            bucket = zlib.crc32(gram.encode("utf-8", "surrogatepass")) % self.config.hash_buckets
            out[bucket] += 1.0 + math.log(count)
        norm = float(np.linalg.norm(out))
        return out / norm if norm > 0 else out

    def context(self, context: IntentContext) -> Matrix:
        out = np.zeros(self.config.context_dim, dtype=np.float32)
        out[0] = 1.0 if context.has_results else 0.0
        previous = context.previous_intent
        index = self._label_index.get(previous, len(self.config.labels)) if previous else None
        out[1 + (len(self.config.labels) if index is None else index)] = 1.0
        return out

    def build(self, text: str, vector: npt.ArrayLike, context: IntentContext) -> Matrix:
        """The feature vector of one turn; ``vector`` is the turn's sentence embedding."""
        embedding = self._unit(vector)
        c = self.config
        return np.concatenate(
            [
                embedding * c.embedding_weight,
                self.lexical(text) * c.lexical_weight,
                self.context(context),
            ]
        ).astype(np.float32, copy=False)

    def _unit(self, vector: npt.ArrayLike) -> Matrix:
        """The embedding as a finite unit vector (it should be one already; a broken
        one must not blow up the logits)."""
        with np.errstate(all="ignore"):
            embedding = np.asarray(vector, dtype=np.float32).reshape(-1)
        if embedding.shape[0] != self.config.embedding_dim:
            raise ValueError(
                f"expected a {self.config.embedding_dim}-d embedding, got {embedding.shape[0]}"
            )
        embedding = np.nan_to_num(embedding, nan=0.0, posinf=0.0, neginf=0.0)
        norm = float(np.linalg.norm(embedding.astype(np.float64)))
        return (embedding / norm).astype(np.float32) if norm > 0 else embedding

    def build_batch(
        self, texts: Sequence[str], vectors: npt.ArrayLike, contexts: Sequence[IntentContext]
    ) -> Matrix:
        """Stack :meth:`build` over aligned texts, embeddings and contexts."""
        matrix = np.asarray(vectors, dtype=np.float32)
        if not len(texts) == len(matrix) == len(contexts):
            raise ValueError("texts, vectors and contexts must have the same length")
        out = np.zeros((len(texts), self.config.input_dim), dtype=np.float32)
        for i, (text, context) in enumerate(zip(texts, contexts, strict=True)):
            out[i] = self.build(text, matrix[i], context)
        return out
