"""CTR artifacts: save/load round trip with encoders, atomic pointer, cold start, failures."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from ranking.artifact import CtrScorer, save_artifact
from ranking.encoders import OOV, CountPopularity
from ranking.errors import ModelLoadError
from ranking.features import HistoryItem, RankInputs, SessionHistory
from ranking.train import TrainSettings, fit_final
from retrieval.catalog.product import Product
from retrieval.search import Candidate, RetrievalSignal
from tests.ranking.ctr_logs import tiny_training_rows

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def trained():
    rows, products, table = tiny_training_rows(sessions=40)
    settings = TrainSettings(epochs=2, patience=1, batch_size=64)
    return {name: fit_final(rows, name, settings) for name in ("baseline", "logreg", "deep")}, (
        products,
        table,
    )


def _inputs(products, table, history_ids: list[str], extra: list[Product] = ()) -> RankInputs:
    chosen = [products[f"p{i}"] for i in (1, 2, 3, 4)] + list(extra)
    cands = [
        Candidate(
            product=p, score=1 / r, rank=r, signals={"dense": RetrievalSignal(score=0.5, rank=r)}
        )
        for r, p in enumerate(chosen, start=1)
    ]
    history = SessionHistory(
        items=[
            HistoryItem(product_id=pid, brand=products[pid].brand, category=products[pid].category,
                        price=float(products[pid].price), event="click")
            for pid in history_ids
        ],
        shown_prices=[100.0, 200.0],
    )  # fmt: skip
    return RankInputs(
        query_vector=table(["p0"])[0],
        candidates=cands,
        product_vectors=table([c.product.id for c in cands]),
        history=history,
        history_vectors=table(history_ids),
    )


def _popularity() -> CountPopularity:
    return CountPopularity({"p1": (3.0, 10.0)}, {"laptop": (5.0, 40.0)}, {"p1": "laptop"})


@pytest.mark.parametrize("name", ["baseline", "logreg", "deep"])
def test_round_trip_gives_identical_scores(trained, tmp_path: Path, name: str) -> None:
    fitted, (products, table) = trained[0][name], trained[1]
    path = save_artifact(tmp_path, name, fitted.model, fitted.config, fitted.encoders, {"x": 1})
    inputs = _inputs(products, table, ["p6", "p11"])
    before = CtrScorer(name, "unsaved", fitted.model, fitted.encoders).score(inputs, _popularity())
    for where in (tmp_path, path, tmp_path / "current"):
        scorer = CtrScorer.load(where)
        assert scorer.model_name == name and scorer.version == path.name
        assert scorer.runtime == "onnx"  # the exported graph serves; it agrees with the weights
        np.testing.assert_allclose(scorer.score(inputs, _popularity()), before, atol=1e-5)
        torch_only = CtrScorer(name, "v", scorer.model, scorer.builder.encoders)
        np.testing.assert_array_equal(torch_only.score(inputs, _popularity()), before)
    assert ((before > 0) & (before < 1)).all()


def test_the_graph_serves_only_if_it_agrees_with_the_weights(trained, tmp_path: Path) -> None:
    fitted, (products, table) = trained[0], trained[1]
    deep = save_artifact(tmp_path / "a", "deep", fitted["deep"].model, fitted["deep"].config,
                         fitted["deep"].encoders)  # fmt: skip
    no_history = _inputs(products, table, [])
    one_item = _inputs(products, table, ["p6"])
    graph = CtrScorer.load(deep)
    plain = CtrScorer("deep", "v", graph.model, graph.builder.encoders)
    for inputs in (no_history, one_item):
        np.testing.assert_allclose(
            graph.score(inputs, _popularity()), plain.score(inputs, _popularity()), atol=1e-5
        )
    # Another model's graph next to these weights disagrees: the weights serve, with torch.
    other = fitted["deep"].model.__class__(fitted["deep"].config)
    for parameter in other.parameters():
        parameter.data.normal_()
    elsewhere = save_artifact(tmp_path / "b", "deep", other, fitted["deep"].config,
                              fitted["deep"].encoders)  # fmt: skip
    (deep / "model.onnx").write_bytes((elsewhere / "model.onnx").read_bytes())
    assert CtrScorer.load(deep).runtime == "torch"
    (deep / "model.onnx").write_bytes(b"not a graph")
    assert CtrScorer.load(deep).runtime == "torch"
    (deep / "model.onnx").unlink()
    reloaded = CtrScorer.load(deep)
    assert reloaded.runtime == "torch"
    np.testing.assert_array_equal(
        reloaded.score(one_item, _popularity()), plain.score(one_item, _popularity())
    )


def test_pointer_swaps_to_the_newest_version_and_keeps_the_old(trained, tmp_path: Path) -> None:
    fitted = trained[0]
    first = save_artifact(tmp_path, "logreg", fitted["logreg"].model, fitted["logreg"].config,
                          fitted["logreg"].encoders)  # fmt: skip
    second = save_artifact(tmp_path, "deep", fitted["deep"].model, fitted["deep"].config,
                           fitted["deep"].encoders)  # fmt: skip
    assert json.loads((tmp_path / "current.json").read_text())["version"] == second.name
    assert CtrScorer.load(tmp_path).model_name == "deep"
    assert CtrScorer.load(first).model_name == "logreg"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left


def test_loading_without_encoders_fails_clearly(trained, tmp_path: Path) -> None:
    fitted = trained[0]["deep"]
    path = save_artifact(tmp_path, "deep", fitted.model, fitted.config, fitted.encoders)
    (path / "encoders.json").unlink()
    with pytest.raises(ModelLoadError, match="encoders.json"):
        CtrScorer.load(tmp_path)


def test_loading_nothing_or_garbage_fails_clearly(trained, tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="no CTR model"):
        CtrScorer.load(tmp_path)
    fitted = trained[0]["logreg"]
    path = save_artifact(tmp_path, "logreg", fitted.model, fitted.config, fitted.encoders)
    (path / "encoders.json").write_text('{"brands": 3}')
    with pytest.raises(ModelLoadError, match="could not load"):
        CtrScorer.load(path)


@pytest.mark.parametrize("name", ["baseline", "logreg", "deep"])
def test_cold_start_scores_are_finite(trained, name: str) -> None:
    fitted, (products, table) = trained[0][name], trained[1]
    stranger = Product(id="new-1", title="brand new", brand="NeverSeenBrand", category="drone",
                       price=Decimal("12345.00"))  # fmt: skip
    inputs = _inputs(products, table, [], extra=[stranger])
    inputs = inputs.model_copy(update={"history": SessionHistory(), "history_vectors": None})
    scorer = CtrScorer(name, "v", fitted.model, fitted.encoders)
    empty_priors = CountPopularity({}, {}, {})
    scores, reasons = scorer.contributions(inputs, empty_priors)
    assert scores.shape == (5,) and np.isfinite(scores).all()
    batch = scorer.features(inputs, empty_priors)
    assert batch.categorical[-1].tolist()[:2] == [OOV, OOV]  # unseen category and brand
    assert reasons["history_similarity"].tolist() == [0.0] * 5
    assert scorer.score(
        inputs.model_copy(update={"candidates": [], "product_vectors": np.zeros((0, 16))}),
        empty_priors,
    ).shape == (0,)
