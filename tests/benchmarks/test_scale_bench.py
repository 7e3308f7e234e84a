"""The scale benchmark's parts: the store builder (built, reused, refused), peak RSS, the
table and the command line. The servers and timings themselves run only in ``make bench``."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

import benchmarks.scaled_store as scaled_store
from benchmarks.memory import peak_rss_mb, rss_mb
from benchmarks.run import _arguments
from benchmarks.scale_table import format_table
from retrieval.catalog.collect import CatalogLoad, LoadReport
from retrieval.catalog.product import Product


@pytest.mark.unit
def test_peak_rss_is_at_least_the_current_rss_and_unknown_for_a_missing_process() -> None:
    peak, now = peak_rss_mb(), rss_mb()
    assert peak is not None and now is not None
    assert peak >= now > 10  # a Python process with pytest loaded holds more than 10 MiB
    assert peak_rss_mb(os.getpid()) == pytest.approx(peak, rel=0.5)
    assert peak_rss_mb(2**22 + 17) is None  # above Linux's pid_max default


@pytest.mark.unit
def test_the_table_has_a_column_per_scale_and_says_what_was_not_timed() -> None:
    built = {"products": 970, "reused": False, "index_seconds": 83.48, "chat_p50_ms": 40.93,
             "chat_p95_ms": 97.9, "chat_errors": 0, "chat_requests": 20}  # fmt: skip
    reused = {"products": 19406, "reused": True, "embedder": "torch",
              "rerank_model": "deep:stand-in-deep"}  # fmt: skip
    table = format_table({"0.05": built, "1": reused})
    lines = table.splitlines()
    assert lines[0].split() == ["0.05x", "1x"]
    rows = {cells[0]: cells[1:] for cells in (re.split(r"\s{2,}", x.strip()) for x in lines[1:-2])}
    assert rows["products"] == ["970", "19,406"]
    assert rows["store"] == ["built now", "reused"]
    assert rows["vector index build s"] == ["83.5", "not timed"]
    assert rows["chat p50 / p95 ms (HTTP)"] == ["40.9 / 97.9", "-"]
    assert rows["chat errors"] == ["0 of 20", "- of -"]
    assert lines[-2:] == ["encoder: torch", "re-ranking model: deep:stand-in-deep"]


@pytest.mark.unit
def test_the_command_line_takes_a_list_of_scales_and_refuses_bad_ones() -> None:
    assert _arguments([]).scales == [1.0, 10.0]
    assert _arguments(["--store", "some/dir"]).scales == [1.0]
    assert _arguments(["--scales", "0.05,2"]).scales == [0.05, 2.0]
    for bad in ("0", "1,-2", "x", ""):
        with pytest.raises(SystemExit):
            _arguments(["--scales", bad])
    with pytest.raises(SystemExit):
        _arguments(["--queries", "0"])


@pytest.fixture
def small_catalog(monkeypatch: pytest.MonkeyPatch, catalog_slice: list[Product]) -> int:
    """The builder loads 12 real products instead of the bundled catalog."""
    real = catalog_slice[::27][:12]
    loaded = CatalogLoad(products=real, report=LoadReport(source="icecat", loaded=len(real)))
    monkeypatch.setattr(scaled_store, "load_catalog", lambda path, fmt=None: loaded)
    return len(real)


@pytest.mark.integration
@pytest.mark.slow
def test_a_store_is_built_at_a_scale_then_reused_and_refused_for_another(
    tmp_path: Path, small_catalog: int
) -> None:
    build = scaled_store.build_store_at_scale(tmp_path, 2, seed=0, embedder="torch")
    assert build.products == 2 * small_catalog and not build.reused
    assert build.index_seconds is not None and build.index_seconds > 0
    assert build.lexical_seconds is not None and build.build_peak_rss_mb
    assert (tmp_path / "lexical").is_dir() and (tmp_path / "chroma").is_dir()
    assert scaled_store.read_build(tmp_path) == build.model_copy(update={"reconcile_seconds": 0})

    again = scaled_store.build_store_at_scale(tmp_path, 2, seed=0, embedder="torch")
    assert again.reused and again.products == build.products
    assert again.index_seconds == build.index_seconds  # the original build's, read back

    with pytest.raises(SystemExit, match="use another store folder"):
        scaled_store.build_store_at_scale(tmp_path, 3, seed=0, embedder="torch")
    with pytest.raises(SystemExit):
        scaled_store.build_store_at_scale(tmp_path, 2, seed=1, embedder="torch")


@pytest.mark.unit
def test_store_settings_refuse_an_unknown_embedder(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        scaled_store.store_settings(tmp_path, "word2vec")
