"""When to pull the plug: after a random time, or the moment a file is seen being written."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from tests.crash.servers import Server

POLL_SECONDS = 0.0005


def _stamp(paths: Sequence[Path]) -> tuple[tuple[int, int], ...]:
    stamps = []
    for path in paths:
        try:
            st = os.stat(path)
            stamps.append((st.st_mtime_ns, st.st_size))
        except FileNotFoundError:
            stamps.append((0, -1))
    return tuple(stamps)


def wait_for_write(paths: Sequence[Path], timeout: float) -> bool:
    """Poll until one of ``paths`` changes size or mtime; False if none did in ``timeout``."""
    before = _stamp(paths)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _stamp(paths) != before:
            return True
        time.sleep(POLL_SECONDS)
    return False


def files_under(directory: Path) -> list[Path]:
    """Every file below ``directory`` now (Chroma's SQLite file and its HNSW segment files)."""
    return sorted(p for p in directory.rglob("*") if p.is_file())


def kill_on_write(
    server: Server,
    paths: Sequence[Path],
    *,
    delay: float,
    timeout: float,
    before_kill: Callable[[], None] = lambda: None,
) -> bool:
    """SIGKILL ``server`` ``delay`` seconds after one of ``paths`` is seen changing.

    With ``delay=0`` the kill lands while the write that was seen is in progress or just
    done (its response not yet sent). Returns whether a write was seen before the kill; after
    ``timeout`` without one the server is killed anyway.
    """
    seen = wait_for_write(paths, timeout)
    if delay:
        time.sleep(delay)
    before_kill()
    server.kill()
    return seen


def wait_for_text(log: Path, text: str, timeout: float) -> bool:
    """Poll a server log until ``text`` appears in it; False after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if log.exists() and text in log.read_text(errors="replace"):
            return True
        time.sleep(0.01)
    return False
