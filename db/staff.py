"""Staff accounts and their login tokens (both stored hashed)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from db.column_types import utcnow
from db.errors import ConstraintViolationError, DatabaseError
from db.models import StaffTokenRow, StaffUserRow
from db.support_records import StaffRole, StaffUserRecord
from db.transactions import check_session_factory, read_scope, write_scope


class DuplicateUsernameError(DatabaseError):
    """A staff account with this username exists already."""


def _user(row: StaffUserRow) -> StaffUserRecord:
    return StaffUserRecord(
        id=row.id,
        username=row.username,
        role=row.role,  # the CHECK constraint holds it to StaffRole
        active=row.active,
        created_at=row.created_at,
    )


class StaffRepository:
    """Staff users (password hashes stay inside) and token hashes with expiry.

    Hashing is the caller's job (:mod:`assistant.support.staff_auth`): this class only stores.

    Example:
        >>> repo = StaffRepository(make_session_factory(engine))
        >>> repo.create_user("ana", "scrypt$...", "agent").role
        'agent'
    """

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = check_session_factory(session_factory)

    def create_user(self, username: str, password_hash: str, role: StaffRole) -> StaffUserRecord:
        """Raises: DuplicateUsernameError: The username is taken."""
        row = StaffUserRow(
            username=username,
            password_hash=password_hash,
            role=role,
            active=True,
            created_at=utcnow(),
        )
        try:
            with write_scope(self._sessions) as session:
                session.add(row)
                session.flush()
        except ConstraintViolationError as e:
            raise DuplicateUsernameError(f"staff user {username!r} exists") from e
        return _user(row)

    def credentials(self, username: str) -> tuple[StaffUserRecord, str] | None:
        """The account and its password hash, for checking a login."""
        with read_scope(self._sessions) as session:
            row = session.scalar(select(StaffUserRow).where(StaffUserRow.username == username))
            return (_user(row), row.password_hash) if row is not None else None

    def get_user(self, username: str) -> StaffUserRecord | None:
        found = self.credentials(username)
        return found[0] if found is not None else None

    def list_users(self) -> list[StaffUserRecord]:
        with read_scope(self._sessions) as session:
            return [_user(r) for r in session.scalars(select(StaffUserRow).order_by("id"))]

    def update_user(
        self,
        username: str,
        *,
        active: bool | None = None,
        role: StaffRole | None = None,
        password_hash: str | None = None,
    ) -> StaffUserRecord | None:
        """Change an account; disabling it also revokes its tokens. ``None`` if unknown."""
        values = {
            k: v
            for k, v in {"active": active, "role": role, "password_hash": password_hash}.items()
            if v is not None
        }
        with write_scope(self._sessions) as session:
            row = session.scalar(select(StaffUserRow).where(StaffUserRow.username == username))
            if row is None:
                return None
            if values:
                session.execute(
                    update(StaffUserRow).where(StaffUserRow.id == row.id).values(values)
                )
            if active is False or password_hash is not None:
                session.execute(delete(StaffTokenRow).where(StaffTokenRow.staff_id == row.id))
            session.refresh(row)
            return _user(row)

    def add_token(self, staff_id: int, token_hash: str, expires_at: datetime) -> None:
        now = utcnow()
        with write_scope(self._sessions) as session:
            # Expired tokens are of no use to anyone: drop them while we are here.
            session.execute(delete(StaffTokenRow).where(StaffTokenRow.expires_at <= now))
            session.add(
                StaffTokenRow(
                    token_hash=token_hash, staff_id=staff_id, created_at=now, expires_at=expires_at
                )
            )

    def token_owner(self, token_hash: str) -> tuple[StaffUserRecord, datetime] | None:
        """The account a token hash belongs to and the token's expiry."""
        with read_scope(self._sessions) as session:
            found = session.execute(
                select(StaffUserRow, StaffTokenRow.expires_at)
                .join(StaffTokenRow, StaffTokenRow.staff_id == StaffUserRow.id)
                .where(StaffTokenRow.token_hash == token_hash)
            ).first()
            return (_user(found[0]), found[1]) if found is not None else None

    def revoke_token(self, token_hash: str) -> None:
        with write_scope(self._sessions) as session:
            session.execute(delete(StaffTokenRow).where(StaffTokenRow.token_hash == token_hash))
