"""Ids that every log record of a request or a turn carries, held in context variables.

Context variables follow a request across ``await`` and into the thread pool that runs
synchronous endpoints (each call gets a copy of the caller's context), so concurrent requests
never see each other's ids.

Example:
    >>> with log_context(session_id="s1"):
    ...     current_ids()["session_id"]
    's1'
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

LOG_ID_FIELDS = ("request_id", "session_id", "turn_id")

_ids: dict[str, ContextVar[str | None]] = {
    name: ContextVar(f"shopbot_{name}", default=None) for name in LOG_ID_FIELDS
}


def current_ids() -> dict[str, str | None]:
    """The ids bound in the current context (None where unbound)."""
    return {name: var.get() for name, var in _ids.items()}


def bind_request_id(request_id: str) -> Token[str | None]:
    """Bind a request id until :func:`unbind_request_id` (the middleware's cheap path)."""
    return _ids["request_id"].set(request_id)


def unbind_request_id(token: Token[str | None]) -> None:
    _ids["request_id"].reset(token)


@contextmanager
def log_context(
    *, request_id: str | None = None, session_id: str | None = None, turn_id: int | None = None
) -> Iterator[None]:
    """Bind the given ids for the duration of the block (ids left None keep their value)."""
    wanted = {"request_id": request_id, "session_id": session_id, "turn_id": turn_id}
    tokens: list[tuple[ContextVar[str | None], Token[str | None]]] = []
    for name, value in wanted.items():
        if value is not None:
            var = _ids[name]
            tokens.append((var, var.set(str(value))))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)
