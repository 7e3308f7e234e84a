"""Scale-out end to end: two app instances (one of them with two uvicorn workers) share one
PostgreSQL database and one Chroma server; a conversation, its clicks, a handoff and a staff
reply move freely between them.

The instances are real server processes started at the same time
(``uvicorn --factory app:served_app``), so their start-up (migrate, reconcile the index, build
the BM25 index, seed, sync policies) also runs concurrently against the shared backends.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from assistant.config import Settings
from assistant.wiring import Services
from tests.backends import REPO, free_port
from tests.scaleout.conftest import scaleout_env

pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.postgres,
    pytest.mark.chroma_server,
]

PASSWORD = "correct horse battery"
START_SECONDS = 300


class AppInstance:
    """One ``uvicorn --factory app:served_app`` process on a free loopback port."""

    def __init__(self, name: str, env: dict[str, str], log_dir: Path, workers: int) -> None:
        self.name = name
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / f"{name}.log"
        command = [sys.executable, "-m", "uvicorn", "--factory", "app:served_app"]
        command += ["--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)]
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                command,
                cwd=REPO,
                env={**os.environ, **env, "SHOPBOT_SERVE_TORCH_THREADS": "1"},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"{self.name} exited:\n{self.tail()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"{self.name} did not start in {START_SECONDS} s:\n{self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # uvicorn's parent stops its workers on SIGTERM
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def instances(
    scaleout_settings: Settings,
    scaleout_services: Services,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[AppInstance, AppInstance]]:
    scaleout_services.support.staff_auth.create_account("bea", PASSWORD, "agent")
    started: list[AppInstance] = []
    try:
        for name, workers in (("a", 2), ("b", 1)):
            local = tmp_path_factory.mktemp(f"instance-{name}")  # each its own BM25 folder
            env = scaleout_env(scaleout_settings, local)
            started.append(AppInstance(name, env, local, workers))
        deadline = time.monotonic() + START_SECONDS
        for instance in started:
            instance.wait_ready(deadline)
        yield started[0], started[1]
    finally:
        for instance in started:
            instance.stop()


def _chat(base: str, message: str, **extra: Any) -> dict[str, Any]:
    r = httpx.post(f"{base}/api/v1/chat", json={"message": message, **extra}, timeout=60)
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_both_instances_serve_the_shared_index(
    instances: tuple[AppInstance, AppInstance], scaleout_services: Services
) -> None:
    expected = scaleout_services.products.count()
    for instance in instances:
        body = httpx.get(f"{instance.url}/health", timeout=10).json()
        assert body["status"] == "ok" and body["products"] == body["indexed"] == expected


def test_a_conversation_moves_between_instances(
    instances: tuple[AppInstance, AppInstance], scaleout_services: Services
) -> None:
    a, b = instances
    first = _chat(a.url, "a laptop under $900")
    sid = first["session_id"]
    # The dialogue state (filters, what was shown) lives in PostgreSQL, not in a process.
    second = _chat(b.url, "only HP", session_id=sid)
    assert second["filters"]["category"] == "laptop" and second["filters"]["brands"] == ["HP"]
    third = _chat(a.url, "show more", session_id=sid)
    assert third["filters"]["brands"] == ["HP"]
    assert {p["id"] for p in second["products"]}.isdisjoint(p["id"] for p in third["products"])

    clicked = second["products"][0]["id"]
    event = {
        "session_id": sid,
        "product_id": clicked,
        "type": "click",
        "turn_id": second["turn_id"],
    }
    assert httpx.post(f"{a.url}/api/v1/events", json=event, timeout=30).status_code == 201

    for instance in instances:
        turns = httpx.get(f"{instance.url}/api/v1/sessions/{sid}", timeout=30).json()["turns"]
        assert [t["user_message"] for t in turns] == [
            "a laptop under $900",
            "only HP",
            "show more",
        ]
    events = scaleout_services.conversations.list_events(sid)
    assert [(e.product_id, e.turn_id) for e in events] == [(clicked, second["turn_id"])]


def test_a_handoff_opened_on_one_instance_is_answered_from_the_other(
    instances: tuple[AppInstance, AppInstance],
) -> None:
    a, b = instances
    sid = _chat(a.url, "I want to talk to a human agent")["session_id"]
    login = httpx.post(
        f"{b.url}/api/v1/staff/login", json={"username": "bea", "password": PASSWORD}, timeout=30
    )
    assert login.status_code == 200, login.text
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    queue = httpx.get(f"{b.url}/api/v1/staff/handoffs", headers=headers, timeout=30).json()
    case = next(h for h in queue["handoffs"] if h["session_id"] == sid)
    text = "Hi, Bea here from the other instance."
    r = httpx.post(
        f"{b.url}/api/v1/staff/handoffs/{case['id']}/messages",
        headers=headers,
        json={"text": text},
        timeout=30,
    )
    assert r.status_code == 201, r.text
    # The staff token is a row in the shared database: instance a accepts it too.
    me = httpx.get(f"{a.url}/api/v1/staff/me", headers=headers, timeout=30)
    assert me.status_code == 200 and me.json()["username"] == "bea"
    follow_up = _chat(a.url, "thanks", session_id=sid)
    assert [m["text"] for m in follow_up["staff_messages"]] == [text]


def test_a_customer_token_signed_for_one_deployment_works_on_both(
    instances: tuple[AppInstance, AppInstance], scaleout_services: Services
) -> None:
    # Instances share SHOPBOT_SECRET_KEY; without it each would sign with its own file.
    token = scaleout_services.customer_tokens.issue("alice")
    for instance in instances:
        body = _chat(instance.url, "where is order 10237?", customer_token=token)
        assert "Order 10237" in body["reply"], body["reply"]
