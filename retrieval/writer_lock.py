"""One writer per embedded Chroma directory, enforced with an advisory file lock."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from retrieval.errors import VectorIndexError

LOCK_NAME = ".shopbot-writer.lock"


@contextmanager
def exclusive_writer(directory: Path) -> Iterator[None]:
    """Hold the directory's writer lock, or fail at once if another process holds it.

    An embedded (``PersistentClient``) Chroma directory must have exactly one writer;
    several processes that need to write share a Chroma server instead. The lock is
    released when the block exits or the process dies (the kernel drops ``flock`` locks).

    Example:
        >>> with exclusive_writer(Path("var/chroma")):
        ...     builder.build()
    """
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            raise VectorIndexError(
                f"another process is writing the vector index in {directory}; an embedded "
                "Chroma directory has one writer (use a Chroma server for several)"
            ) from e
        yield
    finally:
        os.close(fd)
