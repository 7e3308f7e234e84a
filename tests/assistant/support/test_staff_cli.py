"""``shopbot staff create | list | disable``: accounts from the command line, stored hashed."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from assistant.cli import app

pytestmark = pytest.mark.unit
runner = CliRunner()


@pytest.fixture
def shop_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SHOPBOT_DATABASE_URL", f"sqlite:///{tmp_path / 'shop.db'}")
    monkeypatch.setenv("SHOPBOT_CHROMA_PATH", str(tmp_path / "chroma"))
    return tmp_path


def test_create_list_disable(shop_env: Path) -> None:
    created = runner.invoke(
        app, ["staff", "create", "ana", "--password-stdin"], input="a long passphrase\n"
    )
    assert created.exit_code == 0, created.output
    assert "created staff account ana (agent)" in created.output
    viewer = runner.invoke(
        app, ["staff", "create", "vic", "--role", "viewer"],
        input="another passphrase\nanother passphrase\n",
    )  # fmt: skip
    assert viewer.exit_code == 0, viewer.output
    engine = create_engine(f"sqlite:///{shop_env / 'shop.db'}")
    with engine.connect() as conn:
        hashes = conn.execute(text("SELECT password_hash FROM staff_users")).scalars().all()
    assert len(hashes) == 2 and all(h.startswith("scrypt$") for h in hashes)
    assert not any("passphrase" in h for h in hashes)

    assert runner.invoke(app, ["staff", "disable", "vic"]).exit_code == 0
    listed = runner.invoke(app, ["staff", "list"]).output.splitlines()
    assert listed == ["ana\tagent\tactive", "vic\tviewer\tdisabled"]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["staff", "create", "ana", "--password-stdin"], "short\n", "10 characters"),
        (["staff", "create", "a b", "--password-stdin"], "a long passphrase\n", "letters"),
        (["staff", "create", "ana", "--role", "root"], "", "agent or viewer"),
        (["staff", "disable", "nobody"], "", "no staff account"),
    ],
)
def test_bad_input_is_refused(shop_env: Path, args: list[str], stdin: str, message: str) -> None:
    result = runner.invoke(app, args, input=stdin)
    assert result.exit_code == 2
    assert message in result.output
