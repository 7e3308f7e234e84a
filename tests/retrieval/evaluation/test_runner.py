"""The runner scores any retriever the same way; the suite selects a split and reports."""

import json
from pathlib import Path

import pytest

from ranking.rerank import DiversifiedRanker
from retrieval.evaluation.errors import JudgmentFileError, SystemUnavailableError
from retrieval.evaluation.metrics import MetricSettings
from retrieval.evaluation.report import format_per_query, format_summary, write_chart, write_json
from retrieval.evaluation.runner import EvaluationRunner
from retrieval.evaluation.suite import EvaluationRequest, evaluate, load_query_set
from retrieval.evaluation.systems import RerankedRetriever, System, build_systems
from retrieval.evaluation.trec import QueryMeta, write_qrels, write_queries, write_split
from retrieval.search import SearchQuery
from tests.retrieval.evaluation.fakes import FixedRetriever

pytestmark = pytest.mark.unit

QUERIES = {"q1": "usb hub", "q2": "toner", "q3": "nothing relevant"}
QRELS = {"q1": {"a": 3, "b": 1}, "q2": {"c": 2}, "q3": {"z": 0}}


def test_runner_scores_each_query_and_skips_unscorable_ones() -> None:
    retriever = FixedRetriever({"usb hub": ["a", "x", "b"], "toner": ["y", "c"]})
    runner = EvaluationRunner(QUERIES, QRELS, MetricSettings(), depth=50)
    run = runner.run("fixed", retriever)
    assert runner.skipped == ["q3"]
    assert [s.qid for s in run.per_query] == ["q1", "q2"]
    by_qid = run.scores_by_qid()
    assert by_qid["q1"].recall == 1.0 and by_qid["q1"].mrr == 1.0
    assert by_qid["q2"].mrr == pytest.approx(0.5)
    assert run.mean.queries == 2
    assert run.rankings["q1"] == ["a", "x", "b"]
    # every query is asked with its text alone, at the evaluation depth
    assert {(q.text, q.k, q.filters.is_empty()) for q in retriever.seen} == {
        ("usb hub", 50, True),
        ("toner", 50, True),
    }


def test_runner_refuses_a_depth_below_the_recall_cut_off() -> None:
    with pytest.raises(ValueError, match="recall"):
        EvaluationRunner(QUERIES, QRELS, MetricSettings(recall_k=50), depth=10)
    with pytest.raises(ValueError, match="relevant"):
        EvaluationRunner({"q3": "x"}, QRELS)


def test_reranked_retriever_reorders_a_wider_candidate_list() -> None:
    base = FixedRetriever(
        {"hub": ["a", "b", "c", "d"]}, brands={"a": "X", "b": "X", "c": "Y", "d": "Z"}
    )
    full = RerankedRetriever(base, DiversifiedRanker(max_per_brand=1), depth=4)
    result = full.retrieve(SearchQuery(text="hub", k=3))
    assert [c.product.id for c in result.items] == ["a", "c", "d"]
    assert [c.rank for c in result.items] == [1, 2, 3]
    assert base.seen[0].k == 4


class _Services:
    def __init__(self) -> None:
        self.dense_retriever = FixedRetriever({})
        self.lexical_retriever = FixedRetriever({})
        self.retriever = FixedRetriever({})
        self.products = None


def test_build_systems_names_and_errors() -> None:
    services = _Services()
    systems = build_systems(services, ["bm25", "full"], ranker=DiversifiedRanker())  # type: ignore[arg-type]
    assert list(systems) == ["bm25", "full"]
    assert systems["bm25"].retriever is services.lexical_retriever
    with pytest.raises(SystemUnavailableError, match="--model"):
        build_systems(services, ["dense-ft"], ranker=DiversifiedRanker())  # type: ignore[arg-type]
    with pytest.raises(SystemUnavailableError, match="unknown"):
        build_systems(services, ["bm42"], ranker=DiversifiedRanker())  # type: ignore[arg-type]


def _files(tmp_path: Path) -> EvaluationRequest:
    write_queries(tmp_path / "q.tsv", QUERIES)
    write_qrels(tmp_path / "r.tsv", QRELS)
    write_split(
        tmp_path / "s.tsv",
        {
            "q1": QueryMeta(part="test", type="broad"),
            "q2": QueryMeta(part="tune", type="brand"),
            "q3": QueryMeta(part="test", type="broad"),
        },
    )
    return EvaluationRequest(
        queries=tmp_path / "q.tsv", qrels=tmp_path / "r.tsv", split_file=tmp_path / "s.tsv"
    )


def test_split_selection(tmp_path: Path) -> None:
    request = _files(tmp_path)
    assert set(load_query_set(request).queries) == {"q1", "q3"}
    tune = request.model_copy(update={"part": "tune"})
    assert set(load_query_set(tune).queries) == {"q2"}
    everything = request.model_copy(update={"part": "all", "split_file": None})
    assert set(load_query_set(everything).queries) == set(QUERIES)
    with pytest.raises(JudgmentFileError, match="split file"):
        load_query_set(request.model_copy(update={"split_file": None}))
    with pytest.raises(JudgmentFileError, match="no queries"):
        load_query_set(request.model_copy(update={"part": "dev"}))


def test_evaluate_writes_json_chart_and_tables(tmp_path: Path) -> None:
    request = _files(tmp_path)
    good = System("good", FixedRetriever({"usb hub": ["a", "b"]}), "perfect")
    bad = System("bad", FixedRetriever({"usb hub": ["x", "y"]}), "nothing")
    report = evaluate(request, {"good": good, "bad": bad})
    assert [s.name for s in report.systems] == ["good", "bad"]
    assert report.systems[0].mean.ndcg == pytest.approx(1.0)
    assert report.systems[1].mean.ndcg == 0.0
    assert report.skipped == ["q3"]
    write_json(report, tmp_path / "out" / "report.json")
    write_chart(report, tmp_path / "out" / "chart.png")
    payload = json.loads((tmp_path / "out" / "report.json").read_text())
    assert payload["systems"][0]["mean"]["ndcg"] == pytest.approx(1.0)
    assert "rankings" not in payload["systems"][0]
    assert (tmp_path / "out" / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert format_summary(report).splitlines()[1].startswith("good")
    table = format_per_query(report)
    assert "1.00/1.00/1.00" in table and "q3" not in table
