"""Staff accounts: scrypt password hashes, random login tokens stored as SHA-256, expiry.

Passwords are hashed with ``hashlib.scrypt`` (n=2**14, r=8, p=1, a 16-byte random salt per
password); the stored string carries its parameters, so they can be raised later. A login
returns a random 256-bit token once; only its SHA-256 is stored, so a database leak yields no
usable token. A token is refused after ``token_ttl`` and as soon as its account is disabled.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict

from assistant.support.errors import StaffAccountError, StaffAuthError, StaffForbiddenError
from db.staff import DuplicateUsernameError, StaffRepository
from db.support_records import StaffRole, StaffUserRecord

MIN_PASSWORD_CHARS = 10
_SCRYPT = {"n": 2**14, "r": 8, "p": 1}
_MAXMEM = 64 * 1024 * 1024


def hash_password(password: str) -> str:
    """``scrypt$n$r$p$salt$hash`` (base64) for ``password``.

    Example:
        >>> verify_password("correct horse", hash_password("correct horse"))
        True
    """
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, maxmem=_MAXMEM, **_SCRYPT)
    encode = base64.b64encode
    return (
        "scrypt${n}${r}${p}$".format(**_SCRYPT)
        + f"{encode(salt).decode()}${encode(digest).decode()}"
    )


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches a :func:`hash_password` string (constant-time compare)."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=_MAXMEM,
            dklen=len(expected),
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class StaffLogin(BaseModel):
    """A successful login: the bearer token (shown once) and when it expires."""

    model_config = ConfigDict(frozen=True)

    token: str
    expires_at: datetime
    user: StaffUserRecord


class StaffAuth:
    """Creates staff accounts, logs them in and checks their tokens.

    Example:
        >>> auth = StaffAuth(StaffRepository(sessions), token_ttl=timedelta(hours=8))
        >>> auth.create_account("ana", "a long passphrase", "agent").username
        'ana'
        >>> auth.authenticate(auth.login("ana", "a long passphrase").token).role
        'agent'
    """

    def __init__(
        self,
        repository: StaffRepository,
        *,
        token_ttl: timedelta = timedelta(hours=8),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        if token_ttl <= timedelta(0):
            raise ValueError("token_ttl must be positive")
        self._repository = repository
        self._clock = clock
        self.token_ttl = token_ttl

    def create_account(self, username: str, password: str, role: StaffRole) -> StaffUserRecord:
        """Raises: StaffAccountError: Username taken or password shorter than 10 characters."""
        if len(password) < MIN_PASSWORD_CHARS:
            raise StaffAccountError(f"the password needs at least {MIN_PASSWORD_CHARS} characters")
        try:
            return self._repository.create_user(username, hash_password(password), role)
        except DuplicateUsernameError as e:
            raise StaffAccountError(str(e)) from e

    def login(self, username: str, password: str) -> StaffLogin:
        """A new token for valid credentials.

        Raises:
            StaffAuthError: Unknown user or wrong password (one message for both).
            StaffForbiddenError: The account is disabled.
        """
        found = self._repository.credentials(username)
        if found is None:
            verify_password(password, hash_password("timing equaliser"))  # same work either way
            raise StaffAuthError("wrong username or password")
        user, stored = found
        if not verify_password(password, stored):
            raise StaffAuthError("wrong username or password")
        if not user.active:
            raise StaffForbiddenError("this staff account is disabled")
        token = secrets.token_urlsafe(32)
        expires_at = self._clock() + self.token_ttl
        self._repository.add_token(user.id, token_digest(token), expires_at)
        return StaffLogin(token=token, expires_at=expires_at, user=user)

    def authenticate(self, token: str | None) -> StaffUserRecord:
        """The account behind a bearer token.

        Raises:
            StaffAuthError: No token, an unknown one or an expired one.
            StaffForbiddenError: The account has been disabled.
        """
        if not token:
            raise StaffAuthError("a staff token is required")
        found = self._repository.token_owner(token_digest(token))
        if found is None:
            raise StaffAuthError("invalid staff token")
        user, expires_at = found
        if expires_at <= self._clock():
            raise StaffAuthError("the staff token has expired; log in again")
        if not user.active:
            raise StaffForbiddenError("this staff account is disabled")
        return user

    def require_writer(self, token: str | None) -> StaffUserRecord:
        """Like :meth:`authenticate`, and the account must be allowed to act (an agent).

        Raises:
            StaffForbiddenError: A read-only (viewer) account.
        """
        user = self.authenticate(token)
        if not user.can_write:
            raise StaffForbiddenError(f"{user.role} accounts cannot change anything")
        return user

    def logout(self, token: str) -> None:
        self._repository.revoke_token(token_digest(token))
