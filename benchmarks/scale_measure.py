"""Everything :mod:`benchmarks.run` measures at one catalog scale.

1. The store: built (or reused) in a child process (:func:`benchmarks.scaled_store.ensure_store`).
2. The server: ``app.py`` on a scratch copy of the store's database; its start-up time,
   ``POST /api/v1/search`` p50/p95 (the requests of :mod:`benchmarks.search`: texts, part
   numbers, EANs, half of them filtered), ``POST /api/v1/chat`` p50/p95 over multi-turn
   conversations, and its peak RSS (``VmHWM``, read just before it is stopped).
3. In this process, over another scratch copy: retrieval alone (the same search requests,
   100 hybrid candidates each, no ranking, no HTTP) and the cost of CTR re-ranking 100
   candidates (:mod:`benchmarks.rerank`), with torch on as many threads as the server uses.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path
from typing import Any

import torch
from pydantic import BaseModel, Field

from assistant.config import Settings
from assistant.wiring import Services
from benchmarks.memory import peak_rss_mb
from benchmarks.rerank import _measure as rerank_measure
from benchmarks.run import _percentile, chat_latency, scratch_services, served_store
from benchmarks.scaled_store import ensure_store
from benchmarks.search import search_latency, search_requests
from retrieval.filters import SearchFilters
from retrieval.search import SearchQuery

CANDIDATES = 100


class MeasureOptions(BaseModel):
    """How much to measure at each scale.

    Example:
        >>> MeasureOptions(queries=20).queries
        20
    """

    queries: int = Field(default=200, gt=0, description="chat messages")
    search_queries: int = Field(default=300, gt=0, description="search requests")
    rerank_runs: int = Field(default=1000, gt=0)
    seed: int = 0
    embedder: str = "torch"
    ctr_model: Path | None = None


def measure_scale(store: Path, scale: float, options: MeasureOptions) -> dict[str, Any]:
    """Build or reuse the store at ``scale`` in ``store``, then time serving it."""
    build = ensure_store(store, scale, options.seed, options.embedder)
    figures: dict[str, Any] = {"store": str(store), **build.model_dump()}
    bodies = search_requests(store, options.search_queries, seed=5)
    ctr_model = options.ctr_model or Settings().ctr_model_path
    env = {"SHOPBOT_CTR_MODEL_PATH": str(ctr_model)}
    if options.embedder != "torch":
        env["SHOPBOT_EMBEDDER_BACKEND"] = options.embedder
    with served_store(store, env) as server:
        figures["server_start_seconds"] = server.start_seconds
        figures.update(search_latency("hybrid", server.base, bodies))
        figures.update(chat_latency(server.base, options.queries))
        figures["server_peak_rss_mb"] = peak_rss_mb(server.pid)
    figures.update(
        in_process_latency(store, bodies, options.rerank_runs, ctr_model, options.embedder)
    )
    return figures


def in_process_latency(
    store: Path,
    bodies: list[dict[str, Any]],
    rerank_runs: int,
    ctr_model: Path,
    embedder: str = "torch",
) -> dict[str, Any]:
    """Retrieval alone and CTR re-ranking, timed in this process over a copy of the store."""
    backend = {"embedder_backend": embedder} if embedder != "torch" else {}
    lexical = store / "lexical"
    with scratch_services(store, lexical, ctr_model_path=ctr_model, **backend) as services:
        threads = services.settings.serve_torch_threads
        if threads:
            torch.set_num_threads(threads)
        figures = retrieval_latency(services, bodies)
        figures.update(rerank_measure(services, rerank_runs, "deep"))
    return figures


def retrieval_latency(services: Services, bodies: list[dict[str, Any]]) -> dict[str, float | int]:
    """p50/p95 of the hybrid retriever fetching 100 candidates for each search request."""
    queries = [
        SearchQuery(
            text=body["query"],
            filters=SearchFilters.model_validate(body.get("filters", {})),
            k=CANDIDATES,
        )
        for body in bodies
    ]
    for query in queries[:5]:  # warm-up, not counted
        services.retriever.retrieve(query)
    timings: list[float] = []
    for query in queries:
        started = time.perf_counter()
        services.retriever.retrieve(query)
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "retrieve_requests": len(timings),
        "retrieve_candidates": CANDIDATES,
        "retrieve_p50_ms": statistics.median(timings),
        "retrieve_p95_ms": _percentile(timings, 0.95),
    }
