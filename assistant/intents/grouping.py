"""Near-paraphrase groups, so cross-validation can keep paraphrases out of each other's folds.

Bitext generates many variants of one sentence ("create gold account", "create platinum
account"); a plain stratified split puts some in training and some in testing, which flatters
the scores. Two rows of the same label join a group when their sentence embeddings are nearly
parallel *and* they share most character trigrams (the second test matters for Chinese, whose
MiniLM embeddings are nearly all alike because the English vocabulary maps most ideographs to
``[UNK]``). Groups are the connected components of that relation.

Example:
    >>> paraphrase_groups(["a", "b"], np.eye(2, dtype=np.float32), ["x", "x"]).tolist()
    [0, 1]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from assistant.intents.features import FeatureBuilder, FeatureConfig

EMBEDDING_SIMILARITY = 0.85
TRIGRAM_SIMILARITY = 0.5
_TRIGRAMS = FeatureConfig(ngram_min=3, ngram_max=3, word_ngram_max=0, hash_buckets=8192)


def paraphrase_groups(
    texts: Sequence[str],
    vectors: npt.NDArray[np.float32],
    labels: Sequence[str],
    embedding_similarity: float = EMBEDDING_SIMILARITY,
    trigram_similarity: float = TRIGRAM_SIMILARITY,
) -> npt.NDArray[np.int64]:
    """A group id per row (0..k-1, numbered by first appearance)."""
    if not len(texts) == len(vectors) == len(labels):
        raise ValueError("texts, vectors and labels must have the same length")
    builder = FeatureBuilder(_TRIGRAMS)
    trigrams = np.stack([builder.lexical(t) for t in texts]) if texts else np.zeros((0, 1))
    parent = np.arange(len(texts))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    label_array = np.asarray(labels)
    for label in dict.fromkeys(labels):
        idx = np.flatnonzero(label_array == label)
        close = (vectors[idx] @ vectors[idx].T >= embedding_similarity) & (
            trigrams[idx] @ trigrams[idx].T >= trigram_similarity
        )
        for a, b in zip(*np.nonzero(np.triu(close, 1)), strict=True):
            parent[root(int(idx[a]))] = root(int(idx[b]))
    roots = [root(i) for i in range(len(texts))]
    numbering: dict[int, int] = {}
    return np.array([numbering.setdefault(r, len(numbering)) for r in roots], dtype=np.int64)
