"""Who the shopper is: signed customer tokens (HMAC-SHA256) and the per-install secret.

A token is ``v1.<customer id, base64url>.<expiry, unix seconds>.<signature, base64url>`` where
the signature is HMAC-SHA256 over everything before it, keyed with the store's secret. Changing
any character (the customer id, the expiry) invalidates the signature.

Example:
    >>> tokens = CustomerTokens(secret=b"s" * 32, clock=utcnow)
    >>> tokens.verify(tokens.issue("alice"))
    'alice'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import os
import re
import secrets
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from assistant.errors import AssistantError

log = logging.getLogger(__name__)

_VERSION = "v1"
_CUSTOMER_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_EXPIRY = re.compile(r"[0-9]{1,12}")
MIN_SECRET_BYTES = 32
MAX_TOKEN_CHARS = 512


class CustomerAuthError(AssistantError):
    """The customer token is missing where required, malformed, forged or expired (HTTP 401)."""


class SessionOwnerError(AssistantError):
    """The chat session belongs to another customer (HTTP 403)."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class CustomerTokens:
    """Issues and verifies signed customer tokens.

    Example:
        >>> secret = load_or_create_secret(None, Path("var/secret_key"))
        >>> tokens = CustomerTokens(secret=secret, clock=utcnow)
        >>> token = tokens.issue("alice")
        >>> tokens.verify(token)
        'alice'
    """

    def __init__(
        self, secret: bytes, clock: Callable[[], datetime], ttl_seconds: int = 7 * 24 * 3600
    ) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"the token secret must be at least {MIN_SECRET_BYTES} bytes")
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        self._secret = secret
        self._clock = clock
        self.ttl_seconds = ttl_seconds

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._secret, payload.encode("ascii"), hashlib.sha256).digest())

    def issue(self, customer_id: str, ttl_seconds: int | None = None) -> str:
        """A token for ``customer_id`` valid for ``ttl_seconds`` (default: the configured TTL)."""
        if not _CUSTOMER_ID.fullmatch(customer_id):
            raise ValueError(f"invalid customer id {customer_id!r}")
        expires = int(self._clock().timestamp()) + (ttl_seconds or self.ttl_seconds)
        payload = f"{_VERSION}.{_b64(customer_id.encode())}.{expires}"
        return f"{payload}.{self._sign(payload)}"

    def verify(self, token: str) -> str:
        """The customer id the token was issued for.

        Raises:
            CustomerAuthError: malformed, bad signature, or expired.
        """
        parts = token.split(".") if len(token) <= MAX_TOKEN_CHARS else []
        if len(parts) != 4 or parts[0] != _VERSION or not _EXPIRY.fullmatch(parts[2]):
            raise CustomerAuthError("invalid customer token")
        payload = ".".join(parts[:3])
        if not hmac.compare_digest(self._sign(payload), parts[3]):
            raise CustomerAuthError("invalid customer token")
        if int(parts[2]) <= self._clock().timestamp():
            raise CustomerAuthError("customer token expired; sign in again")
        try:
            customer_id = _unb64(parts[1]).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError) as e:  # only if the secret leaked
            raise CustomerAuthError("invalid customer token") from e
        if not _CUSTOMER_ID.fullmatch(customer_id):
            raise CustomerAuthError("invalid customer token")
        return customer_id


def _create_secret_file(path: Path) -> None:
    """Create ``path`` holding a new random secret, atomically: the secret is written and
    fsynced under a temporary name, then hard-linked to ``path`` (an atomic create-if-absent),
    so ``path`` never holds a partial secret even if the process dies mid-write, and two
    processes starting together end up using the same one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".secret-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:  # mkstemp: mode 0600
            handle.write(secrets.token_hex(32))
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:  # another process created it first: use theirs
            return
        log.info("identity.secret_created path=%s", path)
    finally:
        os.unlink(tmp)


def load_or_create_secret(configured: str | None, path: Path) -> bytes:
    """The configured secret, else this install's random secret kept in the file ``path``.

    The file is created on first use (32 random bytes as hex, mode 0600), so no default
    secret is ever shared between installs.
    """
    if configured:
        if len(configured.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"SHOPBOT_SECRET_KEY must be at least {MIN_SECRET_BYTES} bytes")
        return configured.encode()
    if not path.exists():
        _create_secret_file(path)
    secret = path.read_text(encoding="ascii").strip()
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"{path} holds a secret shorter than {MIN_SECRET_BYTES} characters")
    return secret.encode()
