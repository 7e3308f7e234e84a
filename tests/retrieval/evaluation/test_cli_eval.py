"""``shopbot eval retrieval`` end to end on the indexed catalog slice."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from retrieval.catalog.product import Product
from retrieval.evaluation.trec import write_qrels, write_queries

runner = CliRunner()


@pytest.fixture
def store_env(built_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "store"
    shutil.copytree(built_store, root)
    monkeypatch.setenv("SHOPBOT_DATABASE_URL", f"sqlite:///{root / 'shop.db'}")
    monkeypatch.setenv("SHOPBOT_CHROMA_PATH", str(root / "chroma"))
    monkeypatch.setenv("SHOPBOT_INDEX_ON_START", "false")
    return tmp_path


def _judgments(folder: Path, products: list[Product]) -> tuple[Path, Path]:
    by_category: dict[str, list[str]] = {}
    for p in products:
        by_category.setdefault(p.category, []).append(p.id)
    queries = {"q1": "laptop", "q2": "toner cartridge"}
    qrels = {
        "q1": dict.fromkeys(by_category["laptop"], 3) | {by_category["toner"][0]: 0},
        "q2": dict.fromkeys(by_category["toner"], 3),
    }
    write_queries(folder / "queries.tsv", queries)
    write_qrels(folder / "qrels.tsv", qrels)
    return folder / "queries.tsv", folder / "qrels.tsv"


@pytest.mark.integration
@pytest.mark.slow
def test_eval_retrieval_prints_tables_and_writes_report(
    store_env: Path, catalog_slice: list[Product], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SHOPBOT_FUSION_DENSE_WEIGHT", "2")
    queries, qrels = _judgments(store_env, catalog_slice)
    out = store_env / "out"
    result = runner.invoke(
        app,
        ["eval", "retrieval", "--queries", str(queries), "--qrels", str(qrels), "--split", "all",
         "--json-out", str(out / "r.json"), "--png-out", str(out / "c.png")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "nDCG@10" in result.output and "laptop" in result.output
    report = json.loads((out / "r.json").read_text())
    assert [s["name"] for s in report["systems"]] == ["bm25", "dense", "hybrid", "full"]
    by_name = {s["name"]: s["mean"] for s in report["systems"]}
    # the slice has 40 laptops and 40 toners: every system finds them
    assert all(m["ndcg"] > 0.8 for m in by_name.values()), by_name
    assert (out / "c.png").stat().st_size > 1000
    assert any("dense_weight=2.0" in note for note in report["notes"]), report["notes"]


@pytest.mark.integration
def test_eval_retrieval_fails_cleanly_on_bad_input(
    store_env: Path, catalog_slice: list[Product]
) -> None:
    queries, qrels = _judgments(store_env, catalog_slice)
    no_split = runner.invoke(
        app, ["eval", "retrieval", "--queries", str(queries), "--qrels", str(qrels),
              "--split", "test", "--split-file", str(store_env / "none.tsv")],
    )  # fmt: skip
    assert no_split.exit_code == 2
    assert "split file" in no_split.output
    unknown = runner.invoke(app, ["eval", "retrieval", "--systems", "bm42"])
    assert unknown.exit_code == 2
    assert "unknown system" in unknown.output
    no_model = runner.invoke(app, ["eval", "retrieval", "--model", str(store_env / "nope")])
    assert no_model.exit_code == 2
    assert "no model folder" in no_model.output
