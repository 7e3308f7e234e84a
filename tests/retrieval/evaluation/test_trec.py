"""TREC-style judgment files: round trips and malformed input."""

from pathlib import Path

import pytest

from retrieval.evaluation.errors import JudgmentFileError
from retrieval.evaluation.trec import (
    QueryMeta,
    read_qrels,
    read_queries,
    read_split,
    write_qrels,
    write_queries,
    write_run,
    write_split,
)

pytestmark = pytest.mark.unit


def test_round_trip(tmp_path: Path) -> None:
    queries = {"q1": "usb hub", "q2": "laptop under $500"}
    qrels = {"q1": {"10": 3, "11": 0}, "q2": {"12": 2}}
    split = {"q1": QueryMeta(part="tune", type="broad"), "q2": QueryMeta(part="test", type="price")}
    write_queries(tmp_path / "q.tsv", queries)
    write_qrels(tmp_path / "r.tsv", qrels)
    write_split(tmp_path / "s.tsv", split)
    assert read_queries(tmp_path / "q.tsv") == queries
    assert read_qrels(tmp_path / "r.tsv") == qrels
    assert read_split(tmp_path / "s.tsv") == split


def test_comments_blank_lines_and_whitespace_qrels(tmp_path: Path) -> None:
    (tmp_path / "r.txt").write_text("# header\n\nq1 0 d1 2\nq1\t0\td2\t-1\n")
    assert read_qrels(tmp_path / "r.txt") == {"q1": {"d1": 2, "d2": -1}}


def test_query_text_keeps_inner_tabs_out(tmp_path: Path) -> None:
    (tmp_path / "q.tsv").write_text("q1\t  wireless mouse  \n")
    assert read_queries(tmp_path / "q.tsv") == {"q1": "wireless mouse"}


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("queries", "q1 no tab here\n"),
        ("queries", "q1\t\n"),
        ("queries", "q1\ta\nq1\tb\n"),
        ("qrels", "q1\t0\td1\n"),
        ("qrels", "q1\t0\td1\tgood\n"),
        ("qrels", "q1 0 d1 1\nq1 0 d1 2\n"),
        ("split", "q1\n"),
        ("split", "q1\ttest\tx\nq1\ttune\tx\n"),
    ],
)
def test_malformed_files_name_the_line(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / f"{name}.tsv"
    path.write_text(text)
    reader = {"queries": read_queries, "qrels": read_qrels, "split": read_split}[name]
    with pytest.raises(JudgmentFileError, match=r":\d+:"):
        reader(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(JudgmentFileError, match="no such file"):
        read_queries(tmp_path / "absent.tsv")


def test_writers_refuse_fields_that_would_break_the_format(tmp_path: Path) -> None:
    with pytest.raises(JudgmentFileError):
        write_queries(tmp_path / "q.tsv", {"q1": "two\tcolumns"})
    with pytest.raises(JudgmentFileError):
        write_qrels(tmp_path / "r.tsv", {"q 1\t": {"d": 1}})


def test_run_file_ranks_from_one(tmp_path: Path) -> None:
    write_run(tmp_path / "run.txt", {"q1": [("d1", 2.5), ("d2", 1.0)]}, tag="bm25")
    lines = (tmp_path / "run.txt").read_text().splitlines()[1:]
    assert lines == ["q1 Q0 d1 1 2.500000 bm25", "q1 Q0 d2 2 1.000000 bm25"]


def test_bundled_judgments_are_consistent() -> None:
    root = Path(__file__).resolve().parents[3] / "data" / "eval"
    queries = read_queries(root / "queries.tsv")
    qrels = read_qrels(root / "qrels.tsv")
    split = read_split(root / "split.tsv")
    assert len(queries) >= 80
    assert set(split) == set(queries)
    assert {m.part for m in split.values()} == {"tune", "test"}
    assert set(qrels) <= set(queries)
    assert all(0 <= g <= 3 for judged in qrels.values() for g in judged.values())
    # every query has at least one relevant judgment, so every query can be scored
    assert all(any(g >= 1 for g in qrels[q].values()) for q in queries)
