"""ApiKeyRepository: keys are shown once, stored as SHA-256, found by plaintext, revocable."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from db.api_keys import KEY_PATTERN, ApiKeyRepository, key_prefix

pytestmark = pytest.mark.unit


@pytest.fixture
def keys(session_factory: sessionmaker[Session]) -> ApiKeyRepository:
    return ApiKeyRepository(session_factory)


def test_create_returns_a_well_formed_key_once(keys: ApiKeyRepository) -> None:
    new = keys.create("  mobile app ", rate_limit_per_minute=30)
    match = KEY_PATTERN.match(new.key)
    assert match is not None and match.group(1) == new.record.prefix
    assert len(match.group(2)) >= 32
    assert new.record.name == "mobile app" and new.record.rate_limit_per_minute == 30
    assert new.record.active and new.key not in repr(new)
    other = keys.create("other")
    assert other.key != new.key and other.record.prefix != new.record.prefix


def test_only_the_hash_is_stored(keys: ApiKeyRepository, engine: Engine) -> None:
    new = keys.create("web shop")
    secret = new.key.rsplit("_", 1)[1]
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT * FROM api_keys")).all()
    stored = " ".join(str(value) for row in rows for value in row)
    assert secret not in stored and new.key not in stored
    assert hashlib.sha256(new.key.encode()).hexdigest() in stored


def test_find_by_plaintext(keys: ApiKeyRepository) -> None:
    new = keys.create("a")
    found = keys.find(new.key)
    assert found is not None and found.id == new.record.id
    wrong_secret = new.key[:-1] + ("A" if new.key[-1] != "A" else "B")
    assert keys.find(wrong_secret) is None
    assert keys.find("not a key") is None and keys.find("") is None
    assert key_prefix(new.key) == new.record.prefix and key_prefix("sb_short_x") is None


def test_revoke_and_any_active(keys: ApiKeyRepository) -> None:
    assert not keys.any_active()
    first, second = keys.create("first"), keys.create("second")
    assert keys.any_active()

    revoked = keys.revoke(first.record.prefix)
    assert revoked is not None and not revoked.active
    again = keys.revoke(first.record.prefix)
    assert again is not None and again.revoked_at == revoked.revoked_at  # idempotent
    found = keys.find(first.key)
    assert found is not None and not found.active
    assert keys.any_active()

    assert keys.revoke(second.record.prefix) is not None
    assert not keys.any_active()
    assert keys.revoke("nokey123") is None


def test_list_keys_in_creation_order(keys: ApiKeyRepository) -> None:
    names = ["a", "b", "c"]
    for name in names:
        keys.create(name)
    keys.revoke(keys.list_keys()[1].prefix)
    listed = keys.list_keys()
    assert [k.name for k in listed] == names
    assert [k.active for k in listed] == [True, False, True]


@pytest.mark.parametrize(
    ("name", "limit"), [("", None), ("   ", None), ("x" * 101, None), ("a", -1)]
)
def test_invalid_input(keys: ApiKeyRepository, name: str, limit: int | None) -> None:
    with pytest.raises(ValueError):
        keys.create(name, rate_limit_per_minute=limit)
    assert keys.list_keys() == []
