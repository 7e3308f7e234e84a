"""CtrRanker with a fake model: blending, exact matches, diversity, cold start, failures."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import numpy.typing as npt
import pytest

from ranking.ctr_ranker import CtrRanker, blend_scores
from ranking.features import HistoryItem, Popularity, RankInputs, SessionHistory
from ranking.popularity import PopularityTable
from ranking.rerank import RankingContext
from retrieval.catalog.product import Product
from retrieval.embedder import Vectors
from retrieval.search import Candidate, Candidates, RetrievalSignal, SearchQuery
from tests.retrieval.fakes import HashEmbedder

pytestmark = pytest.mark.unit

DIM = HashEmbedder.dimension


class FakeScorer:
    """Scores each product by a fixed table; remembers what it was given."""

    def __init__(self, ctr: dict[str, float], version: str = "v1") -> None:
        self.ctr = ctr
        self.version = version
        self.seen: list[RankInputs] = []

    def score(self, inputs: RankInputs, popularity: Popularity) -> npt.NDArray[np.float32]:
        self.seen.append(inputs)
        return np.array([self.ctr.get(c.product.id, 0.1) for c in inputs.candidates], np.float32)


class Models:
    def __init__(self, scorer: object | None) -> None:
        self.scorer = scorer

    def current(self) -> object | None:
        return self.scorer


class Vectors_:
    """Product vectors: the hash embedding of the product id (zero row for 'missing')."""

    def vectors(self, ids: list[str]) -> Vectors:
        return HashEmbedder().embed(list(ids)) if ids else np.zeros((0, DIM), np.float32)


class History:
    def __init__(self, history: SessionHistory | None = None) -> None:
        self.value = history or SessionHistory()
        self.asked: list[str | None] = []

    def history(self, session_id: str | None) -> SessionHistory:
        self.asked.append(session_id)
        return self.value


def _cands(rows: list[tuple[str, str]], exact: str | None = None) -> Candidates:
    items = [
        Candidate(
            product=Product(id=pid, title=f"{brand} product {pid}", brand=brand,
                            category="laptop", price=Decimal("500")),
            score=1.0 - i / 10,
            rank=i + 1,
            signals={"dense": RetrievalSignal(score=0.9 - i / 10, rank=i + 1)},
            exact_match=pid == exact,
        )
        for i, (pid, brand) in enumerate(rows)
    ]  # fmt: skip
    return Candidates(query=SearchQuery(text="laptop"), items=items)


def _ranker(scorer: object | None, weight: float = 1.0, **kw: object) -> CtrRanker:
    return CtrRanker(
        Models(scorer),  # type: ignore[arg-type]
        HashEmbedder(),
        Vectors_(),
        kw.pop("history", History()),  # type: ignore[arg-type]
        PopularityTable(),
        blend_weight=weight,
        **kw,  # type: ignore[arg-type]
    )


ROWS = [("a", "HP"), ("b", "Dell"), ("c", "Lenovo"), ("d", "Asus")]


def test_model_order_logged_with_ctr_scores_and_version() -> None:
    scorer = FakeScorer({"a": 0.05, "b": 0.1, "c": 0.4, "d": 0.2}, version="20261128-abc")
    ranked = _ranker(scorer).rank(_cands(ROWS), RankingContext(session_id="s"), k=3)
    assert [c.product.id for c in ranked.items] == ["c", "d", "b"]
    assert ranked.ranker == "ctr:20261128-abc" and ranked.has_more
    assert ranked.signals[0]["ctr_score"] == pytest.approx(0.4)
    assert ranked.signals[0]["retrieval_rank"] == 3.0 and ranked.signals[0]["dense_rank"] == 3.0
    assert "lexical_score" not in ranked.signals[0]
    inputs = scorer.seen[0]
    assert inputs.product_vectors.shape == (4, DIM) and inputs.history_vectors is None
    np.testing.assert_allclose(inputs.query_vector, HashEmbedder().embed(["laptop"])[0])


def test_weight_zero_keeps_retrieval_order_and_blend_is_scale_free() -> None:
    scorer = FakeScorer({"a": 0.05, "b": 0.1, "c": 0.4, "d": 0.2})
    ranked = _ranker(scorer, weight=0.0).rank(_cands(ROWS), RankingContext(), k=4)
    assert [c.product.id for c in ranked.items] == ["a", "b", "c", "d"]
    a = blend_scores(np.array([0.1, 0.2, 0.3]), np.array([3.0, 1.0, 2.0]), 0.5)
    b = blend_scores(np.array([0.1, 0.2, 0.3]), np.array([30.0, 10.0, 20.0]), 0.5)
    np.testing.assert_allclose(a, b)
    assert blend_scores(np.array([0.2, 0.2]), np.array([1.0, 1.0]), 0.5).tolist() == [0.0, 0.0]


def test_exact_part_number_match_stays_first() -> None:
    scorer = FakeScorer({"a": 0.01, "b": 0.1, "c": 0.9, "d": 0.2})
    ranked = _ranker(scorer).rank(_cands(ROWS, exact="a"), RankingContext(), k=2)
    assert [c.product.id for c in ranked.items] == ["a", "c"]


def test_brand_cap_applies_after_the_model_and_paging_reaches_everything() -> None:
    rows = [("a", "HP"), ("b", "HP"), ("c", "HP"), ("d", "Dell")]
    scorer = FakeScorer({"a": 0.5, "b": 0.4, "c": 0.3, "d": 0.01})
    ranker = _ranker(scorer, max_per_brand=2)
    first = ranker.rank(_cands(rows), RankingContext(), k=3)
    assert [c.product.id for c in first.items] == ["a", "b", "d"]
    rest = ranker.rank(_cands(rows), RankingContext(offset=3), k=3)
    assert [c.product.id for c in rest.items] == ["c"] and not rest.has_more


def test_cold_start_without_a_model_is_the_diversified_ranker() -> None:
    history = History()
    ranked = _ranker(None, history=history).rank(_cands(ROWS), RankingContext(session_id="s"), k=2)
    assert ranked.ranker == "diversified"
    assert [c.product.id for c in ranked.items] == ["a", "b"]
    assert ranked.signals_at(0)["dense_score"] == pytest.approx(0.9)
    assert history.asked == []  # no model: no history read


def test_a_failing_model_serves_the_diversified_order() -> None:
    class Broken:
        version = "bad"

        def score(self, inputs: RankInputs, popularity: Popularity) -> npt.NDArray[np.float32]:
            raise RuntimeError("shape mismatch")

    ranked = _ranker(Broken()).rank(_cands(ROWS), RankingContext(), k=2)
    assert ranked.ranker == "diversified" and [c.product.id for c in ranked.items] == ["a", "b"]


def test_history_and_its_vectors_reach_the_model() -> None:
    item = HistoryItem(product_id="z", brand="Dell", category="laptop", price=700, event="click")
    history = History(SessionHistory(items=[item], shown_prices=[500.0]))
    scorer = FakeScorer({})
    _ranker(scorer, history=history).rank(_cands(ROWS), RankingContext(session_id="s1"), k=2)
    inputs = scorer.seen[0]
    assert history.asked == ["s1"] and inputs.history.items == [item]
    np.testing.assert_allclose(inputs.history_vectors, HashEmbedder().embed(["z"]))


def test_excluded_ids_and_validation() -> None:
    scorer = FakeScorer({"a": 0.9})
    ranked = _ranker(scorer).rank(_cands(ROWS), RankingContext(exclude_ids=["a"]), k=4)
    assert "a" not in [c.product.id for c in ranked.items] and ranked.total_candidates == 3
    with pytest.raises(ValueError):
        _ranker(scorer).rank(_cands(ROWS), RankingContext(), k=0)
    with pytest.raises(ValueError):
        _ranker(scorer, weight=1.5)
