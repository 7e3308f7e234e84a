"""The chat page in headless Chromium: a conversation, product cards, a click logged as an event."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live_server import live_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip


@pytest.fixture
def server(services) -> Iterator[str]:  # type: ignore[no-untyped-def]
    from app import create_app

    with live_server(create_app(services)) as url:
        yield url


def test_conversation_and_card_click(server: str, services) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect, sync_playwright

    assert CHROMIUM.exists(), "install Debian's chromium package (.ci/run does)"
    external: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("request", lambda r: external.append(r.url) if server not in r.url else None)
        page.goto(server + "/", wait_until="load")
        box = page.locator("#message-box textarea")
        replies = page.locator("#chatbot").get_by_text("Here are", exact=False)
        for done, message in enumerate(("I need a laptop", "under $1000", "only HP"), start=1):
            box.fill(message)
            page.locator("#send-button").click()
            expect(replies).to_have_count(done, timeout=20_000)
        cards = page.locator(".product-card")
        expect(cards.first).to_contain_text("HP")
        page.get_by_role("button", name="Details").first.click()
        expect(page.locator("#product-details")).not_to_be_empty(timeout=10_000)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "chat-page.png"), full_page=True)
        browser.close()

    assert external == [], f"the page called out: {external[:3]}"
    (session,) = _sessions(services)
    events = services.conversations.list_events(session)
    turns = services.conversations.list_turns(session)
    assert [t.user_message for t in turns] == ["I need a laptop", "under $1000", "only HP"]
    assert len(events) == 1 and events[0].type == "click"
    assert events[0].turn_id == turns[-1].id
    assert events[0].product_id == turns[-1].products[0].product_id


def _sessions(services) -> list[str]:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    with services.engine.connect() as conn:
        return [row[0] for row in conn.execute(text("SELECT id FROM chat_sessions"))]
