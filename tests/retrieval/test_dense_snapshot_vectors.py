"""SnapshotVectorIndex.vectors: index vectors by id for the CTR ranker."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from retrieval.dense_snapshot import SnapshotVectorIndex
from retrieval.embedder import Vectors
from tests.retrieval.fakes import HashEmbedder

pytestmark = pytest.mark.unit


class Exported:
    def __init__(self) -> None:
        self.ids = ["a", "b", "c"]
        self.exports = 0

    def export(self) -> tuple[list[str], Vectors, list[dict[str, Any]]]:
        self.exports += 1
        # Stored unnormalised: the snapshot hands out unit vectors, as queries score them.
        return self.ids, 3.0 * HashEmbedder().embed(self.ids), [{} for _ in self.ids]


def test_vectors_by_id_unit_length_zero_for_unknown() -> None:
    source = Exported()
    index = SnapshotVectorIndex(source)  # type: ignore[arg-type]
    got = index.vectors(["c", "missing", "a", "c"])
    expected = HashEmbedder().embed(["c", "a"])
    np.testing.assert_allclose(got[[0, 2, 3]], expected[[0, 1, 0]], atol=1e-6)
    assert not got[1].any() and got.dtype == np.float32
    assert index.vectors([]).shape == (0, HashEmbedder.dimension)
    assert source.exports == 1  # one snapshot, taken on first use
