"""Handoffs (one open per session), staff messages, staff accounts and token hashes in SQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from db.conversations import ConversationRepository
from db.errors import DatabaseError, NotFoundError
from db.handoffs import HandoffRepository
from db.staff import DuplicateUsernameError, StaffRepository
from db.support_records import NewHandoff

pytestmark = pytest.mark.unit


@pytest.fixture
def handoffs(session_factory: sessionmaker[Session]) -> HandoffRepository:
    return HandoffRepository(session_factory)


@pytest.fixture
def staff(session_factory: sessionmaker[Session]) -> StaffRepository:
    return StaffRepository(session_factory)


def _new(session_id: str, reason: str = "asked for a person") -> NewHandoff:
    return NewHandoff(session_id=session_id, reason=reason, summary="Wants: help.")


def test_one_open_handoff_per_session(
    handoffs: HandoffRepository, conversations: ConversationRepository
) -> None:
    sid = conversations.create_session().id
    first, created = handoffs.open(_new(sid))
    again, created_again = handoffs.open(_new(sid, "2 unresolved turns in a row"))
    assert (created, created_again) == (True, False)
    assert again.id == first.id and again.reason == "asked for a person"
    assert [h.id for h in handoffs.list_handoffs("open")] == [first.id]

    closed = handoffs.close(first.id, "ana")
    assert closed is not None and (closed.status, closed.closed_by) == ("closed", "ana")
    reopened, created_third = handoffs.open(_new(sid))
    assert created_third and reopened.id != first.id  # a new case after the old one closed
    assert [h.id for h in handoffs.list_handoffs(None)] == [first.id, reopened.id]


def test_the_database_refuses_a_second_open_handoff(
    engine: Engine, handoffs: HandoffRepository, conversations: ConversationRepository
) -> None:
    sid = conversations.create_session().id
    handoffs.open(_new(sid))
    insert = text(
        "INSERT INTO handoffs (session_id, status, reason, summary, created_at) "
        "VALUES (:sid, :status, 'r', 's', '2026-01-01 00:00:00')"
    )
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert, {"sid": sid, "status": "open"})
    # The unique index is partial (open cases only): closed ones may pile up.
    with engine.begin() as connection:
        connection.execute(insert, {"sid": sid, "status": "closed"})
        connection.execute(insert, {"sid": sid, "status": "closed"})


def test_handoff_and_message_need_an_existing_session(handoffs: HandoffRepository) -> None:
    with pytest.raises(NotFoundError):
        handoffs.open(_new("no-such-session"))
    with pytest.raises(NotFoundError):
        handoffs.add_message("no-such-session", "ana", "hello")
    assert handoffs.close(12345, "ana") is None and handoffs.get(12345) is None


def test_staff_messages_in_order_and_since(
    handoffs: HandoffRepository, conversations: ConversationRepository
) -> None:
    sid = conversations.create_session().id
    other = conversations.create_session().id
    first = handoffs.add_message(sid, "ana", "one")
    handoffs.add_message(other, "ana", "elsewhere")
    second = handoffs.add_message(sid, "bo", "two")
    assert [m.text for m in handoffs.messages(sid)] == ["one", "two"]
    assert [m.id for m in handoffs.messages(sid, after_id=first.id)] == [second.id]
    assert handoffs.messages(sid, since=second.created_at) == []


def test_usernames_are_unique(staff: StaffRepository) -> None:
    staff.create_user("ana", "scrypt$x", "agent")
    with pytest.raises(DuplicateUsernameError):
        staff.create_user("ana", "scrypt$y", "viewer")


def test_disabling_an_account_revokes_its_tokens(staff: StaffRepository) -> None:
    user = staff.create_user("ana", "scrypt$x", "agent")
    later = datetime.now(UTC) + timedelta(hours=1)
    staff.add_token(user.id, "a" * 64, later)
    assert staff.token_owner("a" * 64) is not None
    disabled = staff.update_user("ana", active=False)
    assert disabled is not None and not disabled.active
    assert staff.token_owner("a" * 64) is None
    assert staff.update_user("nobody", active=False) is None


def test_role_is_checked_by_the_database(staff: StaffRepository) -> None:
    with pytest.raises(DatabaseError):
        staff.create_user("eve", "scrypt$x", "root")  # type: ignore[arg-type]
