"""With PROMETHEUS_MULTIPROC_DIR, /metrics answers the sum over all worker processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[3]

WORKER = """
from assistant.observability.metrics import ShopMetrics
m = ShopMetrics()
m.observe_request("POST", "/api/v1/chat", 200, 0.1)
m.observe_intent("search")
"""

SCRAPE = """
from assistant.observability.metrics import ShopMetrics
print(ShopMetrics().render()[0].decode())
"""


def run(code: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_two_workers_are_summed(tmp_path: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    run(WORKER, env)
    run(WORKER, env)
    text = run(SCRAPE, env)
    chat = 'shopbot_http_request_duration_seconds_count{method="POST",route="/api/v1/chat",'
    assert f'{chat}status="200"}} 2.0' in text
    assert 'shopbot_turn_intents_total{intent="search"} 2.0' in text
