"""check_health on a real SQLite engine with a stand-in index: each check fails on its own."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from assistant.observability.health import check_health

pytestmark = pytest.mark.unit


@dataclass
class Counted:
    n: int = 0
    error: Exception | None = None

    def count(self) -> int:
        if self.error is not None:
            raise self.error
        return self.n


def test_all_checks_pass(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'ok.db'}")
    report = check_health(engine, Counted(12), Counted(12))
    assert report.status == "ok" and report.failed == []
    assert (report.products, report.indexed) == (12, 12)
    assert [c.name for c in report.checks] == ["database", "index"]
    assert all(c.ms >= 0 for c in report.checks)


def test_an_unreachable_database_fails_only_the_database_check(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}")  # cannot open
    report = check_health(engine, Counted(12), Counted(12))
    assert report.status == "unavailable" and report.failed == ["database"]
    assert report.products is None and report.indexed == 12
    assert report.checks[0].detail == "OperationalError"  # the type only, not the path


def test_an_index_that_raises_fails_the_index_check(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'ok.db'}")
    report = check_health(engine, Counted(3), Counted(error=ConnectionError("chroma down")))
    assert report.failed == ["index"] and report.indexed is None
    assert report.checks[1].detail == "ConnectionError"


def test_an_empty_index_over_a_non_empty_catalog_fails(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'ok.db'}")
    report = check_health(engine, Counted(5), Counted(0))
    assert report.failed == ["index"] and "empty" in (report.checks[1].detail or "")
    assert check_health(engine, Counted(0), Counted(0)).status == "ok"  # a new, empty store
