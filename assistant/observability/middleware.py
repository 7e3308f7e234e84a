"""Pure ASGI middleware: time every HTTP request, label it by route template, log it.

Labels use the route *template* the router matched (``/api/v1/products/{product_id}``), never
the raw path, so label cardinality stays bounded whatever clients send; a request no route
matched is labelled ``<unmatched>``. Requests into a mounted app (the Gradio pages) are
labelled with the mount's prefix and the mounted app's own template when it sets one.

Each request gets an id (a client's ``X-Request-ID`` if it is short and plain, else a new one,
see :class:`RequestIds`), bound to every log record of the request and echoed in the
``X-Request-ID`` response header.

Example:
    >>> app.add_middleware(RequestMetricsMiddleware, metrics=services.metrics)
"""

from __future__ import annotations

import itertools
import logging
import re
import time
import uuid
from typing import Any

from starlette.routing import Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.observability.context import bind_request_id, unbind_request_id
from assistant.observability.metrics import ShopMetrics

log = logging.getLogger("shopbot.http")

UNMATCHED = "<unmatched>"
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
# Probes and scrapes are logged at DEBUG so they do not drown the request log.
_QUIET_ROUTES = frozenset({"/health", "/metrics"})
_CLIENT_CLOSED = 499  # nginx's convention for "the client went away before the answer"


def route_template(scope: Scope) -> str:
    """The matched route's template (with a mount's prefix), or ``<unmatched>``."""
    root_path = scope.get("root_path", "")
    mounted_at = root_path[len(scope.get("app_root_path", root_path)) :]
    route: Any = scope.get("route")
    template = getattr(route, "path_format", None)
    if isinstance(route, Mount) and isinstance(template, str):
        return template  # "/staff/{path}": the mounted app matched nothing itself
    if not isinstance(template, str):
        # Inside a mount that matched nothing: one label for the mount, not the raw path.
        return mounted_at + "/{path}" if mounted_at else UNMATCHED
    # A route of a mounted app has the mounted app's own template: prefix it with the mount.
    return mounted_at + template


class RequestIds:
    """Request ids: the client's ``X-Request-ID`` when it is plain and short, else this
    process's random prefix and a counter (cheaper than a uuid4 per request, still unique
    across processes).

    Example:
        >>> RequestIds().of({"headers": [(b"x-request-id", b"abc-1")]})
        'abc-1'
    """

    def __init__(self) -> None:
        self._prefix = uuid.uuid4().hex[:12]
        self._counter = itertools.count(1)

    def of(self, scope: Scope) -> str:
        for name, value in scope.get("headers", ()):
            if name == b"x-request-id":
                text = value.decode("latin-1")
                if _REQUEST_ID.fullmatch(text):
                    return text
                break
        return f"{self._prefix}-{next(self._counter)}"


class RequestMetricsMiddleware:
    """Records latency, status and errors of every HTTP request into ``metrics``."""

    def __init__(
        self, app: ASGIApp, metrics: ShopMetrics, logger: logging.Logger | None = None
    ) -> None:
        if not isinstance(metrics, ShopMetrics):
            raise ValueError("metrics must be a ShopMetrics")
        self.app = app
        self.metrics = metrics
        self.log = logger or log
        self._ids = RequestIds()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = self._ids.of(scope)
        id_header = (b"x-request-id", request_id.encode("latin-1"))
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), id_header]}
            await send(message)

        token = bind_request_id(request_id)
        started = time.perf_counter()
        self.metrics.in_progress.inc()
        try:
            await self.app(scope, receive, send_with_id)
        except Exception as e:
            self.metrics.observe_exception(route_template(scope), e)
            status = status or 500
            raise
        except BaseException:  # cancelled: the client disconnected or the server stops
            status = status or _CLIENT_CLOSED
            raise
        finally:
            self.metrics.in_progress.dec()
            self._finish(scope, status or 500, time.perf_counter() - started)
            unbind_request_id(token)

    def _finish(self, scope: Scope, status: int, seconds: float) -> None:
        route = route_template(scope)
        self.metrics.observe_request(scope["method"], route, status, seconds)
        level = logging.DEBUG if route in _QUIET_ROUTES and status < 400 else logging.INFO
        if self.log.isEnabledFor(level):
            method = scope["method"]
            ms = round(seconds * 1000, 3)
            self.log.log(
                level,
                "%s %s %d %.1f ms",
                method,
                route,
                status,
                ms,
                extra={"method": method, "route": route, "status": status, "duration_ms": ms},
            )
