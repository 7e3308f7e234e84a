"""The ``shopbot`` command line: ingest with a column mapping, bad input, search --json."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app

runner = CliRunner()


@pytest.fixture
def shop_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SHOPBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'shop.db'}")
    monkeypatch.setenv("SHOPBOT_CHROMA_PATH", str(tmp_path / "chroma"))
    return tmp_path


@pytest.mark.unit
def test_ingest_csv_with_mapping(shop_env: Path) -> None:
    csv_file = shop_env / "shop.csv"
    csv_file.write_text(
        "sku,name,cents,maker\n"
        "A1,Logitech M185 wireless mouse,1999,Logitech\n"
        "A2,,500,Nobody\n"  # no title: skipped and counted
        "A3,StarTech.com 10 ft HDMI cable,abc,StarTech.com\n"  # bad price: skipped
    )
    result = runner.invoke(
        app,
        ["ingest", str(csv_file), "--format", "csv", "--map", "id=sku", "--map", "title=name",
         "--map", "price=cents", "--map", "brand=maker", "--map", "price_unit=cents"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "mouse" in result.output  # the category report
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{shop_env / 'shop.db'}")
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT id, price, brand, category FROM products")).all()
    assert [(r.id, float(r.price), r.brand, r.category) for r in rows] == [
        ("A1", 19.99, "Logitech", "mouse")
    ]


@pytest.mark.unit
@pytest.mark.parametrize(
    "args",
    [
        ["ingest", "no/such/file.csv"],
        ["ingest", "x.csv", "--format", "xml"],
        ["ingest", "x.csv", "--map", "title"],
        ["ingest", "x.csv", "--map", "colour=c"],
    ],
)
def test_ingest_bad_input_fails_cleanly(shop_env: Path, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.integration
def test_search_json(services, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("SHOPBOT_DATABASE_URL", services.settings.database_url)
    monkeypatch.setenv("SHOPBOT_CHROMA_PATH", str(services.settings.chroma_path))
    result = runner.invoke(app, ["search", "wireless mouse", "--k", "3", "--json"])
    assert result.exit_code == 0, result.output
    products = json.loads(result.stdout)
    assert len(products) == 3 and products[0]["category"] == "mouse"
