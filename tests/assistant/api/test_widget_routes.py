"""``/widget.js`` and ``/widget/demo``: content types, caching, the demo page's CSP, OpenAPI."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.api.widget_routes import demo_csp, load_asset, widget

pytestmark = pytest.mark.unit


@pytest.fixture
def client() -> TestClient:
    app = FastAPI()
    app.include_router(widget)
    return TestClient(app)


def test_widget_script_is_javascript_with_cache_headers(client: TestClient) -> None:
    response = client.get("/widget.js")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/javascript; charset=utf-8"
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    assert re.fullmatch(r'"[0-9a-f]{32}"', response.headers["etag"])
    assert "attachShadow" in response.text


def test_a_current_etag_gets_304_without_a_body(client: TestClient) -> None:
    etag = client.get("/widget.js").headers["etag"]
    for sent in (etag, f'"other", {etag}', f"W/{etag}", "*"):
        again = client.get("/widget.js", headers={"If-None-Match": sent})
        assert again.status_code == 304, sent
        assert again.content == b""
        assert again.headers["etag"] == etag
    stale = client.get("/widget.js", headers={"If-None-Match": '"0000"'})
    assert stale.status_code == 200 and stale.content


def test_demo_page_includes_the_widget_with_one_tag_under_a_strict_csp(client: TestClient) -> None:
    response = client.get("/widget/demo")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text.count("<script") == 1
    assert re.search(r'<script src="/widget.js" defer data-title="[^"]+"></script>', response.text)
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "connect-src 'self'" in csp
    assert "unsafe-inline" not in csp and "default-src 'none'" in csp


def test_demo_csp_allows_exactly_the_inline_styles_by_hash() -> None:
    page = b"<style>a{}</style><p>x</p><style>b{}</style>"
    hashes = re.findall(r"'sha256-[A-Za-z0-9+/=]+'", demo_csp(page))
    assert len(hashes) == 2
    assert "style-src 'none'" in demo_csp(b"<p>no styles</p>")


def test_only_the_shipped_assets_are_served() -> None:
    with pytest.raises(ValueError):
        load_asset("../config.py")


def test_openapi_documents_both_routes_with_their_content_types(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    script = paths["/widget.js"]["get"]["responses"]
    assert "text/javascript" in script["200"]["content"] and "304" in script
    assert "text/html" in paths["/widget/demo"]["get"]["responses"]["200"]["content"]
