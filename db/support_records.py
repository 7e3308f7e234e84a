"""Pydantic records of the customer service desk: handoffs, staff accounts, staff messages."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

HandoffStatus = Literal["open", "closed"]
StaffRole = Literal["agent", "viewer"]
Username = Annotated[str, Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.@-]+$")]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class NewHandoff(_Record):
    """A conversation to flag for staff.

    Example:
        >>> NewHandoff(session_id=sid, reason="asked for a person", summary="Wants: ...")
    """

    session_id: Annotated[str, Field(min_length=1, max_length=36)]
    reason: Annotated[str, Field(min_length=1, max_length=200)]
    summary: Annotated[str, Field(min_length=1, max_length=5000)]
    order_number: Annotated[str, Field(max_length=40)] | None = None
    customer_id: Annotated[str, Field(max_length=64)] | None = None


class HandoffRecord(_Record):
    """A stored handoff."""

    id: int
    session_id: str
    status: HandoffStatus
    reason: str
    summary: str
    order_number: str | None
    customer_id: str | None
    created_at: datetime
    closed_at: datetime | None = None
    closed_by: str | None = None


class StaffUserRecord(_Record):
    """A staff account without its password hash (the hash never leaves the repository)."""

    id: int
    username: str
    role: StaffRole
    active: bool
    created_at: datetime

    @property
    def can_write(self) -> bool:
        """Whether the account may decide returns, reply and close handoffs."""
        return self.active and self.role == "agent"


class StaffMessageRecord(_Record):
    """A staff member's message in a shopper's conversation."""

    id: int
    session_id: str
    staff_username: str
    text: str
    created_at: datetime
