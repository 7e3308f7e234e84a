from pathlib import Path

import numpy as np
import pytest

from retrieval.embedder import TransformerEmbedder
from retrieval.errors import EmbedderError

pytestmark = pytest.mark.integration


def test_shape_and_unit_norm(embedder: TransformerEmbedder) -> None:
    vectors = embedder.embed(["thin and light laptop", "HDMI cable 10 ft", ""])
    assert vectors.shape == (3, 384)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_deterministic_and_independent_of_batching(embedder: TransformerEmbedder) -> None:
    texts = ["wireless mouse", "a very long description " * 20, "toner"]
    together = embedder.embed(texts)
    alone = np.vstack([embedder.embed([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    np.testing.assert_array_equal(together, embedder.embed(texts))


def test_meaning_is_captured(embedder: TransformerEmbedder) -> None:
    laptop, notebook, toner = embedder.embed(["laptop computer", "notebook PC", "toner cartridge"])
    assert float(laptop @ notebook) > float(laptop @ toner)


def test_progress_reports_every_text(embedder: TransformerEmbedder) -> None:
    seen: list[int] = []
    embedder.embed([f"item {i}" for i in range(70)], progress=seen.append)
    assert sum(seen) == 70


def test_bad_configuration_fails_fast(tmp_path: Path) -> None:
    with pytest.raises(EmbedderError):
        TransformerEmbedder(tmp_path)
    with pytest.raises(ValueError):
        TransformerEmbedder(tmp_path, batch_size=0)
