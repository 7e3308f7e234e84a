"""``shopbot keys create | list | revoke``: the key is printed once and stored hashed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from assistant.cli import app
from db.api_keys import KEY_PATTERN

pytestmark = pytest.mark.unit
runner = CliRunner()


@pytest.fixture
def shop_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SHOPBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'shop.db'}")
    monkeypatch.setenv("SHOPBOT_CHROMA_PATH", str(tmp_path / "chroma"))
    return tmp_path


def test_create_list_revoke(shop_env: Path) -> None:
    created = runner.invoke(app, ["keys", "create", "--name", "web shop", "--rate-limit", "30"])
    assert created.exit_code == 0, created.output
    key = created.stdout.strip()
    match = KEY_PATTERN.match(key)
    assert match is not None
    prefix = match.group(1)
    assert runner.invoke(app, ["keys", "create", "--name", "batch"]).exit_code == 0

    engine = create_engine(f"sqlite:///{shop_env / 'shop.db'}")
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT prefix, key_hash, name FROM api_keys")).all()
    engine.dispose()
    assert len(stored) == 2 and not any(
        key in str(row) or match.group(2) in str(row) for row in stored
    )

    listed = runner.invoke(app, ["keys", "list"]).stdout.splitlines()
    assert len(listed) == 2 and listed[0].startswith(f"{prefix}\tweb shop\tcreated ")
    assert listed[0].endswith("revoked -\t30/min") and listed[1].endswith("default/min")
    assert key not in "".join(listed)

    revoked = runner.invoke(app, ["keys", "revoke", prefix])
    assert revoked.exit_code == 0 and prefix in revoked.stdout
    listed = runner.invoke(app, ["keys", "list"]).stdout.splitlines()
    assert "revoked -" not in listed[0] and "revoked -" in listed[1]


@pytest.mark.parametrize(
    "args",
    [
        ["keys", "revoke", "nokey123"],
        ["keys", "create", "--name", "  "],
        ["keys", "create", "--name", "x", "--rate-limit", "-1"],
        ["keys", "create"],
    ],
)
def test_bad_input_exits_nonzero(shop_env: Path, args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code != 0
    assert runner.invoke(app, ["keys", "list"]).stdout == ""
