"""Handed-off conversations and the messages staff write into conversations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from db.column_types import utcnow
from db.errors import ConstraintViolationError, NotFoundError
from db.models import ChatSessionRow, HandoffRow, StaffMessageRow
from db.support_records import HandoffRecord, HandoffStatus, NewHandoff, StaffMessageRecord
from db.transactions import check_session_factory, read_scope, write_scope


def _handoff(row: HandoffRow) -> HandoffRecord:
    return HandoffRecord.model_validate(row, from_attributes=True)


def _message(row: StaffMessageRow) -> StaffMessageRecord:
    return StaffMessageRecord.model_validate(row, from_attributes=True)


def _open_row(session: Session, session_id: str) -> HandoffRow | None:
    return session.scalar(
        select(HandoffRow).where(HandoffRow.session_id == session_id, HandoffRow.status == "open")
    )


class HandoffRepository:
    """Stores handoffs (one open per session) and staff messages.

    Example:
        >>> repo = HandoffRepository(make_session_factory(engine))
        >>> handoff, created = repo.open(NewHandoff(session_id=sid, reason="r", summary="s"))
        >>> repo.open(NewHandoff(session_id=sid, reason="r", summary="s"))[1]  # no duplicate
        False
    """

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = check_session_factory(session_factory)

    def open(self, new: NewHandoff, now: datetime | None = None) -> tuple[HandoffRecord, bool]:
        """The session's open handoff, created if there is none; ``True`` when created.

        Raises:
            NotFoundError: Unknown session.
        """
        existing = self.open_for_session(new.session_id)
        if existing is not None:
            return existing, False
        row = HandoffRow(**new.model_dump(), status="open", created_at=now or utcnow())
        try:
            with write_scope(self._sessions) as session:
                if session.get(ChatSessionRow, new.session_id) is None:
                    raise NotFoundError("session", new.session_id)
                session.add(row)
                session.flush()
        except ConstraintViolationError:
            # A concurrent turn opened one first: the partial unique index refused ours.
            raced = self.open_for_session(new.session_id)
            if raced is not None:
                return raced, False
            raise
        return _handoff(row), True

    def open_for_session(self, session_id: str) -> HandoffRecord | None:
        with read_scope(self._sessions) as session:
            row = _open_row(session, session_id)
            return _handoff(row) if row is not None else None

    def get(self, handoff_id: int) -> HandoffRecord | None:
        with read_scope(self._sessions) as session:
            row = session.get(HandoffRow, handoff_id)
            return _handoff(row) if row is not None else None

    def list_handoffs(
        self, status: HandoffStatus | None = "open", limit: int = 100
    ) -> list[HandoffRecord]:
        """Handoffs, oldest first (the queue order); ``status=None`` lists all."""
        statement = select(HandoffRow).order_by(HandoffRow.id).limit(limit)
        if status is not None:
            statement = statement.where(HandoffRow.status == status)
        with read_scope(self._sessions) as session:
            return [_handoff(row) for row in session.scalars(statement)]

    def close(self, handoff_id: int, staff_username: str) -> HandoffRecord | None:
        """Close a handoff (idempotent); ``None`` if it does not exist."""
        with write_scope(self._sessions) as session:
            session.execute(
                update(HandoffRow)
                .where(HandoffRow.id == handoff_id, HandoffRow.status == "open")
                .values(status="closed", closed_at=utcnow(), closed_by=staff_username)
            )
            row = session.get(HandoffRow, handoff_id)
            return _handoff(row) if row is not None else None

    def add_message(self, session_id: str, staff_username: str, text: str) -> StaffMessageRecord:
        """Write a staff message into a conversation.

        Raises:
            NotFoundError: Unknown session.
        """
        row = StaffMessageRow(
            session_id=session_id, staff_username=staff_username, text=text, created_at=utcnow()
        )
        with write_scope(self._sessions) as session:
            if session.get(ChatSessionRow, session_id) is None:
                raise NotFoundError("session", session_id)
            session.add(row)
            session.flush()
        return _message(row)

    def messages(
        self, session_id: str, after_id: int = 0, since: datetime | None = None
    ) -> list[StaffMessageRecord]:
        """The session's staff messages in order: those after ``after_id`` / since ``since``."""
        statement = (
            select(StaffMessageRow)
            .where(StaffMessageRow.session_id == session_id, StaffMessageRow.id > after_id)
            .order_by(StaffMessageRow.id)
        )
        if since is not None:
            statement = statement.where(StaffMessageRow.created_at > since)
        with read_scope(self._sessions) as session:
            return [_message(row) for row in session.scalars(statement)]
