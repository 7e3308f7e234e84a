"""The embeddable chat widget: ``GET /widget.js`` and a demo shop page at ``GET /widget/demo``.

Both are static files shipped in ``assistant/static`` (package data), read once per process.
Neither needs an API key: the script is public, and the API calls it makes carry the key the
shop put in its ``data-api-key`` attribute.
"""

from __future__ import annotations

import base64
import hashlib
import re
from functools import cache
from importlib import resources
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict

widget = APIRouter(tags=["widget"])

WIDGET_MAX_AGE_SECONDS = 300
_NONE = "'none'"
_INLINE_STYLE = re.compile(rb"<style>(.*?)</style>", re.DOTALL)


class StaticAsset(BaseModel):
    """One static file as served: its bytes, a strong ETag and the response headers.

    Example:
        >>> asset = load_asset("widget.js")
        >>> asset.headers["Content-Type"]
        'text/javascript; charset=utf-8'
    """

    model_config = ConfigDict(frozen=True)

    body: bytes
    etag: str
    headers: dict[str, str]


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def demo_csp(page: bytes) -> str:
    """A strict Content-Security-Policy for the demo page: only this server, no inline script.

    The page's own ``<style>`` block is allowed by its hash, so the policy also shows that the
    widget needs neither inline scripts nor inline styles (it uses a constructed stylesheet).
    """
    styles = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(m.group(1)).digest()).decode() + "'"
        for m in _INLINE_STYLE.finditer(page)
    )
    return (
        "default-src 'none'; script-src 'self'; connect-src 'self'; img-src 'self' data:; "
        f"style-src {styles or _NONE}; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
    )


@cache
def load_asset(name: str) -> StaticAsset:
    """Read ``assistant/static/<name>`` once and derive its headers (ValueError if unknown)."""
    if name not in ("widget.js", "widget_demo.html"):
        raise ValueError(f"not a widget asset: {name!r}")
    body = resources.files("assistant").joinpath("static", name).read_bytes()
    etag = _etag(body)
    headers = {"ETag": etag, "X-Content-Type-Options": "nosniff"}
    if name == "widget.js":
        headers |= {
            "Content-Type": "text/javascript; charset=utf-8",
            # Shops load it cross-origin; short max-age so a new version spreads within minutes.
            "Cache-Control": f"public, max-age={WIDGET_MAX_AGE_SECONDS}",
            "Cross-Origin-Resource-Policy": "cross-origin",
        }
    else:
        headers |= {
            "Content-Type": "text/html; charset=utf-8",
            "Cache-Control": "no-cache",
            "Content-Security-Policy": demo_csp(body),
            "Referrer-Policy": "no-referrer",
        }
    return StaticAsset(body=body, etag=etag, headers=headers)


def _not_modified(request: Request, etag: str) -> bool:
    tags = [t.strip() for t in request.headers.get("if-none-match", "").split(",")]
    return etag in tags or "*" in tags or ("W/" + etag) in tags


def serve_asset(request: Request, name: str) -> Response:
    """The asset, or 304 Not Modified when the client's ``If-None-Match`` names its ETag."""
    asset = load_asset(name)
    if _not_modified(request, asset.etag):
        keep = {k: v for k, v in asset.headers.items() if k != "Content-Type"}
        return Response(status_code=304, headers=keep)
    return Response(content=asset.body, headers=asset.headers)


def _content(media_type: str, description: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"content": {media_type: {"schema": {"type": "string"}}}, "description": description},
        304: {"description": "Not modified (the `If-None-Match` ETag is current)"},
    }


@widget.get(
    "/widget.js",
    response_class=Response,
    responses=_content("text/javascript", "The widget script"),
)
def widget_script(request: Request) -> Response:
    """The embeddable chat widget; include it with one tag (see the README, "Chat widget")."""
    return serve_asset(request, "widget.js")


@widget.get(
    "/widget/demo",
    response_class=Response,
    responses=_content("text/html", "A demo shop page with the widget"),
)
def widget_demo(request: Request) -> Response:
    """A demo shop page that includes the widget with one ``<script>`` tag."""
    return serve_asset(request, "widget_demo.html")
