"""Benchmark of the encoder backends in one run: torch vs ONNX Runtime vs ONNX int8.

    python -m benchmarks.embedders [--products 2000] [--threads 2] [--query-runs 3]
                                   [--backends torch,onnx,onnx-int8] [--seed 0]

All backends come from the same weights (``model_path``) with the same intra-op thread count
(``--threads``, default 2), batch size and max length. For each one:

* products/s: index-build-style batch encoding (``embed`` of ``document_text``, batched and
  length-sorted as ``shopbot index`` does) of ``--products`` products sampled from the
  bundled catalog (seeded);
* per-query latency p50/p95: one ``embed([query])`` call per shopper query (the benchmark
  openers and follow-ups), ``--query-runs`` times each, no cache;
* agreement with torch: min / mean cosine on the products and on the queries, and
  retrieval overlap@10 (the openers' 10 nearest products among the sample, vs torch's).

The shared CPU drifts, so the timing is interleaved: the products are encoded in
``--rounds`` chunks and every chunk is run by each backend in turn (rotating who goes
first), and each query is timed on every backend before the next query. ONNX files are
exported first if missing (not timed here; ``shopbot embedder export`` prints that cost).
Figures land in ``benchmarks/results/embedders.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from assistant.config import Settings
from benchmarks.queries import FOLLOW_UPS, OPENERS
from retrieval.catalog.loading import load_catalog
from retrieval.embedder import Embedder, Vectors
from retrieval.embedder_factory import BACKENDS, build_embedder
from retrieval.index import document_text

RESULTS = Path(__file__).resolve().parent / "results"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def sample_texts(settings: Settings, n: int, seed: int) -> list[str]:
    """``n`` product texts drawn (seeded) from the bundled catalog, as the index embeds them."""
    products = load_catalog(settings.catalog_path).products
    picked = random.Random(seed).sample(products, min(n, len(products)))
    return [document_text(p) for p in picked]


def load_backends(
    names: list[str], settings: Settings, threads: int
) -> tuple[dict[str, Embedder], dict[str, float]]:
    """Each backend built (exported first if needed) and warmed up; seconds to load each."""
    encoders: dict[str, Embedder] = {}
    load_seconds: dict[str, float] = {}
    for name in names:
        build_embedder(name, settings.model_path, onnx_cache_dir=settings.onnx_cache_dir)  # export
        started = time.perf_counter()
        encoders[name] = build_embedder(
            name,
            settings.model_path,
            batch_size=settings.embed_batch_size,
            max_length=settings.embed_max_length,
            threads=threads,
            onnx_cache_dir=settings.onnx_cache_dir,
        )
        load_seconds[name] = time.perf_counter() - started
        encoders[name].embed(["warm up the kernels", "usb-c cable"] * 8)
    return encoders, load_seconds


def batch_throughput(
    encoders: dict[str, Embedder], texts: list[str], rounds: int
) -> tuple[dict[str, float], dict[str, Vectors]]:
    """Products/s per backend (interleaved chunks) and every backend's vectors of ``texts``."""
    names = list(encoders)
    seconds = dict.fromkeys(names, 0.0)
    parts: dict[str, list[Vectors]] = {name: [] for name in names}
    size = -(-len(texts) // rounds)
    for r, start in enumerate(range(0, len(texts), size)):
        chunk = texts[start : start + size]
        for name in names[r % len(names) :] + names[: r % len(names)]:
            began = time.perf_counter()
            parts[name].append(encoders[name].embed(chunk))
            seconds[name] += time.perf_counter() - began
    rates = {name: len(texts) / seconds[name] for name in names}
    return rates, {name: np.vstack(parts[name]) for name in names}


def query_latency(
    encoders: dict[str, Embedder], queries: list[str], runs: int
) -> dict[str, list[float]]:
    """Milliseconds of one ``embed([query])`` per backend, each query on every backend in turn."""
    timings: dict[str, list[float]] = {name: [] for name in encoders}
    for _ in range(runs):
        for query in queries:
            for name, encoder in encoders.items():
                began = time.perf_counter()
                encoder.embed([query])
                timings[name].append((time.perf_counter() - began) * 1000)
    return timings


def agreement(vectors: Vectors, reference: Vectors) -> tuple[float, float]:
    cosine = np.einsum("ij,ij->i", vectors, reference)
    return float(cosine.min()), float(cosine.mean())


def overlap_at_10(
    queries: Vectors, docs: Vectors, ref_queries: Vectors, ref_docs: Vectors
) -> float:
    """Mean share of torch's 10 nearest products that the backend also ranks in its top 10."""
    got = np.argsort(-(queries @ docs.T), axis=1)[:, :10]
    want = np.argsort(-(ref_queries @ ref_docs.T), axis=1)[:, :10]
    return float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(got, want, strict=True)]))


def file_size_mb(encoder: Embedder, settings: Settings) -> float:
    path = Path(getattr(encoder, "onnx_path", Path(settings.model_path) / "model.safetensors"))
    return path.stat().st_size / 1e6 if path.is_file() else 0.0


def run(args: argparse.Namespace) -> dict[str, Any]:
    settings = Settings()
    names = [n.strip() for n in args.backends.split(",")]
    if any(n not in BACKENDS for n in names) or "torch" not in names:
        raise SystemExit(f"--backends: a comma list of {', '.join(BACKENDS)} including torch")
    names = ["torch"] + [n for n in names if n != "torch"]
    texts = sample_texts(settings, args.products, args.seed)
    queries = OPENERS + FOLLOW_UPS
    searches = len(OPENERS)  # follow-ups ("cheaper", "thanks") are not searched on their own
    encoders, load_seconds = load_backends(names, settings, args.threads)
    rates, doc_vectors = batch_throughput(encoders, texts, args.rounds)
    timings = query_latency(encoders, queries, args.query_runs)
    query_vectors = {name: enc.embed(queries) for name, enc in encoders.items()}
    rows: dict[str, dict[str, float]] = {}
    for name in names:
        doc_min, doc_mean = agreement(doc_vectors[name], doc_vectors["torch"])
        q_min, q_mean = agreement(query_vectors[name], query_vectors["torch"])
        rows[name] = {
            "products_per_s": rates[name],
            "query_p50_ms": percentile(timings[name], 0.5),
            "query_p95_ms": percentile(timings[name], 0.95),
            "query_mean_ms": statistics.fmean(timings[name]),
            "cosine_min_products": doc_min,
            "cosine_mean_products": doc_mean,
            "cosine_min_queries": q_min,
            "cosine_mean_queries": q_mean,
            "overlap_at_10": overlap_at_10(
                query_vectors[name][:searches],
                doc_vectors[name],
                query_vectors["torch"][:searches],
                doc_vectors["torch"],
            ),
            "load_s": load_seconds[name],
            "model_mb": file_size_mb(encoders[name], settings),
        }
    return {
        "products": len(texts),
        "queries": len(queries),
        "query_runs": args.query_runs,
        "threads": args.threads,
        "batch_size": settings.embed_batch_size,
        "max_length": settings.embed_max_length,
        "backends": rows,
    }


COLUMNS = [
    ("products_per_s", "products/s", "{:.0f}"),
    ("query_p50_ms", "query p50 ms", "{:.2f}"),
    ("query_p95_ms", "query p95 ms", "{:.2f}"),
    ("cosine_min_products", "cos min (prod)", "{:.4f}"),
    ("cosine_mean_products", "cos mean (prod)", "{:.4f}"),
    ("cosine_min_queries", "cos min (query)", "{:.4f}"),
    ("overlap_at_10", "overlap@10", "{:.3f}"),
    ("load_s", "load s", "{:.1f}"),
    ("model_mb", "model MB", "{:.0f}"),
]


def format_table(figures: dict[str, Any]) -> str:
    header = f"{'backend':<10}" + "".join(f"{title:>17}" for _, title, _ in COLUMNS)
    lines = [
        f"{figures['products']} products, {figures['queries']} queries x {figures['query_runs']}, "
        f"{figures['threads']} intra-op threads, batch {figures['batch_size']}",
        header,
    ]
    for name, row in figures["backends"].items():
        cells = "".join(f"{fmt.format(row[key]):>17}" for key, _, fmt in COLUMNS)
        lines.append(f"{name:<10}{cells}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--products", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--query-runs", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=4, help="interleaved chunks of products")
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS / "embedders.json")
    args = parser.parse_args(argv)
    if args.products < 10 or args.threads < 1 or args.query_runs < 1 or args.rounds < 1:
        parser.error("--products >= 10, --threads, --query-runs and --rounds >= 1")
    figures = run(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2) + "\n")
    sys.stdout.write(format_table(figures) + f"\n(saved to {args.out})\n")


if __name__ == "__main__":
    main()
