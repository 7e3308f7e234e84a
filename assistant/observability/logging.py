"""Log configuration of the server: one event per line, JSON (default) or text, with ids.

Every record gets ``request_id``, ``session_id`` and ``turn_id`` from
:mod:`assistant.observability.context` (null where unbound): the HTTP middleware binds the
request id, :meth:`ShoppingAssistant.chat` the session id for the whole turn and the turn id
once the turn is stored. Fields passed with ``extra=`` become JSON keys.

Example:
    >>> configure_logging("json")
    >>> logging.getLogger("shopbot").info("ready", extra={"port": 7860})  # doctest: +SKIP
    {"timestamp": "...", "level": "INFO", "logger": "shopbot", "message": "ready",
     "request_id": null, "session_id": null, "turn_id": null, "port": 7860}
"""

from __future__ import annotations

import logging
import sys
from typing import Literal, TextIO

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from assistant.observability.context import LOG_ID_FIELDS, current_ids

LogFormat = Literal["json", "text"]
TEXT_FORMAT = (
    "%(asctime)s %(levelname)s %(name)s "
    "[req=%(request_id)s session=%(session_id)s turn=%(turn_id)s] %(message)s"
)


class ContextIdsFilter(logging.Filter):
    """Adds the context's request, session and turn ids to each record (never drops one)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in current_ids().items():
            if getattr(record, name, None) is None:
                setattr(record, name, value)
        return True


def json_formatter() -> JsonFormatter:
    """timestamp (UTC, ISO 8601), level, logger, message, the ids, then any extras."""
    return JsonFormatter(
        ["levelname", "name", "message", *LOG_ID_FIELDS],
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp=True,
        # uvicorn's ANSI-coloured duplicate of its message is noise in a JSON line
        reserved_attrs=[*RESERVED_ATTRS, "color_message"],
    )


def make_handler(fmt: LogFormat, stream: TextIO | None = None) -> logging.Handler:
    """A stream handler (stderr by default) in ``fmt`` that stamps the context ids."""
    if fmt not in ("json", "text"):
        raise ValueError(f"log format must be 'json' or 'text', not {fmt!r}")
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.setFormatter(json_formatter() if fmt == "json" else logging.Formatter(TEXT_FORMAT))
    handler.addFilter(ContextIdsFilter())
    handler.set_name("shopbot")
    return handler


def configure_logging(
    fmt: LogFormat = "json", level: int | str = logging.INFO, stream: TextIO | None = None
) -> logging.Handler:
    """Send all records (uvicorn's too, when it runs with ``log_config=None``) through one
    handler in ``fmt``; calling it again replaces that handler."""
    handler = make_handler(fmt, stream)
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "shopbot"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()  # propagate to ours instead
    return handler
