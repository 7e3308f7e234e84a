"""JSON and text log lines carry the request, session and turn ids of their context."""

from __future__ import annotations

import io
import json
import logging
import threading
from collections.abc import Iterator

import pytest

from assistant.observability.context import current_ids, log_context
from assistant.observability.logging import configure_logging, make_handler

pytestmark = pytest.mark.unit


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    log = logging.getLogger("tests.observability")
    log.setLevel(logging.INFO)
    log.propagate = False
    yield log
    log.handlers.clear()
    log.propagate = True


def capture(logger: logging.Logger, fmt: str) -> io.StringIO:
    stream = io.StringIO()
    logger.addHandler(make_handler(fmt, stream))  # type: ignore[arg-type]
    return stream


def test_json_records_carry_the_bound_ids(logger: logging.Logger) -> None:
    stream = capture(logger, "json")
    with log_context(request_id="r1", session_id="s1"):
        logger.info("before the turn is stored")
        with log_context(turn_id=42):
            logger.info("turn", extra={"intent": "search", "products": 5})
    logger.info("outside")
    first, second, third = (json.loads(line) for line in stream.getvalue().splitlines())
    assert (first["session_id"], first["turn_id"], first["request_id"]) == ("s1", None, "r1")
    assert second["turn_id"] == "42" and second["intent"] == "search" and second["products"] == 5
    assert second["level"] == "INFO" and second["logger"] == "tests.observability"
    assert second["message"] == "turn" and second["timestamp"].endswith("+00:00")
    assert (third["request_id"], third["session_id"], third["turn_id"]) == (None, None, None)


def test_untrusted_text_stays_one_json_line(logger: logging.Logger) -> None:
    stream = capture(logger, "json")
    hostile = 'line one\nline two "quoted" \x00 </script>'
    logger.info("message: %s", hostile)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["message"] == f"message: {hostile}"


def test_exceptions_are_inside_the_json_record(logger: logging.Logger) -> None:
    stream = capture(logger, "json")
    try:
        raise ValueError("bad")
    except ValueError:
        logger.exception("failed")
    record = json.loads(stream.getvalue())
    assert "ValueError: bad" in record["exc_info"]


def test_text_format_has_the_ids_too(logger: logging.Logger) -> None:
    stream = capture(logger, "text")
    with log_context(session_id="s9", turn_id=3):
        logger.info("hello")
    assert "[req=None session=s9 turn=3] hello" in stream.getvalue()


def test_explicit_extra_ids_win_over_the_context(logger: logging.Logger) -> None:
    stream = capture(logger, "json")
    with log_context(session_id="from-context"):
        logger.info("x", extra={"session_id": "explicit"})
    assert json.loads(stream.getvalue())["session_id"] == "explicit"


def test_ids_do_not_leak_between_threads() -> None:
    seen: dict[str, dict[str, str | None]] = {}
    bound = threading.Barrier(2)

    def turn(session: str) -> None:
        with log_context(session_id=session):
            bound.wait()  # both sessions bound at the same time
            seen[session] = current_ids()

    threads = [threading.Thread(target=turn, args=(s,)) for s in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen["a"]["session_id"] == "a" and seen["b"]["session_id"] == "b"
    assert current_ids()["session_id"] is None


def test_configure_logging_replaces_its_own_handler_only() -> None:
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    try:
        configure_logging("text", "INFO", io.StringIO())
        handler = configure_logging("json", "WARNING", io.StringIO())
        ours = [h for h in root.handlers if h.get_name() == "shopbot"]
        assert ours == [handler] and root.level == logging.WARNING
        assert all(h in root.handlers for h in before)
    finally:
        for h in [h for h in root.handlers if h.get_name() == "shopbot"]:
            root.removeHandler(h)
        root.setLevel(level)


def test_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="json"):
        make_handler("xml")  # type: ignore[arg-type]


def test_uvicorns_coloured_message_copy_is_dropped(logger: logging.Logger) -> None:
    stream = capture(logger, "json")
    logger.info("Uvicorn running", extra={"color_message": "\x1b[1mUvicorn\x1b[0m", "port": 1})
    record = json.loads(stream.getvalue())
    assert "color_message" not in record and record["port"] == 1
