"""Benchmark of CTR re-ranking: what re-ranking 100 candidates adds to a turn.

    python -m benchmarks.rerank --store DIR [--runs 1000] [--model DIR] [--threads N]

Over an existing store (e.g. a copy of ``var/``), 100 hybrid candidates are retrieved for each
of the benchmark openers (not timed); a session with a 5-item click history is written to a
scratch copy of the store's database. Then ``CtrRanker.rank`` (history read from SQL, product
vectors from the snapshot, features, the model, blend, diversification, reasons) is timed
``--runs`` times over those lists, next to the diversified ranker alone and to the model's
scoring alone. The query embedding is shared with retrieval (cached), as in a chat turn.

The served model is the one at ``--model`` (default: the store's ``ctr_model_path``). With no
trained model there, an untrained model of the same architecture stands in (``--stand-in``,
default ``deep``): the cost of scoring does not depend on the weights. Figures land in
``benchmarks/results/rerank.json``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from assistant.wiring import Services
from benchmarks.queries import OPENERS
from benchmarks.run import _percentile, scratch_services, write_figures
from db.records import NewEvent, NewTurn, ShownProduct
from ranking.artifact import CtrScorer, save_artifact
from ranking.ctr_ranker import CtrRanker, Scorer
from ranking.encoders import FeatureEncoders
from ranking.features import RankInputs, raw_features
from ranking.history import SqlHistoryReader
from ranking.models import build_model
from ranking.rerank import DiversifiedRanker, RankingContext, serving_signals
from ranking.train import model_config
from retrieval.search import Candidates, SearchQuery


class _Fixed:
    """A model source that always hands out one scorer."""

    def __init__(self, scorer: Scorer) -> None:
        self.scorer = scorer

    def current(self) -> Scorer:
        return self.scorer


def _stand_in(services: Services, lists: list[Candidates], name: str) -> CtrScorer:
    """An untrained ``name`` model with encoders fitted on the benchmark's own candidates."""
    items = [c for cands in lists for c in cands.items]
    inputs = RankInputs(
        query_vector=services.query_embedder.embed(["laptop"])[0],
        candidates=items,
        product_vectors=services.product_vectors.vectors([c.product.id for c in items]),
    )
    encoders = FeatureEncoders.fit(raw_features(inputs), min_brand_count=3, price_buckets=10)
    torch.manual_seed(0)
    config = model_config(encoders, services.query_embedder.dimension)
    # Saved and loaded as training would, so the stand-in scores on the same runtime (ONNX).
    folder = Path(tempfile.mkdtemp(prefix="rerank-stand-in-"))
    return CtrScorer.load(save_artifact(folder, name, build_model(name, config), config, encoders))


def _session_with_history(services: Services, cands: Candidates, clicks: int) -> str:
    """A session that was shown ``cands``' top 10 and clicked ``clicks`` of them."""
    repo = services.conversations
    chat = repo.create_session()
    shown = cands.items[:10]
    turn = repo.record_turn(
        NewTurn(
            session_id=chat.id, user_message=cands.query.text, reply="-", intent="search",
            query=cands.query.text, source="simulated",
            products=[ShownProduct(product_id=c.product.id, position=i, score=c.score,
                                   signals=serving_signals(c)) for i, c in enumerate(shown, 1)],
        )
    )  # fmt: skip
    for c in shown[:clicks]:
        repo.record_event(NewEvent(session_id=chat.id, product_id=c.product.id, type="click",
                                   turn_id=turn.id, source="simulated"))  # fmt: skip
    return chat.id


def _timed(
    runs: int, lists: list[Candidates], call: Callable[[Candidates], Any]
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each call.

    CPU time is the calling thread's: it leaves out waiting for a core, which dominates on a
    shared, overloaded machine, but also any work of torch's other threads (so it is the
    whole cost only with ``--threads 1``).
    """
    for cands in lists[:20]:  # warm-up
        call(cands)
    wall: list[float] = []
    cpu: list[float] = []
    for i in range(runs):
        cands = lists[i % len(lists)]
        started, started_cpu = time.perf_counter(), time.thread_time()
        call(cands)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return wall, cpu


def _stats(prefix: str, timings: tuple[list[float], list[float]]) -> dict[str, float]:
    wall, cpu = timings
    return {
        f"{prefix}_p50_ms": statistics.median(wall),
        f"{prefix}_p95_ms": _percentile(wall, 0.95),
        f"{prefix}_cpu_p50_ms": statistics.median(cpu),
        f"{prefix}_cpu_p95_ms": _percentile(cpu, 0.95),
    }


def rerank_latency(
    store: Path, runs: int = 1000, model: Path | None = None, stand_in: str = "deep"
) -> dict[str, Any]:
    """Time re-ranking over ``store`` (its database is copied; the store is not written)."""
    with scratch_services(store, ctr_model_path=model or store / "models" / "ctr") as services:
        return _measure(services, runs, stand_in)


def _measure(services: Services, runs: int, stand_in: str) -> dict[str, Any]:
    lists = [
        services.retriever.retrieve(SearchQuery(text=text, k=100))
        for text in OPENERS
        if text != "hello"
    ]
    lists = [c for c in lists if len(c.items) == 100]
    scorer = services.ctr_models.current() or _stand_in(services, lists, stand_in)
    session_id = _session_with_history(services, lists[0], clicks=5)
    history = SqlHistoryReader(services.conversations)
    assert len(history.history(session_id).items) == 5
    ranker = CtrRanker(
        _Fixed(scorer), services.query_embedder, services.product_vectors, history,
        services.popularity, blend_weight=services.settings.ctr_blend_weight,
    )  # fmt: skip
    context = RankingContext(session_id=session_id)
    ctr = _timed(runs, lists, lambda c: ranker.rank(c, context, k=5))
    diversified = DiversifiedRanker(max_per_brand=services.settings.max_per_brand)
    base = _timed(runs, lists, lambda c: diversified.rank(c, context, k=5))
    priors = services.popularity.snapshot()
    scored = _timed(runs, lists, lambda c: scorer.score(_inputs(ranker, c, session_id), priors))
    added = tuple(
        [a - b for a, b in zip(x, y, strict=True)] for x, y in zip(ctr, base, strict=True)
    )
    return {
        "rerank_model": f"{getattr(scorer, 'model_name', '?')}:{scorer.version}",
        "rerank_runtime": getattr(scorer, "runtime", "?"),
        "rerank_candidates": 100,
        "rerank_history_items": 5,
        "rerank_runs": runs,
        "rerank_lists": len(lists),
        "torch_threads": torch.get_num_threads(),
        "load_average_1min": os.getloadavg()[0],
        **_stats("rerank_ctr", ctr),
        **_stats("rerank_diversified", base),
        **_stats("rerank_added", added),  # type: ignore[arg-type]
        **_stats("rerank_model_score_only", scored),
    }


def _inputs(ranker: CtrRanker, cands: Candidates, session_id: str) -> RankInputs:
    return ranker.rank_inputs(cands.query.text, list(cands.items), session_id)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a store folder (var/ copy)")
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--model", type=Path, help="CTR model folder (default: the store's)")
    parser.add_argument("--stand-in", default="deep", help="architecture when no model exists")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0 = default)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    figures = rerank_latency(args.store, args.runs, args.model, args.stand_in)
    write_figures(figures, "rerank.json")


if __name__ == "__main__":
    main()
