"""Serve the newest trained CTR model without a restart.

Training writes each model to a new versioned folder and then swaps a small pointer file
(``current.json``) with ``os.replace``, so a reader sees the old or the new model, never half
of one. :class:`ModelWatcher` looks at that pointer's modification time at most every
``check_seconds``; when it changed it loads the new model *outside* the lock and swaps it in
atomically. A failed load keeps the old model and logs the error (and is retried only when
the pointer changes again). No pointer (no model trained yet) means no model: the caller
falls back to its cold-start ranking.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

log = logging.getLogger(__name__)

POINTER_FILES = ("current.json", "meta.json")
"""What is watched in the model folder: the version pointer, else a plain artifact's meta."""

M = TypeVar("M")


def _fingerprint(path: Path) -> tuple[str, int, int] | None:
    watched = [path / name for name in POINTER_FILES]
    if path.name == "current":  # ".../ctr/current" names the pointer of ".../ctr"
        watched.append(path.parent / POINTER_FILES[0])
    for file in watched:
        try:
            stat = file.stat()
        except OSError:
            continue
        return str(file), stat.st_mtime_ns, stat.st_size
    return None


class ModelWatcher(Generic[M]):
    """Holds the current model of a folder and reloads it when its pointer changes.

    Args:
        path: The model folder (holding ``current.json``, or a single artifact's ``meta.json``).
        load: Loads the model from ``path`` (``CtrScorer.load``); may raise.
        check_seconds: Minimum time between two looks at the pointer (0 = every call).
        clock: Monotonic seconds (injectable for tests).

    Example:
        >>> watcher = ModelWatcher(Path("var/models/ctr"), CtrScorer.load, check_seconds=10)
        >>> scorer = watcher.current()  # None until a model has been trained
    """

    def __init__(
        self,
        path: Path,
        load: Callable[[Path], M],
        *,
        check_seconds: float = 10.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if check_seconds < 0:
            raise ValueError("check_seconds must not be negative")
        self.path = Path(path)
        self._load = load
        self.check_seconds = check_seconds
        self._clock = clock
        self._model: M | None = None
        self._loaded: tuple[str, int, int] | None = None
        self._checked_at: float | None = None
        self._lock = threading.Lock()
        self.reloads = 0
        self.failures = 0

    def current(self) -> M | None:
        """The model to serve now (``None`` while there is none), reloaded if it changed."""
        now = self._clock()
        checked = self._checked_at
        if checked is not None and now - checked < self.check_seconds:
            return self._model
        with self._lock:
            if self._checked_at is not None and now - self._checked_at < self.check_seconds:
                return self._model
            self._checked_at = now
            seen = _fingerprint(self.path)
            if seen is None or seen == self._loaded:
                return self._model
            self._loaded = seen  # a broken model is not retried until the pointer changes
        return self._reload()

    def _reload(self) -> M | None:
        try:
            model = self._load(self.path)
        except Exception:  # any failure: keep serving what we had
            self.failures += 1
            log.exception("could not load the CTR model at %s; keeping the previous one", self.path)
            return self._model
        with self._lock:
            self._model = model
            self.reloads += 1
        log.info("CTR model loaded from %s: %s", self.path, getattr(model, "version", "?"))
        return model
