"""The whole bundled Icecat catalog loads, fast, into every category the store needs."""

from __future__ import annotations

import time

import pytest

from retrieval.catalog.loading import bundled_catalog_path, format_category_report, load_catalog

REQUIRED = (
    "laptop",
    "monitor",
    "printer",
    "toner",
    "ink",
    "cable",
    "adapter",
    "memory",
    "battery",
    "keyboard",
    "mouse",
    "projector",
    "bag",
    "headset",
    "camera",
    "storage",
)


@pytest.mark.slow
def test_full_bundled_catalog_loads() -> None:
    started = time.perf_counter()
    load = load_catalog(bundled_catalog_path())
    elapsed = time.perf_counter() - started
    report = load.report
    assert report.rows_read == 19_406
    assert report.loaded == 19_406
    assert report.skipped == {}
    assert len({p.id for p in load.products}) == 19_406
    assert all(report.category_counts.get(slug, 0) > 0 for slug in REQUIRED), report
    # Few products should be left unsorted.
    assert report.category_counts.get("other", 0) < 0.06 * report.loaded
    assert "laptop" in format_category_report(report)
    assert elapsed < 10, f"loading took {elapsed:.1f}s"


@pytest.mark.unit
def test_bundled_catalog_path_points_at_the_zips() -> None:
    path = bundled_catalog_path()
    assert path.name == "icecat"
    assert sorted(p.name for p in path.glob("*.json.zip")) == [
        "1.json.zip",
        "2.json.zip",
        "3.json.zip",
        "4.json.zip",
    ]
