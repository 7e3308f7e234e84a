"""Build (or reuse) a store of the bundled catalog at a scale, in a child process.

    python -m benchmarks.scaled_store --root DIR --scale 10 [--seed 0] [--embedder torch]

A store is a folder with ``shop.db`` (SQLite), ``chroma/`` (vector index) and ``lexical/``
(BM25 index). Scale 1 is the bundled catalog, 10 adds 9 synthetic variants per real product
(:mod:`benchmarks.variants`), below 1 a seeded sample (for development runs).

An empty folder is built from scratch: the catalog is loaded and scaled into SQLite
(ingest), the vector index and the BM25 index are built (index), then a second index run
with nothing changed is timed (reconcile). The build record goes to ``DIR/build.json``. A
folder that already holds the right number of products is reused: only the reconcile runs,
and the figures of the original build are read back from ``build.json`` (a copy of a store
built elsewhere has none: its build is reported as not timed).

The build runs in its own process so that its peak RSS (``VmHWM``) is the build's alone;
:func:`ensure_store` starts it and returns its :class:`StoreBuild`.
"""

from __future__ import annotations

import argparse
import json
import logging
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from assistant.config import REPO_ROOT, Settings
from assistant.wiring import Services
from benchmarks.memory import peak_rss_mb
from benchmarks.variants import scaled_catalog, scaled_size
from retrieval.catalog.loading import load_catalog

BUILD_FILE = "build.json"
EMBEDDERS = ("torch", "onnx", "onnx-int8")


class StoreBuild(BaseModel):
    """How a store was built (None: not timed here) and what this run's reconcile cost."""

    scale: float
    seed: int
    embedder: str
    products: int
    reused: bool = False
    ingest_seconds: float | None = None
    index_seconds: float | None = None
    index_products_per_second: float | None = None
    lexical_seconds: float | None = None
    build_peak_rss_mb: float | None = None
    reconcile_seconds: float = 0.0


def store_settings(root: Path, embedder: str = "torch") -> Settings:
    """Settings for the store in ``root`` (read by the builder, the server and the benchmark).

    Raises:
        ValueError: ``embedder`` is not torch and this checkout has no ``embedder_backend``.
    """
    if embedder not in EMBEDDERS:
        raise ValueError(f"embedder must be one of {EMBEDDERS}, got {embedder!r}")
    extra: dict[str, Any] = {}
    if "embedder_backend" in Settings.model_fields:
        extra["embedder_backend"] = embedder
    elif embedder != "torch":
        raise ValueError(f"this checkout has no embedder_backend setting; {embedder} unavailable")
    return Settings(
        database_url=f"sqlite:///{root / 'shop.db'}",
        chroma_path=root / "chroma",
        lexical_path=root / "lexical",
        index_on_start=False,
        **extra,
    )


def read_build(root: Path) -> StoreBuild | None:
    """The build record of the store in ``root``, if it has one."""
    path = root / BUILD_FILE
    return StoreBuild.model_validate_json(path.read_text()) if path.exists() else None


def build_store_at_scale(root: Path, scale: float, seed: int, embedder: str) -> StoreBuild:
    """Build the store in ``root`` (or check and reconcile it), in this process."""
    root.mkdir(parents=True, exist_ok=True)
    services = Services(store_settings(root, embedder))
    try:
        if services.products.count() == 0:
            build = _build(services, scale, seed, embedder)
            (root / BUILD_FILE).write_text(build.model_dump_json(indent=2))
        else:
            build = _checked_reuse(services, root, scale, seed, embedder)
        _ = services.embedder  # load the encoder first: time the reconcile alone
        started = time.perf_counter()
        services.build_index(show_progress=True)  # a reused store may lack its BM25 index
        return build.model_copy(update={"reconcile_seconds": time.perf_counter() - started})
    finally:
        services.close()


def _build(services: Services, scale: float, seed: int, embedder: str) -> StoreBuild:
    started = time.perf_counter()
    real = load_catalog(services.settings.catalog_path, services.settings.catalog_format)
    counts = services.products.upsert_many(scaled_catalog(real.products, scale, seed))
    ingest_seconds = time.perf_counter() - started
    index = services.build_index(show_progress=True)
    return StoreBuild(
        scale=scale,
        seed=seed,
        embedder=embedder,
        products=counts.inserted + counts.updated + counts.unchanged,
        ingest_seconds=ingest_seconds,
        index_seconds=index.seconds,
        index_products_per_second=index.products_per_second,
        lexical_seconds=index.lexical.seconds if index.lexical else None,
        build_peak_rss_mb=peak_rss_mb(),
    )


def _checked_reuse(
    services: Services, root: Path, scale: float, seed: int, embedder: str
) -> StoreBuild:
    """The record of a store built before; refuses one built for another scale or encoder."""
    count = services.products.count()
    previous = read_build(root)
    if previous is None:  # e.g. a copy of a store built elsewhere: count the real catalog
        real = load_catalog(services.settings.catalog_path, services.settings.catalog_format)
        expected = scaled_size(len(real.products), scale)
        previous = StoreBuild(scale=scale, seed=seed, embedder="torch", products=count)
    else:
        expected = previous.products if (previous.scale, previous.seed) == (scale, seed) else -1
    if count != expected or previous.embedder != embedder:
        raise SystemExit(
            f"{root} holds {count} products built with {previous.embedder}; scale {scale:g} "
            f"(seed {seed}) with {embedder} needs {expected}: use another store folder"
        )
    return previous.model_copy(update={"reused": True})


def ensure_store(root: Path, scale: float, seed: int = 0, embedder: str = "torch") -> StoreBuild:
    """Run :func:`build_store_at_scale` in a child process; progress goes to stderr.

    Raises:
        RuntimeError: The child failed (its error is on stderr).
    """
    command = [sys.executable, "-m", "benchmarks.scaled_store", "--root", str(root)]
    command += ["--scale", str(scale), "--seed", str(seed), "--embedder", embedder]
    done = subprocess.run(command, cwd=REPO_ROOT, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"building the {scale:g}x store in {root} failed ({done.returncode})")
    return StoreBuild.model_validate_json(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, required=True, help="the store folder")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--embedder", choices=EMBEDDERS, default="torch")
    args = parser.parse_args(argv)
    if args.scale <= 0:
        parser.error("--scale must be positive")
    handler = logging.StreamHandler()  # warnings only, whatever level a library sets itself
    handler.setLevel(logging.WARNING)
    logging.basicConfig(level=logging.WARNING, handlers=[handler])
    build = build_store_at_scale(args.root, args.scale, args.seed, args.embedder)
    sys.stdout.write(json.dumps(build.model_dump()) + "\n")


if __name__ == "__main__":
    main()
