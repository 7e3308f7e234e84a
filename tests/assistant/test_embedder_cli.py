"""``shopbot embedder export``: prints where the ONNX files are; a bad model folder fails."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from assistant.cli import app
from assistant.config import Settings


@pytest.mark.unit
def test_a_folder_without_weights_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["embedder", "export", "--model", str(tmp_path), "--cache-dir", str(tmp_path / "c")]
    )
    assert result.exit_code == 2
    assert "no config.json and weights" in result.output
    assert not (tmp_path / "c").exists()


@pytest.mark.integration
@pytest.mark.slow
def test_export_reports_the_cached_files() -> None:
    """Against the shared cache (exported once per machine; see tests/retrieval)."""
    cache = Settings().onnx_cache_dir
    CliRunner().invoke(app, ["embedder", "export", "--cache-dir", str(cache)])  # make sure
    result = CliRunner().invoke(app, ["embedder", "export", "--cache-dir", str(cache)])
    assert result.exit_code == 0, result.output
    lines = dict(line.split(": ", 1) for line in result.output.splitlines() if ": " in line)
    assert Path(lines["onnx"]).is_file() and lines["onnx"].endswith("model.onnx")
    assert Path(lines["onnx-int8"]).is_file()
    assert Path(lines["onnx"]).parent.name == lines["fingerprint"]
    assert "already exported" in result.output
