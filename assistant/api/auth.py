"""API keys at the edge (issue 7): who is calling the developer API, and whether they may.

Once at least one key is active (``shopbot keys create``) or ``require_api_key`` is set, every
route under ``/api/`` and ``/v1/`` except the staff API (``/api/v1/staff/...``, staff tokens)
needs ``Authorization: Bearer <key>``; otherwise 401 with ``WWW-Authenticate: Bearer``.
``/health``, the Gradio pages, the widget and ``/docs`` are outside those prefixes and stay open.
While no key is required, a caller sending a valid key is still identified (its sessions are
its own) and any other ``Authorization`` header is ignored (OpenAI clients always send one).

Lookups are cached for ``api_key_cache_seconds``: a key revoked from another process (the CLI)
stops working within that time; :meth:`ApiKeyAuthenticator.invalidate` drops the cache at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.types import ASGIApp, Receive, Scope, Send

from assistant.api.errors import error_response_for
from db.api_keys import ApiKeyRecord, ApiKeyRepository, hash_key, key_prefix

CALLER_STATE_KEY = "api_caller"
RATE_LIMIT_STATE_KEY = "api_key_rate_limit"  # the caller's key's own limit (None: default)
_MAX_CACHED = 10_000


class ApiCaller(BaseModel):
    """The caller of an API request: its API key (if any) and its IP address.

    Example:
        >>> ApiCaller(key_id=None, key_prefix=None, ip="127.0.0.1").key_id is None
        True
    """

    key_id: int | None
    key_prefix: str | None
    ip: str


def client_ip(request: Request) -> str:
    return request.client.host if request.client is not None else "unknown"


# Documents the scheme in /docs ("Authorize"); the check itself is ApiKeyMiddleware's.
_api_key_scheme = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key from `shopbot keys create` (needed once any key exists).",
)


def api_caller(
    request: Request,
    _credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_api_key_scheme)] = None,
) -> ApiCaller:
    """FastAPI dependency: the caller the API-key middleware identified (anonymous without it)."""
    caller = request.scope.get("state", {}).get(CALLER_STATE_KEY)
    if isinstance(caller, ApiCaller):
        return caller
    return ApiCaller(key_id=None, key_prefix=None, ip=client_ip(request))


ApiCallerDep = Annotated[ApiCaller, Depends(api_caller)]


def needs_api_key(path: str) -> bool:
    """Whether ``path`` belongs to the key-protected API (``/api/...`` and ``/v1/...``)."""
    if path.startswith("/api/v1/staff/") or path == "/api/v1/staff":
        return False
    return path.startswith("/api/") or path.startswith("/v1/") or path == "/v1"


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


class ApiKeyAuthenticator:
    """Resolves bearer keys to active key records, caching hits and misses for a few seconds.

    Example:
        >>> auth = ApiKeyAuthenticator(ApiKeyRepository(session_factory), cache_seconds=5)
        >>> auth.identify("Bearer sb_k3x9a0qz_...").prefix
        'k3x9a0qz'
    """

    def __init__(
        self,
        keys: ApiKeyRepository,
        *,
        require_key: bool = False,
        cache_seconds: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if cache_seconds < 0:
            raise ValueError("cache_seconds cannot be negative")
        self._keys = keys
        self._require_key = require_key
        self._ttl = cache_seconds
        self._clock = clock
        self._any_active: tuple[bool, float] | None = None
        self._found: dict[str, tuple[ApiKeyRecord | None, float]] = {}

    def keys_required(self) -> bool:
        """``require_key``, or at least one key is active (re-checked every ``cache_seconds``)."""
        if self._require_key:
            return True
        now = self._clock()
        if self._any_active is None or now >= self._any_active[1]:
            self._any_active = (self._keys.any_active(), now + self._ttl)
        return self._any_active[0]

    def identify(self, authorization: str | None) -> ApiKeyRecord | None:
        """The active key an ``Authorization`` header carries, or None (missing, malformed,
        unknown or revoked)."""
        token = bearer_token(authorization)
        if token is None or key_prefix(token) is None:
            return None
        digest = hash_key(token)
        now = self._clock()
        cached = self._found.get(digest)
        if cached is None or now >= cached[1]:
            if len(self._found) >= _MAX_CACHED:
                self._found.clear()  # bounded: guessed keys must not grow memory
            cached = (self._keys.find(token), now + self._ttl)
            self._found[digest] = cached
        record = cached[0]
        return record if record is not None and record.active else None

    def invalidate(self) -> None:
        """Forget cached lookups (call after revoking or creating a key in this process)."""
        self._any_active = None
        self._found.clear()


class ApiKeyMiddleware:
    """Pure ASGI middleware: identifies the caller of ``/api`` and ``/v1`` routes (stored in the
    request state for :func:`api_caller`) and answers 401 when a key is required but missing."""

    def __init__(self, app: ASGIApp, authenticator: ApiKeyAuthenticator) -> None:
        self.app = app
        self.authenticator = authenticator

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not needs_api_key(scope["path"]):
            await self.app(scope, receive, send)
            return
        authorization = _header(scope, b"authorization")
        record = self.authenticator.identify(authorization)
        if record is None and self.authenticator.keys_required():
            message = (
                "this API needs an API key: send 'Authorization: Bearer <key>'"
                if bearer_token(authorization) is None
                else "invalid or revoked API key"
            )
            response = error_response_for(scope["path"], 401, "unauthorized", message)
            response.headers["WWW-Authenticate"] = "Bearer"
            await response(scope, receive, send)
            return
        client = scope.get("client")
        state = scope.setdefault("state", {})
        state[CALLER_STATE_KEY] = ApiCaller(
            key_id=record.id if record else None,
            key_prefix=record.prefix if record else None,
            ip=client[0] if client else "unknown",
        )
        state[RATE_LIMIT_STATE_KEY] = record.rate_limit_per_minute if record else None
        await self.app(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None
