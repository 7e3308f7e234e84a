"""Request and response models of the staff API (``/api/v1/staff``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.api.schemas import NO_NUL
from assistant.support.console import TranscriptEntry
from db.order_records import ReturnStatus
from db.support_records import StaffRole


class LoginRequest(BaseModel):
    """Staff credentials (accounts are created with ``shopbot staff create``)."""

    model_config = ConfigDict(extra="forbid")

    username: Annotated[str, Field(min_length=1, max_length=64, pattern=NO_NUL)]
    password: Annotated[str, Field(min_length=1, max_length=256, pattern=NO_NUL)]


class LoginResponse(BaseModel):
    token: str = Field(description="Send as `Authorization: Bearer <token>`.")
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    username: str
    role: StaffRole


class StaffUserOut(BaseModel):
    username: str
    role: StaffRole
    can_write: bool


class ReturnOut(BaseModel):
    """A return request as staff see it."""

    rma: str
    order_number: str
    line_number: int
    item_title: str
    customer_id: str
    kind: str
    reason: str
    opened: bool | None
    status: ReturnStatus
    staff_note: str
    decided_by: str | None
    refund_amount: Decimal | None
    requested_at: datetime


class ReturnsResponse(BaseModel):
    returns: list[ReturnOut]


class DecisionRequest(BaseModel):
    """Approve or reject a requested return; the note is shown to the shopper."""

    model_config = ConfigDict(extra="forbid")

    approve: bool
    note: Annotated[str, Field(max_length=2000, pattern=NO_NUL)] = ""


class HandoffOut(BaseModel):
    """A handed-off conversation with its transcript."""

    id: int
    session_id: str
    status: Literal["open", "closed"]
    reason: str
    summary: str
    order_number: str | None
    customer_id: str | None
    created_at: datetime
    closed_at: datetime | None
    closed_by: str | None
    transcript: list[TranscriptEntry]


class HandoffsResponse(BaseModel):
    handoffs: list[HandoffOut]


class StaffReplyRequest(BaseModel):
    """A message to the shopper; it appears in their chat."""

    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, Field(min_length=1, max_length=2000, pattern=NO_NUL)]


class StaffMessageOut(BaseModel):
    id: int
    session_id: str
    staff: str
    text: str
    created_at: datetime
