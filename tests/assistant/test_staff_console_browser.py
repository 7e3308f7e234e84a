"""Staff console and shopper page in headless Chromium: a handoff answered by staff reaches
the shopper's chat."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.assistant.test_ui_browser import CHROMIUM, CHROMIUM_ARGS
from tests.live_server import live_server

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PASSWORD = "correct horse battery"


@pytest.fixture
def console_server(services: Any) -> Iterator[str]:
    from app import create_app

    services.support.staff_auth.create_account("ana", PASSWORD, "agent")
    with live_server(create_app(services)) as url:
        yield url


def test_staff_reply_reaches_the_shopper_page(console_server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    assert CHROMIUM.exists(), "install Debian's chromium package (.ci/run does)"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        shopper = browser.new_page(viewport={"width": 1400, "height": 1000})
        shopper.goto(console_server + "/", wait_until="load")
        shopper.locator("#message-box textarea").fill("I want to talk to a human agent")
        shopper.locator("#send-button").click()
        chat = shopper.locator("#chatbot")
        expect(chat.get_by_text("customer service team", exact=False)).to_have_count(
            1, timeout=20_000
        )

        staff = browser.new_page(viewport={"width": 1400, "height": 1000})
        staff.goto(console_server + "/staff/", wait_until="load")
        staff.locator("#staff-username").locator("textarea, input").first.fill("ana")
        staff.locator("#staff-password").locator("textarea, input").first.fill(PASSWORD)
        staff.locator("#staff-login").click()
        expect(staff.get_by_text("Signed in as")).to_be_visible(timeout=10_000)
        staff.get_by_role("combobox", name="Open handoffs").click()
        staff.get_by_role("option").first.click()
        expect(staff.locator("#staff-transcript")).to_contain_text(
            "I want to talk to a human agent", timeout=10_000
        )
        staff.get_by_label("Reply to the shopper").fill("Hi, Ana here. How can I help?")
        staff.get_by_role("button", name="Send reply").click()

        expect(chat.get_by_text("Ana here", exact=False)).to_have_count(1, timeout=15_000)
        browser.close()
