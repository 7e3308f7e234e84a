"""Start the real app over a store, wait until it serves, and SIGKILL it (see ``launcher``)."""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

import httpx

REPO = Path(__file__).resolve().parents[2]
LAUNCHER_START_SECONDS = 180.0


class ServerCrashError(RuntimeError):
    """The server did not start, or did not die the way the test meant it to."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def store_env(root: Path, port: int, **overrides: str) -> dict[str, str]:
    """``SHOPBOT_*`` settings serving the store at ``root`` (SQLite + embedded Chroma)."""
    env = {
        "SHOPBOT_ENVIRONMENT": "test",
        "SHOPBOT_DATABASE_URL": f"sqlite:///{root / 'shop.db'}",
        "SHOPBOT_CHROMA_PATH": str(root / "chroma"),
        "SHOPBOT_CTR_MODEL_PATH": str(root / "models" / "ctr"),
        "SHOPBOT_HOST": "127.0.0.1",
        "SHOPBOT_PORT": str(port),
        "SHOPBOT_INDEX_ON_START": "true",  # every restart reconciles the index, as in production
        # One client machine sends every request: rate limits would only add 429s.
        "SHOPBOT_RATE_LIMIT_PER_MINUTE": "0",
        "SHOPBOT_IP_RATE_LIMIT_PER_MINUTE": "0",
    }
    env.update(overrides)
    return env


class Launcher:
    """The fork server process (``python -m tests.crash.launcher``).

    Example:
        >>> with Launcher(log_dir) as launcher:
        ...     server = launcher.start(store_env(root, free_port()))
        ...     server.wait_ready()
        ...     server.kill()
    """

    def __init__(self, log_dir: Path) -> None:
        self.log_dir = log_dir
        self.starts = 0
        log_dir.mkdir(parents=True, exist_ok=True)
        self._stderr = open(log_dir / "launcher.log", "ab")  # noqa: SIM115 (closed in close)
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.crash.launcher"],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
        )
        ready = self._answer(timeout=LAUNCHER_START_SECONDS)
        if "ready" not in ready:
            raise ServerCrashError(f"launcher did not start: {ready}")

    def _answer(self, timeout: float = 30.0) -> dict[str, Any]:
        stdout: IO[str] | None = self._process.stdout
        assert stdout is not None
        deadline = time.monotonic() + timeout
        # poll, not select: the test process may hold more than 1024 descriptors.
        poller = select.poll()
        poller.register(stdout, select.POLLIN | select.POLLHUP)
        while time.monotonic() < deadline:
            if poller.poll(500):
                line = stdout.readline()
                if not line:
                    break
                answer: dict[str, Any] = json.loads(line)
                return answer
            if self._process.poll() is not None:
                break
        raise ServerCrashError(f"launcher gave no answer (see {self.log_dir / 'launcher.log'})")

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        stdin = self._process.stdin
        assert stdin is not None
        stdin.write(json.dumps(request) + "\n")
        stdin.flush()
        return self._answer()

    def start(self, env: dict[str, str]) -> Server:
        """Fork a server with ``env``; it starts serving in the background."""
        self.starts += 1
        log = self.log_dir / f"server-{self.starts:03d}.log"
        pid = int(self._ask({"cmd": "start", "env": env, "log": str(log)})["pid"])
        return Server(self, pid, f"http://127.0.0.1:{env['SHOPBOT_PORT']}", log)

    def exit_code(self, pid: int, timeout: float = 30.0) -> int:
        """Wait until the child ``pid`` has ended; its exit code (-9: killed by SIGKILL)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            reaped = self._ask({"cmd": "reap"})["reaped"]
            if str(pid) in reaped:
                return int(reaped[str(pid)])
            time.sleep(0.02)
        raise ServerCrashError(f"server {pid} did not end")

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._stderr.close()

    def __enter__(self) -> Launcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Server:
    """One server process started by the :class:`Launcher`."""

    def __init__(self, launcher: Launcher, pid: int, base_url: str, log: Path) -> None:
        self.launcher = launcher
        self.pid = pid
        self.base_url = base_url
        self.log = log

    def alive(self) -> bool:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        # A zombie (ended, not yet reaped) still answers kill(0): look at its state.
        try:
            state = Path(f"/proc/{self.pid}/stat").read_text().split(") ", 1)[1][0]
        except (FileNotFoundError, IndexError):
            return False
        return state != "Z"

    def wait_ready(self, timeout: float = 120.0) -> float:
        """Poll ``/health`` until it answers 200; returns the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if not self.alive():
                raise ServerCrashError(f"server exited during start-up, see {self.log}")
            try:
                if httpx.get(f"{self.base_url}/health", timeout=2).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise ServerCrashError(f"server not ready within {timeout} s, see {self.log}")

    def kill(self) -> None:
        """SIGKILL the server and check that the signal is what ended it."""
        if not self.alive():
            raise ServerCrashError(f"server {self.pid} had already ended, see {self.log}")
        os.kill(self.pid, signal.SIGKILL)
        code = self.launcher.exit_code(self.pid)
        if code != -signal.SIGKILL:
            raise ServerCrashError(f"server {self.pid} ended with {code}, not by SIGKILL")
