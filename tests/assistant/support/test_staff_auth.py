"""Staff passwords are stored as salted scrypt hashes, tokens as SHA-256, with expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from assistant.support.errors import StaffAccountError, StaffAuthError, StaffForbiddenError
from assistant.support.staff_auth import StaffAuth, hash_password, verify_password
from db.session import create_db_engine, make_session_factory, migrate
from db.staff import StaffRepository

pytestmark = pytest.mark.unit

PASSWORD = "correct horse battery"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def engine(tmp_path) -> Engine:  # type: ignore[no-untyped-def]
    engine = create_db_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    migrate(engine)
    return engine


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def auth(sessions: sessionmaker[Session], clock: Clock) -> StaffAuth:
    return StaffAuth(StaffRepository(sessions), token_ttl=timedelta(hours=8), clock=clock)


def test_password_hash_is_salted_scrypt_and_verifies() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("scrypt$") and PASSWORD not in first
    assert first != second  # a new salt each time
    assert verify_password(PASSWORD, first) and verify_password(PASSWORD, second)
    assert not verify_password(PASSWORD + "!", first)
    assert not verify_password(PASSWORD, "plain-text-password")
    assert not verify_password(PASSWORD, "scrypt$1$2$3$bad$data")


def test_stored_rows_hold_neither_password_nor_token(auth: StaffAuth, engine: Engine) -> None:
    auth.create_account("ana", PASSWORD, "agent")
    token = auth.login("ana", PASSWORD).token
    with engine.connect() as connection:
        dump = "\n".join(
            str(row)
            for table in ("staff_users", "staff_tokens")
            for row in connection.execute(text(f"SELECT * FROM {table}"))
        )
    assert PASSWORD not in dump and token not in dump
    assert auth.authenticate(token).username == "ana"


def test_token_expires(auth: StaffAuth, clock: Clock) -> None:
    auth.create_account("ana", PASSWORD, "agent")
    token = auth.login("ana", PASSWORD).token
    clock.now += timedelta(hours=7, minutes=59)
    assert auth.authenticate(token).username == "ana"
    clock.now += timedelta(minutes=1)
    with pytest.raises(StaffAuthError, match="expired"):
        auth.authenticate(token)


def test_wrong_missing_and_unknown_credentials(auth: StaffAuth) -> None:
    auth.create_account("ana", PASSWORD, "agent")
    for username, password in (("ana", "wrong password"), ("nobody", PASSWORD)):
        with pytest.raises(StaffAuthError, match="wrong username or password"):
            auth.login(username, password)
    for token in (None, "", "made-up"):
        with pytest.raises(StaffAuthError):
            auth.authenticate(token)


def test_viewer_reads_but_cannot_act_and_disabled_accounts_are_refused(
    auth: StaffAuth, sessions: sessionmaker[Session]
) -> None:
    auth.create_account("vic", PASSWORD, "viewer")
    viewer_token = auth.login("vic", PASSWORD).token
    assert auth.authenticate(viewer_token).role == "viewer"
    with pytest.raises(StaffForbiddenError):
        auth.require_writer(viewer_token)
    StaffRepository(sessions).update_user("vic", active=False)
    with pytest.raises(StaffForbiddenError, match="disabled"):
        auth.login("vic", PASSWORD)


def test_account_rules(auth: StaffAuth) -> None:
    with pytest.raises(StaffAccountError, match="10 characters"):
        auth.create_account("ana", "short", "agent")
    auth.create_account("ana", PASSWORD, "agent")
    with pytest.raises(StaffAccountError, match="exists"):
        auth.create_account("ana", PASSWORD, "viewer")
    with pytest.raises(ValueError):
        StaffAuth(StaffRepository.__new__(StaffRepository), token_ttl=timedelta(0))
