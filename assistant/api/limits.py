"""Limits on the developer API (issue 7): rate limits, body size, request timeout, CORS.

All are pure ASGI middleware on ``/api/...`` and ``/v1/...`` paths only (the Gradio pages and
their uploads are untouched). Rate limits are token buckets held in this process's memory:
with several worker processes each keeps its own buckets.

Example:
    >>> install_api_middleware(app, settings, ApiKeyRepository(session_factory))
"""

from __future__ import annotations

import asyncio
import math
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.api.auth import (
    CALLER_STATE_KEY,
    RATE_LIMIT_STATE_KEY,
    ApiCaller,
    ApiKeyAuthenticator,
    ApiKeyMiddleware,
    needs_api_key,
)
from assistant.api.errors import error_response_for
from assistant.config import Settings
from db.api_keys import ApiKeyRepository


def is_api_path(path: str) -> bool:
    """``/api/...`` (staff API included) and the OpenAI-compatible ``/v1/...``."""
    return path.startswith("/api/") or path.startswith("/v1/") or path == "/v1"


class TokenBuckets:
    """Token buckets by key: ``per_minute`` tokens of burst, refilled at ``per_minute / 60``/s.

    Example:
        >>> buckets = TokenBuckets(clock=lambda: 0.0)
        >>> buckets.take("ip:1.2.3.4", per_minute=1), buckets.take("ip:1.2.3.4", per_minute=1)
        (0.0, 60.0)
    """

    def __init__(
        self, clock: Callable[[], float] = time.monotonic, max_buckets: int = 100_000
    ) -> None:
        if max_buckets < 1:
            raise ValueError("max_buckets must be positive")
        self._clock = clock
        self._max = max_buckets
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()

    def take(self, key: Hashable, per_minute: int) -> float:
        """Take one token: 0.0 if the request may pass, else the seconds until it could."""
        if per_minute <= 0:
            return 0.0
        now = self._clock()
        rate = per_minute / 60.0
        found = self._buckets.pop(key, None)
        tokens = float(per_minute)
        if found is not None:
            tokens = min(tokens, found[0] + max(0.0, now - found[1]) * rate)
        wait = 0.0
        if tokens >= 1.0:
            tokens -= 1.0
        else:
            wait = (1.0 - tokens) / rate
        self._buckets[key] = (tokens, now)  # most recently used last
        if len(self._buckets) > self._max:
            self._buckets.popitem(last=False)  # a forgotten bucket starts full again
        return wait


class RateLimitMiddleware:
    """429 with ``Retry-After`` (whole seconds) past a caller's rate: callers with a key are
    limited per key (the key's own limit, else ``per_key``), others per IP (``per_ip``).
    Must run inside :class:`ApiKeyMiddleware`, which identifies the caller."""

    def __init__(self, app: ASGIApp, buckets: TokenBuckets, per_key: int, per_ip: int) -> None:
        self.app = app
        self.buckets = buckets
        self.per_key = per_key
        self.per_ip = per_ip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not needs_api_key(scope["path"]):
            await self.app(scope, receive, send)
            return
        state = scope.get("state", {})
        caller = state.get(CALLER_STATE_KEY)
        wait = self._wait(caller, state.get(RATE_LIMIT_STATE_KEY), scope)
        if wait <= 0:
            await self.app(scope, receive, send)
            return
        seconds = max(1, math.ceil(wait))
        message = f"too many requests; retry in {seconds} s"
        response = error_response_for(scope["path"], 429, "rate_limited", message)
        response.headers["Retry-After"] = str(seconds)
        await response(scope, receive, send)

    def _wait(self, caller: Any, key_limit: int | None, scope: Scope) -> float:
        if isinstance(caller, ApiCaller) and caller.key_id is not None:
            limit = key_limit if key_limit is not None else self.per_key
            return self.buckets.take(("key", caller.key_id), limit)
        client = scope.get("client")
        return self.buckets.take(("ip", client[0] if client else "unknown"), self.per_ip)


class BodySizeLimitMiddleware:
    """413 for API request bodies over ``max_bytes``: by ``Content-Length`` up front, else by
    counting the streamed (chunked) bytes, which are buffered before the route runs."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        if max_bytes < 1:
            raise ValueError("max_bytes must be positive")
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_api_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        declared = _content_length(scope)
        if declared is not None and declared > self.max_bytes:
            await self._too_large(scope, receive, send)
            return
        pending = await self._read_body(receive)
        if pending is None:
            await self._too_large(scope, receive, send)
            return

        async def replay() -> Message:
            return pending.pop(0) if pending else await receive()

        await self.app(scope, replay, send)

    async def _read_body(self, receive: Receive) -> list[Message] | None:
        """The body as one message (plus a disconnect, if one came), or None if too large."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return [{"type": "http.request", "body": b"".join(chunks)}, message]
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]

    async def _too_large(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = f"the request body is larger than {self.max_bytes} bytes"
        response = error_response_for(scope["path"], 413, "too_large", message)
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope["headers"]:
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class RequestTimeoutMiddleware:
    """504 when an API route has not started its response within ``seconds``.

    Streaming routes start their response at once, so only non-streaming answers are cut. A
    route running in a worker thread cannot be stopped: it finishes in the background and its
    late answer is dropped.
    """

    def __init__(self, app: ASGIApp, seconds: float) -> None:
        if seconds <= 0:
            raise ValueError("seconds must be positive")
        self.app = app
        self.seconds = seconds
        self._abandoned: set[asyncio.Task[None]] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_api_path(scope["path"]):
            await self.app(scope, receive, send)
            return
        started = asyncio.Event()
        timed_out = False

        async def guarded_send(message: Message) -> None:
            if timed_out:
                return
            if message["type"] == "http.response.start":
                started.set()
            await send(message)

        task = asyncio.ensure_future(self.app(scope, receive, guarded_send))
        waiter = asyncio.ensure_future(started.wait())
        try:
            done, _ = await asyncio.wait(
                {task, waiter}, timeout=self.seconds, return_when=asyncio.FIRST_COMPLETED
            )
        except asyncio.CancelledError:
            task.cancel()
            raise
        finally:
            waiter.cancel()
        if done:
            await task
            return
        timed_out = True
        self._abandon(task)
        message = f"the request took longer than {self.seconds:g} s"
        await error_response_for(scope["path"], 504, "timeout", message)(scope, receive, send)

    def _abandon(self, task: asyncio.Task[None]) -> None:
        task.cancel()
        self._abandoned.add(task)
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        self._abandoned.discard(task)
        if not task.cancelled():
            task.exception()  # retrieved, so asyncio does not log it as never retrieved


def install_api_middleware(
    app: FastAPI,
    settings: Settings,
    keys: ApiKeyRepository,
    clock: Callable[[], float] = time.monotonic,
) -> ApiKeyAuthenticator:
    """Add (outermost first) CORS, body size, API keys, rate limits and the timeout to ``app``.

    Returns the key authenticator (also ``app.state.api_keys``) for cache invalidation.
    """
    authenticator = ApiKeyAuthenticator(
        keys,
        require_key=settings.require_api_key,
        cache_seconds=settings.api_key_cache_seconds,
        clock=clock,
    )
    app.state.api_keys = authenticator
    # add_middleware wraps what is there: the last one added runs first.
    app.add_middleware(RequestTimeoutMiddleware, seconds=settings.request_timeout_seconds)
    app.add_middleware(
        RateLimitMiddleware,
        buckets=TokenBuckets(clock=clock),
        per_key=settings.rate_limit_per_minute,
        per_ip=settings.ip_rate_limit_per_minute,
    )
    app.add_middleware(ApiKeyMiddleware, authenticator=authenticator)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Authorization", "Content-Type", "X-Customer-Token"],
            expose_headers=["Retry-After"],
            max_age=600,
        )
    return authenticator
