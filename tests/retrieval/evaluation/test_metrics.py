"""Metric code against hand-computed examples."""

import math

import pytest

from retrieval.evaluation.metrics import (
    MetricSettings,
    dcg,
    judged_at_k,
    mean_scores,
    ndcg_at_k,
    recall_at_k,
    reciprocal_rank_at_k,
    score_query,
)

pytestmark = pytest.mark.unit

# a is exact (3), x is relevant (2) but never retrieved, c is related (1), b and d are unjudged.
JUDGED = {"a": 3, "c": 1, "x": 2, "z": 0}


def test_dcg_uses_exponential_gain_and_log2_discount() -> None:
    # (2^3-1)/log2(2) + (2^0-1)/log2(3) + (2^1-1)/log2(4) = 7 + 0 + 0.5
    assert dcg([3, 0, 1], k=10) == pytest.approx(7.5)
    assert dcg([3, 0, 1], k=1) == pytest.approx(7.0)


def test_ndcg_ideal_includes_judged_documents_that_were_not_retrieved() -> None:
    ideal = 7 + 3 / math.log2(3) + 1 / math.log2(4)  # grades 3, 2, 1 in the best order
    assert ndcg_at_k(["a", "b", "c", "d"], JUDGED, k=10) == pytest.approx(7.5 / ideal)
    assert ndcg_at_k(["a", "x", "c"], JUDGED, k=10) == pytest.approx(1.0)


def test_ndcg_cut_off_and_unjudged_count_as_zero() -> None:
    assert ndcg_at_k(["b", "d", "a"], JUDGED, k=2) == 0.0
    assert ndcg_at_k(["c", "a"], JUDGED, k=10) == pytest.approx(
        (1 + 7 / math.log2(3)) / (7 + 3 / math.log2(3) + 0.5)
    )


def test_repeated_ids_count_once() -> None:
    assert ndcg_at_k(["a", "a", "c"], JUDGED, k=10) == ndcg_at_k(["a", "c"], JUDGED, k=10)
    assert recall_at_k(["c", "c"], JUDGED, k=50) == pytest.approx(1 / 3)


def test_recall_counts_grade_one_and_up_by_default() -> None:
    assert recall_at_k(["a", "b", "c"], JUDGED, k=50) == pytest.approx(2 / 3)
    assert recall_at_k(["a", "b", "c"], JUDGED, k=50, min_grade=2) == pytest.approx(1 / 2)
    assert recall_at_k(["b", "a"], JUDGED, k=1) == 0.0


def test_mrr_needs_grade_two_by_default() -> None:
    assert reciprocal_rank_at_k(["a", "b"], JUDGED) == 1.0
    assert reciprocal_rank_at_k(["b", "c", "a"], JUDGED) == pytest.approx(1 / 3)
    assert reciprocal_rank_at_k(["b", "c", "a"], JUDGED, min_grade=1) == pytest.approx(1 / 2)
    assert reciprocal_rank_at_k(["b", "c", "a"], JUDGED, k=2) == 0.0


def test_judged_fraction_of_the_top_k() -> None:
    assert judged_at_k(["a", "b", "c", "d"], JUDGED, k=10) == pytest.approx(0.5)
    assert judged_at_k(["z", "b"], JUDGED, k=1) == 1.0
    assert judged_at_k([], JUDGED, k=10) == 0.0


def test_queries_without_relevant_documents_score_zero() -> None:
    nothing = {"a": 0, "b": -2}
    assert ndcg_at_k(["a", "b"], nothing) == 0.0
    assert recall_at_k(["a", "b"], nothing) == 0.0


def test_negative_grades_have_no_gain() -> None:
    assert dcg([-2, 3], k=10) == pytest.approx(7 / math.log2(3))


def test_score_query_and_means() -> None:
    settings = MetricSettings()
    one = score_query("q1", ["a", "b", "c"], JUDGED, settings)
    two = score_query("q2", ["b"], JUDGED, settings)
    assert (one.mrr, two.mrr, one.retrieved, two.retrieved) == (1.0, 0.0, 3, 1)
    mean = mean_scores([one, two])
    assert mean.queries == 2
    assert mean.mrr == pytest.approx(0.5)
    assert mean.recall == pytest.approx((2 / 3 + 0) / 2)
    assert mean_scores([]).queries == 0


@pytest.mark.parametrize("k", [0, -1])
def test_bad_cut_offs_fail(k: int) -> None:
    with pytest.raises(ValueError):
        dcg([1], k=k)
    with pytest.raises(ValueError):
        recall_at_k(["a"], JUDGED, k=k)
    with pytest.raises(ValueError):
        reciprocal_rank_at_k(["a"], JUDGED, k=k)
    with pytest.raises(ValueError):
        judged_at_k(["a"], JUDGED, k=k)
