"""Wire observability into the app: the request middleware and the ``/metrics`` route.

``/metrics`` is outside the developer API keys (Prometheus does not hold one): keep it on an
internal network, or set ``SHOPBOT_METRICS_TOKEN`` so that it needs
``Authorization: Bearer <token>``.

Example:
    >>> install_observability(app, services.metrics, settings.metrics_token)
"""

from __future__ import annotations

import hmac

from fastapi import FastAPI, Request, Response
from pydantic import SecretStr

from assistant.api.errors import error_response
from assistant.observability.metrics import ShopMetrics
from assistant.observability.middleware import RequestMetricsMiddleware


def _authorized(request: Request, token: SecretStr | None) -> bool:
    if token is None:
        return True
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    expected = token.get_secret_value().encode()
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected)


def install_observability(
    app: FastAPI, metrics: ShopMetrics, token: SecretStr | None = None
) -> None:
    """Time every request into ``metrics`` (outermost middleware: add it last) and serve them.

    Add it after the other middleware so that requests they refuse (401, 413, 429, 504) are
    timed and counted too.
    """
    if token is not None and not token.get_secret_value():
        raise ValueError("the metrics token must not be empty")

    async def get_metrics(request: Request) -> Response:
        if not _authorized(request, token):
            response = error_response(401, "unauthorized", "a valid metrics token is required")
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        body, content_type = metrics.render()
        return Response(content=body, media_type=content_type)

    app.add_api_route("/metrics", get_metrics, methods=["GET"], include_in_schema=False)
    app.add_middleware(RequestMetricsMiddleware, metrics=metrics)
