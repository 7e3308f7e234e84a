"""Developer API keys (issue 7): stored as their SHA-256, shown in plaintext exactly once.

A key reads ``sb_<prefix>_<secret>``: the 8-character prefix is public (listed, used to revoke),
the secret is 40 random alphanumerics (~238 bits) from :mod:`secrets`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import string
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import exists, select
from sqlalchemy.orm import Session, sessionmaker

from db.column_types import utcnow
from db.errors import ConstraintViolationError, DatabaseError
from db.models import ApiKeyRow
from db.transactions import check_session_factory, read_scope, write_scope

PREFIX_CHARS = 8
SECRET_CHARS = 40
_PREFIX_ALPHABET = string.ascii_lowercase + string.digits
_SECRET_ALPHABET = string.ascii_letters + string.digits
KEY_PATTERN = re.compile(r"^sb_([a-z0-9]{8})_([A-Za-z0-9]{32,128})$")
KeyName = Annotated[str, Field(min_length=1, max_length=100)]


class ApiKeyRecord(BaseModel):
    """A stored key without its secret.

    Example:
        >>> record.prefix, record.active
        ('k3x9a0qz', True)
    """

    model_config = ConfigDict(frozen=True)

    id: int
    prefix: str
    name: str
    rate_limit_per_minute: int | None
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class NewApiKey(BaseModel):
    """A just-created key: ``key`` is the plaintext, which is not stored anywhere."""

    model_config = ConfigDict(frozen=True)

    record: ApiKeyRecord
    key: str = Field(repr=False)


def hash_key(key: str) -> str:
    """The SHA-256 hex digest stored for a key (keys are random, so no salt or KDF is needed)."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def key_prefix(key: str) -> str | None:
    """The public prefix of a well-formed key, else None."""
    match = KEY_PATTERN.match(key)
    return match.group(1) if match else None


def generate_key() -> str:
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_CHARS))
    secret = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(SECRET_CHARS))
    return f"sb_{prefix}_{secret}"


def _record(row: ApiKeyRow) -> ApiKeyRecord:
    return ApiKeyRecord(
        id=row.id,
        prefix=row.prefix,
        name=row.name,
        rate_limit_per_minute=row.rate_limit_per_minute,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
    )


class ApiKeyRepository:
    """Create, list, find and revoke API keys; only the keys' hashes are stored.

    Example:
        >>> keys = ApiKeyRepository(make_session_factory(engine))
        >>> new = keys.create("mobile app", rate_limit_per_minute=120)
        >>> keys.find(new.key).prefix == new.record.prefix
        True
    """

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = check_session_factory(session_factory)

    def create(self, name: str, rate_limit_per_minute: int | None = None) -> NewApiKey:
        """Store a new key; the returned plaintext ``key`` cannot be recovered later.

        Raises:
            ValueError: Blank or over-long name, or a negative rate limit.
        """
        name = name.strip()
        if not 1 <= len(name) <= 100:
            raise ValueError("a key name has 1-100 characters")
        if rate_limit_per_minute is not None and rate_limit_per_minute < 0:
            raise ValueError("rate_limit_per_minute cannot be negative")
        for _ in range(5):  # a prefix collision (36^8 prefixes) is unlikely; retry if it happens
            key = generate_key()
            row = ApiKeyRow(
                prefix=key_prefix(key),
                key_hash=hash_key(key),
                name=name,
                rate_limit_per_minute=rate_limit_per_minute,
                created_at=utcnow(),
            )
            try:
                with write_scope(self._sessions) as session:
                    session.add(row)
                    session.flush()
            except ConstraintViolationError:
                continue
            return NewApiKey(record=_record(row), key=key)
        raise DatabaseError("could not pick a free key prefix")

    def list_keys(self) -> list[ApiKeyRecord]:
        """Every key, revoked ones included, oldest first."""
        with read_scope(self._sessions) as session:
            return [_record(r) for r in session.scalars(select(ApiKeyRow).order_by(ApiKeyRow.id))]

    def get(self, prefix: str) -> ApiKeyRecord | None:
        with read_scope(self._sessions) as session:
            row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.prefix == prefix))
            return _record(row) if row is not None else None

    def find(self, key: str) -> ApiKeyRecord | None:
        """The key with this plaintext (revoked or not), or None; malformed keys are None."""
        if key_prefix(key) is None:
            return None
        with read_scope(self._sessions) as session:
            row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.key_hash == hash_key(key)))
            return _record(row) if row is not None else None

    def revoke(self, prefix: str) -> ApiKeyRecord | None:
        """Revoke a key by prefix (idempotent: a revoked key keeps its first revocation time).

        Returns:
            The key after revocation, or None if no key has this prefix.
        """
        with write_scope(self._sessions) as session:
            row = session.scalar(select(ApiKeyRow).where(ApiKeyRow.prefix == prefix))
            if row is None:
                return None
            if row.revoked_at is None:
                row.revoked_at = utcnow()
                session.flush()
            return _record(row)

    def any_active(self) -> bool:
        """Whether at least one key is not revoked (then the API requires a key)."""
        with read_scope(self._sessions) as session:
            query = select(exists().where(ApiKeyRow.revoked_at.is_(None)))
            return bool(session.scalar(query))
