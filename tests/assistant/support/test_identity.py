"""Signed customer tokens: round trip, tampering, expiry, and the per-install secret."""

from __future__ import annotations

import base64
import os
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.support.identity import (
    CustomerAuthError,
    CustomerTokens,
    load_or_create_secret,
)

pytestmark = pytest.mark.unit

NOW = datetime(2026, 11, 28, 12, tzinfo=UTC)
SECRET = b"0123456789abcdef0123456789abcdef"


def _tokens(now: datetime = NOW, secret: bytes = SECRET) -> CustomerTokens:
    return CustomerTokens(secret, clock=lambda: now, ttl_seconds=3600)


def test_round_trip() -> None:
    assert _tokens().verify(_tokens().issue("alice")) == "alice"


def _swap(token: str, index: int, value: str) -> str:
    parts = token.split(".")
    parts[index] = value
    return ".".join(parts)


def test_tampered_tokens_are_rejected() -> None:
    token = _tokens().issue("alice")
    bob = base64.urlsafe_b64encode(b"bob").rstrip(b"=").decode()
    forged = [
        _swap(token, 1, bob),  # another customer
        _swap(token, 2, str(int(token.split(".")[2]) + 86400)),  # a later expiry
        _swap(token, 3, token.split(".")[3][:-2] + "AA"),  # a changed signature
        _swap(token, 0, "v2"),
        token + "x",
        "alice",
        "",
        "v1.." + "." * 600,
    ]
    for bad in forged:
        with pytest.raises(CustomerAuthError):
            _tokens().verify(bad)


def test_another_secret_does_not_verify() -> None:
    token = _tokens(secret=b"x" * 32).issue("alice")
    with pytest.raises(CustomerAuthError):
        _tokens().verify(token)


def test_expired_token() -> None:
    token = _tokens().issue("alice")
    assert _tokens(NOW + timedelta(seconds=3599)).verify(token) == "alice"
    with pytest.raises(CustomerAuthError, match="expired"):
        _tokens(NOW + timedelta(seconds=3600)).verify(token)


def test_config_is_checked() -> None:
    with pytest.raises(ValueError):
        CustomerTokens(b"short", clock=lambda: NOW)
    with pytest.raises(ValueError):
        CustomerTokens(SECRET, clock=lambda: NOW, ttl_seconds=0)
    with pytest.raises(ValueError):
        _tokens().issue("not a valid id!")


def test_secret_file_is_created_once_and_private(tmp_path: Path) -> None:
    path = tmp_path / "var" / "secret_key"
    first = load_or_create_secret(None, path)
    assert len(first) == 64
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(None, path) == first
    other = load_or_create_secret(None, tmp_path / "other" / "secret_key")
    assert other != first  # no shared default between installs


def test_secret_file_appears_whole_and_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secret_key"
    real_link = os.link
    seen: list[str] = []

    def link(src: str, dst: Path) -> None:
        seen.append(Path(src).read_text())  # the content is complete before the name exists
        assert not Path(dst).exists()
        real_link(src, dst)

    monkeypatch.setattr(os, "link", link)
    secret = load_or_create_secret(None, path)
    assert seen == [secret.decode()] and len(secret) == 64
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_a_secret_created_concurrently_is_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "secret_key"

    def racing_link(src: str, dst: Path) -> None:  # another worker linked its file first
        Path(dst).write_text("w" * 64)
        raise FileExistsError(dst)

    monkeypatch.setattr(os, "link", racing_link)
    assert load_or_create_secret(None, path) == b"w" * 64
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]


def test_configured_secret_wins_and_must_be_long(tmp_path: Path) -> None:
    assert load_or_create_secret("k" * 40, tmp_path / "secret_key") == b"k" * 40
    assert not (tmp_path / "secret_key").exists()
    with pytest.raises(ValueError):
        load_or_create_secret("short", tmp_path / "secret_key")


@given(st.text(max_size=600))
@settings(max_examples=300, deadline=None)
def test_arbitrary_strings_never_verify(token: str) -> None:
    with pytest.raises(CustomerAuthError):
        _tokens().verify(token)


@given(st.from_regex(r"[A-Za-z0-9_.-]{1,64}", fullmatch=True))
@settings(max_examples=100, deadline=None)
def test_any_valid_customer_id_round_trips(customer_id: str) -> None:
    assert _tokens().verify(_tokens().issue(customer_id)) == customer_id
