"""The conversion experiment on the indexed slice: paired arms, a separate store, the report."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from ranking.cli_sim import format_experiment
from ranking.experiment import (
    ExperimentError,
    ctr_treatment,
    diversified_control,
    run_experiment,
)
from ranking.rerank import DiversifiedRanker, RankedProducts, RankingContext
from retrieval.search import Candidates

pytestmark = pytest.mark.integration


class SessionBrandRanker:
    """Test treatment: brands this session clicked go first, then the diversified order."""

    def __init__(self, services: Any) -> None:
        self._conversations = services.conversations
        self._products = services.products
        self._diversified = DiversifiedRanker(max_per_brand=50)

    def rank(self, candidates: Candidates, context: RankingContext, k: int) -> RankedProducts:
        brands: set[str] = set()
        if context.session_id is not None:
            events = self._conversations.list_events(context.session_id)
            found = self._products.get_many([e.product_id for e in events])
            brands = {p.brand for p in found.values()}
        items = sorted(candidates.items, key=lambda c: c.product.brand not in brands)
        reordered = Candidates(query=candidates.query, items=items)
        return self._diversified.rank(reordered, context, k)


def _counts(engine: Any) -> tuple[int, int]:
    with engine.connect() as connection:
        sessions = connection.execute(text("select count(*) from chat_sessions")).scalar_one()
        events = connection.execute(text("select count(*) from events")).scalar_one()
    return sessions, events


def test_identical_rankers_give_exactly_zero_lift(services: Any, tmp_path: Path) -> None:
    before = _counts(services.engine)
    report = run_experiment(
        services, diversified_control, sessions=5, seed=3, store=tmp_path / "exp.db",
        bootstrap=200,
    )  # fmt: skip
    assert report.control_turns == report.treatment_turns > 0
    for name, metric in report.metrics.items():
        assert metric.difference == 0.0, name
        assert metric.lift in (0.0, None), name
        assert metric.p_value == 1.0, name
    # The configured store is untouched; both arms' traffic is in the experiment's copy.
    assert _counts(services.engine) == before
    from sqlalchemy import create_engine

    copy = create_engine(f"sqlite:///{tmp_path / 'exp.db'}")
    assert _counts(copy)[0] == before[0] + 2 * 5
    copy.dispose()


def test_report_of_two_different_rankers_is_computed_from_the_arms(
    services: Any, tmp_path: Path
) -> None:
    report = run_experiment(
        services, SessionBrandRanker, sessions=8, seed=4, store=tmp_path / "exp.db",
        bootstrap=300,
    )  # fmt: skip
    assert report.treatment_ranker == "SessionBrandRanker"
    assert report.control_ranker == "DiversifiedRanker"
    for metric in report.metrics.values():
        for estimate in (metric.control, metric.treatment):
            assert estimate.low <= estimate.value <= estimate.high
        assert metric.difference == pytest.approx(metric.treatment.value - metric.control.value)
        if metric.control.value > 0:
            assert metric.lift == pytest.approx(metric.treatment.value / metric.control.value - 1)
        assert 0.0 <= metric.p_value <= 1.0
    table = format_experiment(report)
    assert "sessions with a purchase" in table and "SessionBrandRanker" in table


def test_ctr_treatment_needs_a_trained_model(services: Any, tmp_path: Path) -> None:
    services.settings = services.settings.model_copy(update={"ctr_model_path": tmp_path / "none"})
    with pytest.raises(ExperimentError, match="no trained CTR model"):
        run_experiment(services, ctr_treatment, sessions=2, seed=1, store=tmp_path / "e.db")


def test_experiment_refuses_too_few_sessions(services: Any) -> None:
    with pytest.raises(ExperimentError):
        run_experiment(services, diversified_control, sessions=1, seed=1)
