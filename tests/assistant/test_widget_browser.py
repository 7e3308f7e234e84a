"""The embeddable widget in headless Chromium: demo shop page, streaming, cards, clicks, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.assistant.test_ui_browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS
from tests.live_server import live_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAUNCHER = "Open Northwind assistant"  # the demo page's data-title


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    assert CHROMIUM.exists(), "install Debian's chromium package (.ci/run does)"
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def server(services) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from app import create_app

    with live_server(create_app(services)) as url:
        yield url


@pytest.fixture(scope="module")
def widget_only_server() -> Iterator[str]:
    """Only the widget routes: the API answers come from Playwright's request interception."""
    from fastapi import FastAPI

    from assistant.api.widget_routes import widget

    app = FastAPI()
    app.include_router(widget)
    with live_server(app) as url:
        yield url


class PageWatch:
    """Every request the page makes, and its script errors and CSP violations.

    Chromium also logs each 4xx/5xx answer as a console error ("Failed to load resource");
    those are expected here (the tests provoke 401 and 429), so they are left out.
    """

    def __init__(self, page: Any) -> None:
        self.urls: list[str] = []
        self.console_errors: list[str] = []
        page.on("request", lambda r: self.urls.append(r.url))
        page.on("console", self._on_console)
        page.on("pageerror", lambda e: self.console_errors.append(str(e)))

    def _on_console(self, message: Any) -> None:
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.console_errors.append(message.text)

    def posts_to(self, path: str) -> int:
        return sum(1 for url in self.urls if url.split("?")[0].endswith(path))


def open_widget(browser: Any, url: str, path: str = "/widget/demo") -> tuple[Any, PageWatch, Any]:
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    watch = PageWatch(page)
    page.goto(url + path, wait_until="load")
    launcher = page.get_by_role("button", name=LAUNCHER)
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.click()
    box = page.get_by_role("textbox", name="Your message")
    expect(box).to_be_focused()
    return page, watch, box


def send(box: Any, message: str) -> None:
    box.fill(message)
    box.press("Enter")  # the widget's form submits on Enter


def test_widget_streams_a_conversation_and_logs_a_click(server: str, services, browser) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page, watch, box = open_widget(browser, server)
    send(box, "laptop under 800")
    cards = page.locator(".card")
    expect(cards.first).to_be_visible(timeout=20_000)
    expect(cards.first.locator(".price")).to_contain_text("$")
    expect(cards.first.locator(".reason")).not_to_be_empty()
    clicked_id = cards.first.get_attribute("data-product-id")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/events")) as logged:
        cards.first.click()
    assert logged.value.status == 201

    send(box, "only HP")
    expect(page.locator(".cards")).to_have_count(2, timeout=20_000)
    expect(page.locator(".cards").nth(1).locator(".card").first).to_contain_text("HP")
    # The host page styles every button magenta: the Shadow DOM keeps them out.
    launcher = page.get_by_role("button", name="Hide Northwind assistant")  # open: it hides
    launcher_bg = launcher.evaluate("b => getComputedStyle(b).backgroundColor")
    stored = page.evaluate("() => Object.values(sessionStorage)")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "widget.png"))
    page.close()

    assert [u for u in watch.urls if not u.startswith(server + "/")] == [], "the page called out"
    assert watch.posts_to("/api/v1/chat/stream") == 2, "both turns must stream"
    assert watch.posts_to("/api/v1/chat") == 0, "no fallback to the non-streaming route"
    assert watch.console_errors == []
    assert launcher_bg == "rgb(31, 95, 191)"
    (session,) = _sessions(services)
    assert stored == [session]
    turns = services.conversations.list_turns(session)
    assert [t.user_message for t in turns] == ["laptop under 800", "only HP"]
    (event,) = services.conversations.list_events(session)
    assert (event.type, event.product_id, event.turn_id) == ("click", clicked_id, turns[0].id)
    assert clicked_id in [p.product_id for p in turns[0].products]


def test_widget_restarts_a_conversation_the_server_no_longer_knows(
    server: str,
    services,  # type: ignore[no-untyped-def]
    browser: Any,
) -> None:
    from playwright.sync_api import expect

    page, _, box = open_widget(browser, server)
    page.evaluate(
        "() => { for (const k of Object.keys(sessionStorage)) sessionStorage.removeItem(k); }"
    )
    key = "shopbot-widget:" + server + ":session"
    page.evaluate("k => sessionStorage.setItem(k, 'gone-session')", key)
    page.reload()
    page.get_by_role("button", name=LAUNCHER).click()
    send(box, "a wireless mouse")
    expect(page.locator(".note")).to_contain_text("starting a new one", timeout=20_000)
    expect(page.locator(".card").first).to_be_visible()
    (session,) = _sessions(services)
    assert page.evaluate("k => sessionStorage.getItem(k)", key) == session
    page.close()


def test_widget_falls_back_to_plain_chat_when_streaming_is_unavailable(
    server: str,
    services,  # type: ignore[no-untyped-def]
    browser: Any,
) -> None:
    from playwright.sync_api import expect

    page, watch, box = open_widget(browser, server)
    page.route("**/api/v1/chat/stream", lambda route: route.fulfill(status=404, body="Not Found"))
    send(box, "laptop under 800")
    expect(page.locator(".card").first).to_be_visible(timeout=20_000)
    box.press("Escape")  # closes the panel and gives the focus back to the launcher
    launcher = page.get_by_role("button", name=LAUNCHER)
    expect(launcher).to_be_focused()
    expect(launcher).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("dialog")).to_be_hidden()
    page.close()
    assert watch.posts_to("/api/v1/chat") == 1
    (session,) = _sessions(services)
    assert len(services.conversations.list_turns(session)) == 1


def test_widget_on_another_origin_sends_its_api_key(services, browser: Any) -> None:  # type: ignore[no-untyped-def]
    """A shop on another origin (another port) embeds the widget with a key; CORS lets it in."""
    from fastapi import FastAPI
    from fastapi.responses import HTMLResponse
    from playwright.sync_api import expect

    from app import create_app
    from db.api_keys import ApiKeyRepository

    api: dict[str, str] = {}
    shop = FastAPI()

    @shop.get("/{page}", response_class=HTMLResponse)
    def shop_page(page: str) -> str:
        key = api["key"] if page == "good" else "sb_wrongkey_" + "x" * 32
        return (
            "<!doctype html><title>Another shop</title><h1>Another shop</h1>"
            f'<script src="{api["url"]}/widget.js" defer data-api-key="{key}"'
            ' data-title="Northwind assistant"></script>'
        )

    new_key = ApiKeyRepository(services.session_factory).create("widget", rate_limit_per_minute=30)
    with live_server(shop) as shop_url:
        services.settings.cors_origins = [shop_url]
        with live_server(create_app(services)) as api_url:
            api |= {"url": api_url, "key": new_key.key}
            page, watch, box = open_widget(browser, shop_url, "/good")
            send(box, "laptop under 800")
            card = page.locator(".card").first
            expect(card).to_be_visible(timeout=20_000)
            with page.expect_response(lambda r: r.url.endswith("/api/v1/events")) as logged:
                card.click()
            assert logged.value.status == 201
            page.close()

            page, _, box = open_widget(browser, shop_url, "/bad")
            send(box, "laptop under 800")
            expect(page.locator(".error")).to_contain_text("HTTP 401")
            page.close()

    assert all(u.startswith("http://127.0.0.1:") for u in watch.urls)
    assert watch.posts_to("/api/v1/chat/stream") == 1 and watch.posts_to("/api/v1/chat") == 0
    (session_id,) = _sessions(services)
    session = services.conversations.get_session(session_id)
    assert session is not None and session.api_key_id == new_key.record.id
    (event,) = services.conversations.list_events(session_id)
    assert event.type == "click"


HOSTILE_CARD = {
    "id": "p-1",
    "title": '<img src=x onerror="window.__xss = 1">Laptop 14"',
    "brand": "<b>Evil</b>",
    "category": "laptop",
    "price": "799.00",
    "currency": "USD",
    "score": 0.9,
    "reason": "<script>window.__xss = 2</script>within budget",
}
DONE = {
    "session_id": "s-1",
    "turn_id": 7,
    "intent": "search",
    "filters": {},
    "reply": "Here are <i>1</i> laptops",
    "products": [HOSTILE_CARD],
    "sources": [{"document": "returns", "section": "Return window", "snippet": "..."}],
}


def _sse(*events: tuple[str, Any]) -> str:
    # Mixed line endings and a keep-alive comment, as proxies may produce them.
    head = ": keep-alive\r\n\r\n"
    return head + "".join(f"event: {name}\r\ndata: {json.dumps(data)}\n\n" for name, data in events)


def test_widget_renders_catalog_text_as_text_and_errors_as_lines(
    widget_only_server: str, browser: Any
) -> None:
    from playwright.sync_api import expect

    stream = _sse(
        ("start", {"session_id": None}),
        ("delta", {"text": "Here are "}),
        ("delta", {"text": "<i>1</i> laptops"}),
        ("products", {"products": [HOSTILE_CARD]}),
        ("done", DONE),
    )
    answers: list[dict[str, Any]] = [
        {"status": 200, "body": stream, "content_type": "text/event-stream"},
        _json_error(429, "rate limit exceeded", {"Retry-After": "7"}),
        _json_error(401, "missing or invalid API key"),
        {
            "status": 200,
            "content_type": "text/event-stream",
            "body": _sse(("start", {"session_id": "s-1"}), ("error", _error("search failed"))),
        },
    ]
    chat_bodies: list[Any] = []
    event_bodies: list[Any] = []

    def answer_chat(route: Any) -> None:
        chat_bodies.append(route.request.post_data_json)
        route.fulfill(**answers.pop(0))

    def answer_event(route: Any) -> None:
        event_bodies.append(route.request.post_data_json)
        route.fulfill(status=201, json={})

    page, watch, box = open_widget(browser, widget_only_server)
    page.route("**/api/v1/chat/stream", answer_chat)
    page.route("**/api/v1/events", answer_event)
    send(box, "laptop")
    card = page.locator(".card")
    expect(card).to_have_count(1)
    expect(card.locator(".title")).to_have_text('<img src=x onerror="window.__xss = 1">Laptop 14"')
    expect(card.locator(".reason")).to_have_text("<script>window.__xss = 2</script>within budget")
    expect(card.locator(".meta")).to_have_text("<b>Evil</b> · $799.00")
    expect(page.locator(".msg.bot").nth(1)).to_have_text("Here are <i>1</i> laptops")
    expect(page.locator(".sources")).to_have_text("Source: returns — Return window")
    with page.expect_request("**/api/v1/events"):
        card.click()
    markup = "el => el.shadowRoot.querySelectorAll('.log img, .log script, .log b, .log i').length"
    assert page.locator("#shopbot-widget").evaluate(markup) == 0
    assert page.evaluate("() => window.__xss") is None

    for message in ("again", "and again", "once more"):
        send(box, message)
        expect(page.get_by_role("button", name="Send")).to_be_enabled()
    errors = page.locator(".error")
    expect(errors).to_have_count(3)
    expect(errors.nth(0)).to_contain_text("wait 7 s")
    expect(errors.nth(0)).to_contain_text("HTTP 429")
    expect(errors.nth(1)).to_contain_text("HTTP 401")
    expect(errors.nth(2)).to_have_text("The assistant could not finish that answer: search failed")
    page.close()

    assert event_bodies == [
        {"session_id": "s-1", "product_id": "p-1", "type": "click", "turn_id": 7}
    ]
    assert [b["session_id"] for b in chat_bodies] == [None, "s-1", "s-1", "s-1"]
    assert watch.console_errors == []


def _error(message: str) -> dict[str, Any]:
    return {"error": {"code": "error", "message": message}}


def _json_error(status: int, message: str, headers: dict[str, str] | None = None) -> dict[str, Any]:
    return {"status": status, "json": _error(message), "headers": headers or {}}


def _sessions(services) -> list[str]:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    with services.engine.connect() as conn:
        return [row[0] for row in conn.execute(text("SELECT id FROM chat_sessions"))]
