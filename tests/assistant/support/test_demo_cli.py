"""``shopbot demo seed | customers | token`` against a private store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.support.identity import CustomerTokens, load_or_create_secret

pytestmark = pytest.mark.integration


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SHOPBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'shop.db'}")
    monkeypatch.setenv("SHOPBOT_CHROMA_PATH", str(tmp_path / "chroma"))
    monkeypatch.delenv("SHOPBOT_SECRET_KEY", raising=False)
    return tmp_path


def test_seed_list_and_token(store: Path) -> None:
    runner = CliRunner()
    seeded = runner.invoke(app, ["demo", "seed"])
    assert seeded.exit_code == 0 and "3 customers, 10 orders" in seeded.output
    assert "0 customers, 0 orders" in runner.invoke(app, ["demo", "seed"]).output
    assert "alice\tAlice Martin" in runner.invoke(app, ["demo", "customers"]).output
    token = runner.invoke(app, ["demo", "token", "alice"]).output.strip()
    secret = load_or_create_secret(None, store / "secret_key")
    assert CustomerTokens(secret, clock=lambda: datetime.now(UTC)).verify(token) == "alice"


def test_unknown_customer(store: Path) -> None:
    runner = CliRunner()
    runner.invoke(app, ["demo", "seed"])
    result = runner.invoke(app, ["demo", "token", "mallory"])
    assert result.exit_code == 2 and "unknown customer" in result.output
