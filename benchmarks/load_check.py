"""What each simulated shopper was told, and the checks that no session saw another's data.

A :class:`Transcript` holds the acknowledged turns (HTTP 200) of one shopper's session as the
server returned them. After a load run, :func:`session_problems` compares it with the
conversation the server stored (``GET /api/v1/sessions/{id}``): the same turns, in order,
with the same turn ids, messages, replies, products and filters. :func:`shared_turn_ids` finds
a turn id handed to two sessions, and :func:`foreign_brands` a brand filter that the session's
own messages never named (another session's dialogue state leaking in).

Example:
    >>> t = Transcript(shopper=0, session_id="s1")
    >>> t.turns.append(SentTurn("only HP", 7, "Here are ...", ["42"], {"brands": ["HP"]}))
    >>> foreign_brands(t)
    []
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from retrieval.filters import SearchFilters


@dataclass
class SentTurn:
    """One acknowledged turn as the server answered it."""

    message: str
    turn_id: int
    reply: str
    product_ids: list[str]
    filters: dict[str, Any]


@dataclass
class Transcript:
    """One shopper's session as seen by the client.

    ``failed_message`` is the message of a last turn that failed (error status, timeout): the
    server may or may not have stored it, so the check accepts either.
    """

    shopper: int
    session_id: str | None = None
    turns: list[SentTurn] = field(default_factory=list)
    failed_message: str | None = None


def _normal_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """Filters in one JSON form (prices as strings, defaults filled), whatever their source."""
    try:
        return SearchFilters.model_validate(filters).model_dump(mode="json")
    except ValidationError:
        return filters


def _stored_turn(turn: dict[str, Any]) -> SentTurn:
    products = sorted(turn["products"], key=lambda p: p["position"])
    return SentTurn(
        message=turn["user_message"],
        turn_id=turn["turn_id"],
        reply=turn["reply"],
        product_ids=[p["product_id"] for p in products],
        filters=turn["filters"],
    )


def _turn_problems(name: str, number: int, sent: SentTurn, kept: SentTurn) -> list[str]:
    where = f"session {name} turn {number}"
    problems = []
    if kept.turn_id != sent.turn_id:
        problems.append(f"{where}: stored turn id {kept.turn_id}, answered {sent.turn_id}")
    if kept.message != sent.message:
        problems.append(f"{where}: stored message {kept.message!r}, sent {sent.message!r}")
    if kept.reply != sent.reply:
        problems.append(f"{where}: stored reply differs from the reply received")
    if kept.product_ids != sent.product_ids:
        problems.append(f"{where}: stored products {kept.product_ids}, shown {sent.product_ids}")
    if _normal_filters(kept.filters) != _normal_filters(sent.filters):
        problems.append(f"{where}: stored filters differ from the filters received")
    return problems


def session_problems(transcript: Transcript, stored: dict[str, Any] | None) -> list[str]:
    """Differences between what a shopper was answered and the conversation the server keeps.

    ``stored`` is the body of ``GET /api/v1/sessions/{id}`` (None if that was not 200).
    """
    name = transcript.session_id or f"of shopper {transcript.shopper}"
    if stored is None:
        return [f"session {name}: not readable after the run"]
    if stored.get("id") != transcript.session_id:
        return [f"session {name}: the server returned session {stored.get('id')}"]
    turns = stored["turns"]
    numbers = [t["turn_number"] for t in turns]
    problems = []
    if numbers != list(range(1, len(turns) + 1)):
        problems.append(f"session {name}: turn numbers {numbers}")
    kept = [_stored_turn(t) for t in turns]
    sent = transcript.turns
    failed = transcript.failed_message
    if failed is not None and len(kept) == len(sent) + 1 and kept[-1].message == failed:
        kept = kept[:-1]  # the failed last turn was stored after all: allowed
    if len(kept) != len(sent):
        problems.append(f"session {name}: {len(kept)} turns stored, {len(sent)} acknowledged")
    for number, (one_sent, one_kept) in enumerate(zip(sent, kept, strict=False), start=1):
        problems += _turn_problems(name, number, one_sent, one_kept)
    return problems


def shared_turn_ids(transcripts: Iterable[Transcript]) -> list[str]:
    """Turn ids answered to more than one turn (across all sessions)."""
    counts = Counter(turn.turn_id for t in transcripts for turn in t.turns)
    return [f"turn id {tid} answered {n} times" for tid, n in sorted(counts.items()) if n > 1]


def _letters(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.casefold())


def foreign_brands(transcript: Transcript) -> list[str]:
    """Brand filters on a turn that no message of the session had named up to that turn.

    Every scripted message that makes a brand filter names the brand ("only HP", "not
    Samsung", "Brother ink cartridges"), so a brand the session never mentioned came from
    somewhere else: another session's state.
    """
    said = ""
    problems = []
    for number, turn in enumerate(transcript.turns, start=1):
        said += " " + _letters(turn.message)
        named = [*turn.filters.get("brands", []), *turn.filters.get("exclude_brands", [])]
        for brand in named:
            if _letters(brand) not in said:
                problems.append(
                    f"session {transcript.session_id} turn {number}: brand filter {brand!r} "
                    "that the session never named"
                )
    return problems
