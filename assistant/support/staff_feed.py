"""Staff replies as the shopper sees them (chat response, session transcript, chat page)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict

from db.support_records import StaffMessageRecord


class StaffReply(BaseModel):
    """A message from a member of the customer service team.

    Example:
        >>> StaffReply(id=1, staff="ana", text="Your refund is on its way.", created_at=now)
    """

    model_config = ConfigDict(frozen=True)

    id: int
    staff: str
    text: str
    created_at: datetime

    @classmethod
    def of(cls, record: StaffMessageRecord) -> StaffReply:
        return cls(
            id=record.id,
            staff=record.staff_username,
            text=record.text,
            created_at=record.created_at,
        )


class StaffMessageFeed(Protocol):
    def messages(
        self, session_id: str, after_id: int = 0, since: datetime | None = None
    ) -> list[StaffMessageRecord]: ...


def staff_replies(
    feed: StaffMessageFeed, session_id: str, *, after_id: int = 0, since: datetime | None = None
) -> list[StaffReply]:
    """The session's staff replies after message ``after_id`` and/or since ``since``."""
    return [StaffReply.of(m) for m in feed.messages(session_id, after_id=after_id, since=since)]
