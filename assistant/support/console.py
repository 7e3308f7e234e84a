"""What staff work with: the handoff queue with transcripts, replies, and return decisions.

Shared by the staff API (``assistant/api/staff_routes.py``) and the staff console page
(``assistant/staff_ui.py``); both check the staff token first.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from assistant.support.errors import (
    ReturnAlreadyDecidedError,
    UnknownHandoffError,
    UnknownReturnError,
)
from assistant.support.handoff import TranscriptReader
from db.handoffs import HandoffRepository
from db.order_records import ReturnRecord, ReturnStatus
from db.orders import OrderStateError, ReturnNotFoundError
from db.support_records import HandoffRecord, HandoffStatus, StaffMessageRecord, StaffUserRecord


class ReturnsBook(Protocol):
    def list_returns(
        self, status: ReturnStatus | Iterable[ReturnStatus] | None = None
    ) -> list[ReturnRecord]: ...

    def decide_return(self, rma: str, approve: bool, note: str, staff: str) -> ReturnRecord: ...


class TranscriptEntry(BaseModel):
    """One line of a conversation as staff read it."""

    model_config = ConfigDict(frozen=True)

    role: Literal["shopper", "assistant", "staff"]
    text: str
    at: datetime
    intent: str | None = None
    staff: str | None = None


class HandoffView(BaseModel):
    """A handoff with its conversation, oldest line first."""

    model_config = ConfigDict(frozen=True)

    handoff: HandoffRecord
    transcript: list[TranscriptEntry]


def _transcript(
    turns: Iterable[tuple[str, str, str, datetime]], messages: Iterable[StaffMessageRecord]
) -> list[TranscriptEntry]:
    entries: list[tuple[datetime, int, TranscriptEntry]] = []
    for user_message, reply, intent, at in turns:
        entries.append((at, 0, TranscriptEntry(role="shopper", text=user_message, at=at)))
        entries.append((at, 1, TranscriptEntry(role="assistant", text=reply, at=at, intent=intent)))
    for m in messages:
        entries.append(
            (
                m.created_at,
                2,
                TranscriptEntry(role="staff", text=m.text, at=m.created_at, staff=m.staff_username),
            )
        )
    return [entry for _, _, entry in sorted(entries, key=lambda e: (e[0], e[1]))]


class StaffConsole:
    """Reads the queue and carries out staff actions (the caller has checked the token).

    Example:
        >>> console = StaffConsole(handoffs, conversations, orders)
        >>> [v.handoff.id for v in console.handoffs("open")]
        [1]
        >>> console.reply(1, staff_user, "Hi, Ana here. Let me check that for you.").text
        'Hi, Ana here. Let me check that for you.'
    """

    def __init__(
        self,
        handoffs: HandoffRepository,
        conversations: TranscriptReader,
        returns: ReturnsBook | None,
    ) -> None:
        self._handoffs = handoffs
        self._conversations = conversations
        self._returns = returns

    def view(self, handoff: HandoffRecord) -> HandoffView:
        turns = [
            (t.user_message, t.reply, t.intent, t.created_at)
            for t in self._conversations.list_turns(handoff.session_id)
        ]
        messages = self._handoffs.messages(handoff.session_id)
        return HandoffView(handoff=handoff, transcript=_transcript(turns, messages))

    def handoffs(self, status: HandoffStatus | None = "open") -> list[HandoffView]:
        return [self.view(h) for h in self._handoffs.list_handoffs(status)]

    def handoff(self, handoff_id: int) -> HandoffView:
        """Raises: UnknownHandoffError."""
        found = self._handoffs.get(handoff_id)
        if found is None:
            raise UnknownHandoffError(f"no handoff {handoff_id}")
        return self.view(found)

    def reply(self, handoff_id: int, staff: StaffUserRecord, text: str) -> StaffMessageRecord:
        """Write into the handoff's conversation; the shopper sees it in their chat."""
        handoff = self.handoff(handoff_id).handoff
        return self._handoffs.add_message(handoff.session_id, staff.username, text)

    def close(self, handoff_id: int, staff: StaffUserRecord) -> HandoffRecord:
        closed = self._handoffs.close(handoff_id, staff.username)
        if closed is None:
            raise UnknownHandoffError(f"no handoff {handoff_id}")
        return closed

    def returns(self, status: ReturnStatus | None = "requested") -> list[ReturnRecord]:
        return self._returns.list_returns(status) if self._returns is not None else []

    def decide(self, rma: str, staff: StaffUserRecord, *, approve: bool, note: str) -> ReturnRecord:
        """Approve or reject a requested return with a note the shopper will be told.

        Raises:
            UnknownReturnError: No such RMA.
            ReturnAlreadyDecidedError: It was decided before.
        """
        if self._returns is None:
            raise UnknownReturnError(f"no return {rma}")
        try:
            return self._returns.decide_return(rma, approve, note, staff.username)
        except ReturnNotFoundError as e:
            raise UnknownReturnError(f"no return {rma}") from e
        except OrderStateError as e:
            raise ReturnAlreadyDecidedError(f"return {rma} was already decided") from e
