"""The shopper page's demo login in headless Chromium: pick a customer, ask about an order."""

from __future__ import annotations

from typing import Any

import pytest

from tests.assistant.test_ui_browser import CHROMIUM, CHROMIUM_ARGS, server  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(autouse=True)
def _seeded(services: Any) -> None:
    services.seed_demo()  # before the app (and its login list) is built by `server`


def test_demo_login_shows_the_customers_order(server: str, services: Any) -> None:  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    assert CHROMIUM.exists(), "install Debian's chromium package (.ci/run does)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(server + "/", wait_until="load")
        box = page.locator("#message-box textarea")
        chat = page.locator("#chatbot")
        box.fill("where is order 10237?")
        page.locator("#send-button").click()
        expect(chat.get_by_text("sign in", exact=False)).to_have_count(1, timeout=20_000)
        page.locator("#demo-login input").click()
        page.get_by_role("option", name="Alice Martin (alice)").click()
        expect(chat.get_by_text("sign in", exact=False)).to_have_count(0, timeout=10_000)
        box.fill("where is order 10237?")
        page.locator("#send-button").click()
        expect(chat.get_by_text("has shipped", exact=False)).to_have_count(1, timeout=20_000)
        browser.close()
    assert set(_customer_sessions(services)) == {"alice"}


def _customer_sessions(services: Any) -> list[str]:
    from sqlalchemy import text

    with services.engine.connect() as connection:
        rows = connection.execute(
            text("SELECT customer_id FROM chat_sessions WHERE customer_id IS NOT NULL")
        )
        return [row[0] for row in rows]
