"""TREC-style judgment files: queries, graded qrels, query splits and runs.

Formats (UTF-8, one record per line; blank lines and lines starting with ``#`` are skipped):

* queries: ``qid<TAB>query text``
* qrels: ``qid<TAB>0<TAB>docid<TAB>grade`` (TREC qrels; whitespace-separated lines are
  accepted too, as trec_eval writes them)
* split: ``qid<TAB>part<TAB>type`` (``part`` is ``tune`` or ``test``; ``type`` is free text)
* run (written only): ``qid Q0 docid rank score tag``

Example:
    >>> queries = read_queries(Path("data/eval/queries.tsv"))
    >>> qrels = read_qrels(Path("data/eval/qrels.tsv"))
    >>> qrels["q013"]["2125929"]  # a 10 ft Cat6 patch cable for "cat6 patch cable 10 ft"
    3
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from retrieval.evaluation.errors import JudgmentFileError

Qrels = dict[str, dict[str, int]]


class QueryMeta(BaseModel):
    """Which part of the split a query belongs to, and its query type."""

    model_config = ConfigDict(frozen=True)

    part: str
    type: str = ""


def _records(path: Path) -> Iterator[tuple[int, str]]:
    if not path.is_file():
        raise JudgmentFileError(f"no such file: {path}")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise JudgmentFileError(f"cannot read {path}: {e}") from e
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            yield number, line.rstrip("\r\n")


def read_queries(path: Path) -> dict[str, str]:
    """``{qid: query text}`` from a ``qid<TAB>text`` file."""
    queries: dict[str, str] = {}
    for number, line in _records(path):
        qid, sep, text = line.partition("\t")
        qid, text = qid.strip(), text.strip()
        if not sep or not qid or not text:
            raise JudgmentFileError(f"{path}:{number}: expected 'qid<TAB>query'")
        if qid in queries:
            raise JudgmentFileError(f"{path}:{number}: query id {qid!r} repeats")
        queries[qid] = text
    return queries


def _qrel_fields(line: str) -> list[str]:
    fields = [f.strip() for f in line.split("\t")]
    return fields if len(fields) == 4 else line.split()


def read_qrels(path: Path) -> Qrels:
    """``{qid: {docid: grade}}`` from a TREC qrels file."""
    qrels: Qrels = {}
    for number, line in _records(path):
        fields = _qrel_fields(line)
        if len(fields) != 4:
            raise JudgmentFileError(f"{path}:{number}: expected 'qid 0 docid grade'")
        qid, _, docid, raw_grade = fields
        try:
            grade = int(raw_grade)
        except ValueError as e:
            raise JudgmentFileError(f"{path}:{number}: grade {raw_grade!r} is no integer") from e
        judged = qrels.setdefault(qid, {})
        if docid in judged:
            raise JudgmentFileError(f"{path}:{number}: ({qid}, {docid}) is judged twice")
        judged[docid] = grade
    return qrels


def read_split(path: Path) -> dict[str, QueryMeta]:
    """``{qid: QueryMeta}`` from a ``qid<TAB>part<TAB>type`` file."""
    split: dict[str, QueryMeta] = {}
    for number, line in _records(path):
        fields = [f.strip() for f in line.split("\t")]
        if len(fields) not in (2, 3) or not fields[0] or not fields[1]:
            raise JudgmentFileError(f"{path}:{number}: expected 'qid<TAB>part[<TAB>type]'")
        if fields[0] in split:
            raise JudgmentFileError(f"{path}:{number}: query id {fields[0]!r} repeats")
        split[fields[0]] = QueryMeta(part=fields[1], type=fields[2] if len(fields) == 3 else "")
    return split


def _write_lines(path: Path, header: str, lines: Iterator[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    body = "".join(f"{line}\n" for line in lines)
    path.write_text(f"# {header}\n{body}", encoding="utf-8")


def _check_field(value: str, what: str) -> str:
    if not value or any(c in value for c in "\t\r\n"):
        raise JudgmentFileError(f"{what} {value!r} is empty or holds a tab or newline")
    return value


def write_queries(path: Path, queries: Mapping[str, str]) -> None:
    """Write ``{qid: text}`` as a queries file."""
    _write_lines(
        path,
        "qid<TAB>query",
        (f"{_check_field(q, 'qid')}\t{_check_field(t, 'query')}" for q, t in queries.items()),
    )


def write_qrels(path: Path, qrels: Mapping[str, Mapping[str, int]]) -> None:
    """Write ``{qid: {docid: grade}}`` as a TREC qrels file (tab-separated)."""
    _write_lines(
        path,
        "qid<TAB>0<TAB>docid<TAB>grade (0 irrelevant .. 3 exact)",
        (
            f"{_check_field(qid, 'qid')}\t0\t{_check_field(doc, 'docid')}\t{grade}"
            for qid, judged in qrels.items()
            for doc, grade in judged.items()
        ),
    )


def write_split(path: Path, split: Mapping[str, QueryMeta]) -> None:
    """Write ``{qid: QueryMeta}`` as a split file."""
    _write_lines(
        path,
        "qid<TAB>part<TAB>type",
        (f"{_check_field(q, 'qid')}\t{m.part}\t{m.type}" for q, m in split.items()),
    )


def write_run(path: Path, run: Mapping[str, Sequence[tuple[str, float]]], tag: str) -> None:
    """Write ``{qid: [(docid, score), ...]}`` in TREC run format, ranks from 1."""
    _write_lines(
        path,
        "qid Q0 docid rank score tag",
        (
            f"{qid} Q0 {doc} {rank} {score:.6f} {tag}"
            for qid, ranked in run.items()
            for rank, (doc, score) in enumerate(ranked, start=1)
        ),
    )
