"""The staff console renders shopper text escaped."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from assistant.staff_replies_ui import new_staff_lines, staff_line
from assistant.staff_ui import transcript_markdown
from assistant.support.console import HandoffView, TranscriptEntry
from assistant.support.staff_feed import StaffReply
from db.support_records import HandoffRecord, StaffMessageRecord

pytestmark = pytest.mark.unit
NOW = datetime(2026, 11, 28, 10, 0, tzinfo=UTC)


def test_transcript_is_escaped() -> None:
    handoff = HandoffRecord(
        id=3, session_id="s", status="open", reason="asked for a person",
        summary="Wants: <script>alert(1)</script>", order_number=None, customer_id=None,
        created_at=NOW,
    )  # fmt: skip
    view = HandoffView(
        handoff=handoff,
        transcript=[
            TranscriptEntry(role="shopper", text="**bold** <img src=x onerror=alert(1)>", at=NOW),
            TranscriptEntry(role="staff", text="Hello", at=NOW, staff="ana"),
        ],
    )
    text = transcript_markdown(view)
    assert "<script>" not in text and "<img" not in text and "**bold**" not in text
    assert "Staff (ana)" in text and "Case \\#3" in text


def _message(message_id: int, text: str, staff: str = "ana") -> StaffMessageRecord:
    return StaffMessageRecord(
        id=message_id, session_id="s", staff_username=staff, text=text, created_at=NOW
    )


class Feed:
    def messages(
        self, session_id: str, after_id: int = 0, since: datetime | None = None
    ) -> list[StaffMessageRecord]:
        return [_message(1, "Hi"), _message(2, "Done")]


def test_poll_adds_only_staff_replies_not_shown_yet() -> None:
    history = [
        {"role": "user", "content": "help"},
        {"role": "assistant", "content": "[Customer service · ana] Hi"},
    ]
    assert new_staff_lines(Feed(), "s", history) == ["[Customer service · ana] Done"]
    assert new_staff_lines(Feed(), None, history) == []
    assert staff_line(StaffReply.of(_message(1, "x", "bo"))) == "[Customer service · bo] x"
