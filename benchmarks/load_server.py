"""The server side of the load test: serve a temporary copy of a built store with ``app.py``.

Example:
    >>> with served_copy(Path("/tmp/store")) as (base_url, process):  # doctest: +SKIP
    ...     usage = server_usage(process.pid)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.config import REPO_ROOT
from benchmarks.run import UNLIMITED, _free_port, _wait_ready


def copy_store(store: Path, into: Path) -> None:
    """Copy a built store by reading it only (no SQLite connection to the original)."""
    if not (store / "shop.db").exists() or not (store / "chroma").is_dir():
        raise SystemExit(f"{store} is not a built store (shop.db and chroma/ expected)")
    for name in ("shop.db", "shop.db-wal", "shop.db-shm"):
        if (store / name).exists():
            shutil.copy2(store / name, into / name)
    shutil.copytree(store / "chroma", into / "chroma")
    if (store / "lexical").is_dir():
        shutil.copytree(store / "lexical", into / "lexical")


def server_usage(pid: int) -> dict[str, float]:
    """Peak RSS (MB) and CPU seconds of a running process, from /proc (Linux)."""
    status = Path(f"/proc/{pid}/status").read_text()
    peak_kb = next(int(line.split()[1]) for line in status.splitlines() if "VmHWM" in line)
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    return {
        "server_peak_rss_mb": peak_kb / 1024,
        "server_cpu_seconds": ticks / os.sysconf("SC_CLK_TCK"),
    }


@contextmanager
def served_copy(store: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``app.py`` serving a temporary copy of ``store`` on loopback; yields (URL, process)."""
    root = Path(tempfile.mkdtemp(prefix="shopbot-load-"))
    port = _free_port()
    env = {
        **os.environ,
        **UNLIMITED,
        "SHOPBOT_DATABASE_URL": f"sqlite:///{root / 'shop.db'}",
        "SHOPBOT_CHROMA_PATH": str(root / "chroma"),
        "SHOPBOT_PORT": str(port),
        "SHOPBOT_INDEX_ON_START": "false",
    }
    try:
        copy_store(store, root)
        with (root / "server.log").open("wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "app.py"], cwd=REPO_ROOT, env=env, stdout=log, stderr=log
            )
        try:
            _wait_ready(f"http://127.0.0.1:{port}", proc, timeout=300)
            yield f"http://127.0.0.1:{port}", proc
        except BaseException:
            sys.stderr.write((root / "server.log").read_text()[-3000:])
            raise
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    finally:
        shutil.rmtree(root, ignore_errors=True)
