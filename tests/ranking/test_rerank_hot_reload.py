"""Hot reload: a newly saved CTR model is served without a restart; a broken one is not."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
import torch

from ranking.artifact import CtrScorer, save_artifact
from ranking.ctr_ranker import CtrRanker
from ranking.encoders import FeatureEncoders
from ranking.features import RankInputs, SessionHistory, raw_features
from ranking.hot_reload import ModelWatcher
from ranking.models import build_model
from ranking.popularity import PopularityTable
from ranking.rerank import RankingContext
from ranking.train import model_config
from retrieval.catalog.product import Product
from retrieval.embedder import Vectors
from retrieval.search import Candidate, Candidates, RetrievalSignal, SearchQuery
from tests.retrieval.fakes import HashEmbedder

pytestmark = pytest.mark.unit

DIM = HashEmbedder.dimension


def _candidates(n: int = 12) -> Candidates:
    items = [
        Candidate(
            product=Product(id=f"p{i}", title=f"Product {i}", brand=f"B{i % 4}",
                            category="laptop", price=Decimal(100 + 37 * i)),
            score=1.0 / (i + 1),
            rank=i + 1,
            signals={"dense": RetrievalSignal(score=0.8 - i / 50, rank=i + 1)},
        )
        for i in range(n)
    ]  # fmt: skip
    return Candidates(query=SearchQuery(text="laptop"), items=items)


class Snapshot:
    def vectors(self, ids: list[str]) -> Vectors:
        return HashEmbedder().embed(list(ids))


class NoHistory:
    def history(self, session_id: str | None) -> SessionHistory:
        return SessionHistory()


def _save(root: Path, seed: int) -> str:
    cands = _candidates().items
    raw = raw_features(
        RankInputs(
            query_vector=HashEmbedder().embed(["laptop"])[0],
            candidates=cands,
            product_vectors=Snapshot().vectors([c.product.id for c in cands]),
        )
    )
    encoders = FeatureEncoders.fit(raw, min_brand_count=1, price_buckets=2)
    config = model_config(encoders, DIM)
    torch.manual_seed(seed)
    model = build_model("logreg", config)
    return save_artifact(root, "logreg", model, config, encoders).name


def _ranker(watcher: ModelWatcher[CtrScorer]) -> CtrRanker:
    return CtrRanker(
        watcher, HashEmbedder(), Snapshot(), NoHistory(), PopularityTable(), blend_weight=1.0
    )


def _order(ranker: CtrRanker) -> tuple[str, list[str]]:
    ranked = ranker.rank(_candidates(), RankingContext(), k=12)
    return ranked.ranker, [c.product.id for c in ranked.items]


def test_new_model_is_served_after_the_check_interval_without_restart(tmp_path: Path) -> None:
    now = [0.0]
    watcher = ModelWatcher(tmp_path, CtrScorer.load, check_seconds=5, clock=lambda: now[0])
    ranker = _ranker(watcher)
    assert _order(ranker)[0] == "diversified"  # cold start: nothing trained yet

    first = _save(tmp_path, seed=1)
    assert _order(ranker)[0] == "diversified"  # not looked at again within 5 s
    now[0] = 6.0
    name, order_first = _order(ranker)
    assert name == f"ctr:{first}"

    second = _save(tmp_path, seed=2)
    assert second != first
    now[0] = 12.0
    name, order_second = _order(ranker)
    assert name == f"ctr:{second}" and watcher.reloads == 2
    assert order_second != order_first  # the new weights really rank


def test_a_broken_new_model_keeps_the_old_one(tmp_path: Path) -> None:
    now = [0.0]
    watcher = ModelWatcher(tmp_path, CtrScorer.load, check_seconds=1, clock=lambda: now[0])
    good = _save(tmp_path, seed=1)
    assert watcher.current() is not None and watcher.current().version == good  # type: ignore[union-attr]
    (tmp_path / "current.json").write_text('{"version": "missing-dir"}')
    now[0] = 2.0
    current = watcher.current()
    assert current is not None and current.version == good and watcher.failures == 1
    now[0] = 4.0
    watcher.current()
    assert watcher.failures == 1  # not retried until the pointer changes again


def test_watcher_validation(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        ModelWatcher(tmp_path, CtrScorer.load, check_seconds=-1)
    assert ModelWatcher(tmp_path / "nothing", CtrScorer.load).current() is None


def test_the_current_alias_of_the_model_root_is_watched_too(tmp_path: Path) -> None:
    now = [0.0]
    watcher = ModelWatcher(
        tmp_path / "current", CtrScorer.load, check_seconds=1, clock=lambda: now[0]
    )
    assert watcher.current() is None
    version = _save(tmp_path, seed=3)
    now[0] = 2.0
    current = watcher.current()
    assert current is not None and current.version == version
