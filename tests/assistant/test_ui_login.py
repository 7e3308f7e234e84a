"""The shopper page's demo login."""

from __future__ import annotations

import gradio as gr
import pytest

from assistant.config import Settings
from assistant.ui import demo_login

pytestmark = pytest.mark.unit


def test_login_lists_the_demo_customers() -> None:
    with gr.Blocks():
        login = demo_login([("Alice Martin (alice)", "alice")])
    assert isinstance(login, gr.Dropdown)
    assert [value for _, value in login.choices] == ["", "alice"]
    assert login.value == ""


def test_no_customers_no_login() -> None:
    with gr.Blocks():
        assert isinstance(demo_login([]), gr.State)


def test_demo_login_is_off_in_production() -> None:
    assert Settings(environment="development").demo_login_enabled
    assert not Settings(environment="production").demo_login_enabled
    assert Settings(environment="production", demo_login=True).demo_login_enabled
