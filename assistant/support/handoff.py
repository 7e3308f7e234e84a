"""Human handoff: flag a conversation for staff with a short summary built from its turns.

The summary says what the shopper wants (their support question), the order number if one
came up, what the assistant already tried (its earlier support answers), and why the
conversation was handed over. A session has at most one open handoff: flagging it again
returns the open one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from assistant.intents.base import SUPPORT_INTENTS
from assistant.order_numbers import extract_order_number
from assistant.support.types import SupportRequest
from db.records import TurnRecord
from db.support_records import HandoffRecord, NewHandoff

_YES = re.compile(
    r"^\s*(yes|yeah|yep|yup|sure|ok|okay|please|please do|go ahead|do it|of course|definitely"
    r"|(yes|ok|okay|sure),? please|(a |talk to a |to a )?(person|human|real person|agent)"
    r"|是|是的|好|好的|可以|要)\b[\s!.,]*(please)?[\s!.]*$",
    re.IGNORECASE,
)
_NO = re.compile(
    r"^\s*(no|nope|nah|no thanks|no thank you|not now|not needed|never mind|nevermind|不|不用"
    r"|不要|不用了)\b[\s!.,]*(thanks|thank you)?[\s!.]*$",
    re.IGNORECASE,
)
_MAX_WANT = 240
_MAX_TRIED = 5


def is_affirmative(text: str) -> bool:
    """A short "yes" to an offer ("yes please", "sure", "a person", "好的")."""
    return len(text) <= 40 and _YES.match(text) is not None


def is_negative(text: str) -> bool:
    """A short "no" to an offer ("no thanks", "not now", "不用")."""
    return len(text) <= 40 and _NO.match(text) is not None


class HandoffStore(Protocol):
    def open(self, new: NewHandoff) -> tuple[HandoffRecord, bool]: ...


class TranscriptReader(Protocol):
    def list_turns(self, session_id: str) -> list[TurnRecord]: ...


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]


def build_summary(turns: Sequence[TurnRecord], request: SupportRequest, reason: str) -> str:
    """``Wants: ... Order: ... Tried: ... Handed over because: ...`` for the staff queue.

    Example:
        >>> build_summary([], request_for("I want a person"), "asked for a person")
        'Wants: I want a person. Order: none given. Tried: nothing yet. Handed over because: ...'
    """
    support_turns = [t for t in turns if t.intent in SUPPORT_INTENTS and t.intent != "human_agent"]
    if request.intent not in ("human_agent", "other") or not support_turns:
        want = request.text
    else:
        want = support_turns[-1].user_message
    tried = [
        f"{t.intent}: “{_clip(t.user_message, 60)}” → {_clip(_first_sentence(t.reply), 90)}"
        for t in support_turns[-_MAX_TRIED:]
    ]
    order = request.order_number or next(
        (n for n in (_order_in(t) for t in reversed(turns)) if n), None
    )
    return (
        f"Wants: {_clip(want, _MAX_WANT)}. Order: {order or 'none given'}. "
        f"Tried: {'; '.join(tried) if tried else 'nothing yet'}. Handed over because: {reason}."
    )


def _order_in(turn: TurnRecord) -> str | None:
    return extract_order_number(turn.user_message)[0]


class HandoffDesk:
    """Opens (or finds) the session's handoff with a summary of the conversation.

    Example:
        >>> desk = HandoffDesk(HandoffRepository(sessions), ConversationRepository(sessions))
        >>> handoff, created = desk.hand_off(request, "asked for a person")
        >>> handoff.status, created
        ('open', True)
    """

    def __init__(self, store: HandoffStore, transcripts: TranscriptReader) -> None:
        self._store = store
        self._transcripts = transcripts

    def hand_off(self, request: SupportRequest, reason: str) -> tuple[HandoffRecord, bool]:
        turns = self._transcripts.list_turns(request.session_id)
        summary = build_summary(turns, request, reason)
        order = request.order_number or None
        return self._store.open(
            NewHandoff(
                session_id=request.session_id,
                reason=_clip(reason, 200),
                summary=_clip(summary, 5000),
                order_number=order[:40] if order else None,
                customer_id=request.customer_id,
            )
        )
