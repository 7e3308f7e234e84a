"""The ONNX Runtime encoder (fp32 and int8) against the torch encoder it was exported from.

The export is cached by weight fingerprint in the ``onnx_cache_dir`` setting's folder
(``SHOPBOT_ONNX_CACHE_DIR`` overrides it): the first run on a machine exports (~15-30 s),
later runs reuse the files.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from assistant.config import Settings
from retrieval.catalog.product import Product
from retrieval.embedder import TransformerEmbedder
from retrieval.embedder_factory import build_embedder
from retrieval.errors import EmbedderError
from retrieval.index import document_text
from retrieval.onnx_embedder import OnnxEmbedder, mean_pool_normalise
from retrieval.onnx_export import ExportReport, OnnxExportError, ensure_exported, model_fingerprint

log = logging.getLogger(__name__)
SAMPLE = 3  # every 3rd product of the 320-product slice (8 categories) is compared


@pytest.fixture(scope="module")
def exported() -> ExportReport:
    settings = Settings()
    return ensure_exported(settings.model_path, settings.onnx_cache_dir, int8=True)


@pytest.fixture(scope="module")
def onnx_embedder(exported: ExportReport) -> OnnxEmbedder:
    return OnnxEmbedder(exported.fp32, Settings().model_path, batch_size=32, threads=2)


@pytest.fixture(scope="module")
def int8_embedder(exported: ExportReport) -> OnnxEmbedder:
    assert exported.int8 is not None
    return OnnxEmbedder(exported.int8, Settings().model_path, batch_size=32, threads=2)


@pytest.fixture(scope="module")
def sample_texts(catalog_slice: list[Product]) -> list[str]:
    return [document_text(p) for p in catalog_slice[::SAMPLE]]


@pytest.fixture(scope="module")
def torch_vectors(embedder: TransformerEmbedder, sample_texts: list[str]) -> np.ndarray:
    return embedder.embed(sample_texts)


@pytest.fixture(scope="module")
def backend_vectors(
    onnx_embedder: OnnxEmbedder, int8_embedder: OnnxEmbedder, sample_texts: list[str]
) -> dict[str, np.ndarray]:
    return {
        "onnx": onnx_embedder.embed(sample_texts),
        "onnx-int8": int8_embedder.embed(sample_texts),
    }


def _agreement(vectors: np.ndarray, reference: np.ndarray) -> np.ndarray:
    return np.einsum("ij,ij->i", vectors, reference)


@pytest.mark.unit
def test_mean_pool_ignores_padding_and_normalises() -> None:
    hidden = np.array([[[3.0, 4.0], [100.0, -7.0]], [[1.0, 0.0], [1.0, 2.0]]], np.float32)
    mask = np.array([[1, 0], [1, 1]])
    pooled = mean_pool_normalise(hidden, mask)
    np.testing.assert_allclose(pooled[0], [0.6, 0.8], atol=1e-6)  # padding token ignored
    np.testing.assert_allclose(pooled[1], np.array([1.0, 1.0]) / np.sqrt(2), atol=1e-6)


@pytest.mark.unit
def test_fingerprint_follows_the_weights(tmp_path: Path) -> None:
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    (model / "model.safetensors").write_bytes(b"weights-1")
    first = model_fingerprint(model)
    assert model_fingerprint(model) == first
    (model / "model.safetensors").write_bytes(b"weights-2")
    assert model_fingerprint(model) != first


@pytest.mark.unit
def test_bad_configuration_fails_fast(tmp_path: Path) -> None:
    with pytest.raises(OnnxExportError):
        model_fingerprint(tmp_path)  # no config.json, no weights
    with pytest.raises(EmbedderError):
        OnnxEmbedder(tmp_path / "missing.onnx", tmp_path)
    with pytest.raises(ValueError, match="backend"):
        build_embedder("tensorflow", tmp_path)
    with pytest.raises(ValueError, match="batch_size"):
        OnnxEmbedder(tmp_path / "missing.onnx", tmp_path, batch_size=0)


@pytest.mark.integration
@pytest.mark.slow
class TestAgreementWithTorch:
    """Same weights, same tokenizer, same pooling: vectors must match the torch encoder's."""

    @pytest.mark.parametrize(("backend", "at_least"), [("onnx", 0.999), ("onnx-int8", 0.99)])
    def test_cosine_on_catalog_sample(
        self,
        backend: str,
        at_least: float,
        backend_vectors: dict[str, np.ndarray],
        torch_vectors: np.ndarray,
    ) -> None:
        cosine = _agreement(backend_vectors[backend], torch_vectors)
        log.warning(
            "%s vs torch on %d catalog texts: min cosine %.5f mean %.5f",
            backend,
            len(cosine),
            cosine.min(),
            cosine.mean(),
        )
        assert cosine.min() >= at_least

    @pytest.mark.parametrize("backend", ["onnx", "onnx-int8"])
    def test_retrieval_overlap_at_10(
        self,
        backend: str,
        onnx_embedder: OnnxEmbedder,
        int8_embedder: OnnxEmbedder,
        embedder: TransformerEmbedder,
        sample_texts: list[str],
        torch_vectors: np.ndarray,
        backend_vectors: dict[str, np.ndarray],
    ) -> None:
        """Titles as queries over the sample: the top 10 mostly equals torch's top 10."""
        other = onnx_embedder if backend == "onnx" else int8_embedder
        titles = [text.split(". ")[0] for text in sample_texts[::3]]
        expected = _top10(embedder.embed(titles), torch_vectors)
        got = _top10(other.embed(titles), backend_vectors[backend])
        overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(expected, got, strict=True)])
        log.warning("%s overlap@10 vs torch on %d queries: %.3f", backend, len(titles), overlap)
        assert overlap >= (0.99 if backend == "onnx" else 0.85)

    def test_order_padding_and_empty_text(self, onnx_embedder: OnnxEmbedder) -> None:
        texts = ["wireless mouse", "", "a very long description " * 60, "toner"]
        together = onnx_embedder.embed(texts)
        alone = np.vstack([onnx_embedder.embed([t]) for t in texts])
        np.testing.assert_allclose(together, alone, atol=1e-5)  # batch padding changes nothing
        np.testing.assert_allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
        assert together.shape == (4, onnx_embedder.dimension) == (4, 384)
        assert onnx_embedder.embed([]).shape == (0, 384)

    def test_progress_and_threads(self, exported: ExportReport) -> None:
        encoder = OnnxEmbedder(exported.fp32, Settings().model_path, batch_size=8, threads=2)
        before = encoder.embed(["usb-c hub", "laser printer"])
        encoder.set_threads(1)
        seen: list[int] = []
        after = encoder.embed(
            [f"item {i}" for i in range(20)] + ["usb-c hub"], progress=seen.append
        )
        assert sum(seen) == 21 and encoder.threads == 1
        np.testing.assert_allclose(after[-1], before[0], atol=1e-5)

    def test_export_is_cached(self, exported: ExportReport) -> None:
        settings = Settings()
        again = ensure_exported(settings.model_path, settings.onnx_cache_dir, int8=True)
        assert (again.export_seconds, again.quantize_seconds) == (0.0, 0.0)
        assert again.fp32 == exported.fp32 and again.int8 == exported.int8

    def test_settings_select_the_backend(self, exported: ExportReport, tmp_path: Path) -> None:
        from assistant.wiring import Services

        settings = Settings(
            environment="test",
            database_url=f"sqlite:///{tmp_path / 'shop.db'}",
            chroma_path=tmp_path / "chroma",
            index_on_start=False,
            embedder_backend="onnx-int8",
        )
        services = Services(settings)
        try:
            assert isinstance(services.embedder, OnnxEmbedder)
            assert services.embedder.model_path == str(exported.int8)
            assert services.query_embedder.embed(["hdmi cable"]).shape == (1, 384)
        finally:
            services.close()


def _top10(queries: np.ndarray, documents: np.ndarray) -> list[list[int]]:
    scores = queries @ documents.T
    return [list(np.argsort(-row, kind="stable")[:10]) for row in scores]
