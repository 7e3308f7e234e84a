"""Peak resident memory (RSS) of a process, from Linux's ``/proc/<pid>/status``.

``VmHWM`` ("high water mark") is the largest resident set the process has had since it
started, which is what "peak RSS" means here; it is read while the process is still alive
(e.g. just before a server is stopped). Where ``/proc`` is missing (not Linux), the peak of
this process comes from ``resource.getrusage``; another process's peak is then unknown.

Example:
    >>> peak_rss_mb() > 0
    True
"""

from __future__ import annotations

import os
import resource
import sys
from pathlib import Path


def peak_rss_mb(pid: int | None = None) -> float | None:
    """Peak RSS of process ``pid`` (default: this one) in MiB, or None if it cannot be read."""
    status = Path(f"/proc/{pid if pid is not None else os.getpid()}/status")
    try:
        text = status.read_text()
    except OSError:
        return _own_peak_mb() if pid is None or pid == os.getpid() else None
    return _field_mb(text, "VmHWM")


def rss_mb(pid: int | None = None) -> float | None:
    """Current RSS of process ``pid`` (default: this one) in MiB, or None if unknown."""
    try:
        text = Path(f"/proc/{pid if pid is not None else os.getpid()}/status").read_text()
    except OSError:
        return None
    return _field_mb(text, "VmRSS")


def _field_mb(status: str, name: str) -> float | None:
    for line in status.splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1]) / 1024  # the value is in kB
    return None


def _own_peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes vs kB
