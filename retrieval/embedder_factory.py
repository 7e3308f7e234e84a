"""Build the sentence encoder a settings string names: torch, ONNX Runtime, or ONNX int8."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

from retrieval.embedder import Embedder, TransformerEmbedder

EmbedderBackend = Literal["torch", "onnx", "onnx-int8"]
BACKENDS: tuple[str, ...] = get_args(EmbedderBackend)
DEFAULT_ONNX_CACHE = Path(__file__).resolve().parents[1] / "var" / "models" / "onnx"


def build_embedder(
    backend: str,
    model_path: str | Path,
    *,
    batch_size: int = 64,
    max_length: int = 128,
    threads: int = 0,
    onnx_cache_dir: Path = DEFAULT_ONNX_CACHE,
) -> Embedder:
    """The encoder for ``backend``, all from the same weights at ``model_path``.

    "onnx" and "onnx-int8" export the weights to ``onnx_cache_dir/<fingerprint>/`` on first
    use (about 15 s, int8 quantisation about 2 s more) and reuse the files afterwards.

    Args:
        backend: "torch", "onnx" or "onnx-int8".
        model_path: The Hugging Face model folder (weights and tokenizer).
        batch_size: Texts per forward pass.
        max_length: Tokens kept per text.
        threads: Intra-op threads (0 = the runtime's default).
        onnx_cache_dir: Where exported ONNX files are kept.

    Example:
        >>> embedder = build_embedder("onnx", settings.model_path, threads=2)
        >>> embedder.embed(["usb-c cable"]).shape
        (1, 384)
    """
    if backend not in BACKENDS:
        raise ValueError(f"embedder backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if backend == "torch":
        return TransformerEmbedder(
            model_path, batch_size=batch_size, max_length=max_length, threads=threads
        )
    from retrieval.onnx_embedder import OnnxEmbedder
    from retrieval.onnx_export import ensure_exported

    int8 = backend == "onnx-int8"
    report = ensure_exported(model_path, Path(onnx_cache_dir), int8=int8)
    onnx_file = report.int8 if int8 else report.fp32
    assert onnx_file is not None  # ensure_exported(int8=True) made it or raised
    return OnnxEmbedder(
        onnx_file, model_path, batch_size=batch_size, max_length=max_length, threads=threads
    )
