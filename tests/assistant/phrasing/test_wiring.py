"""Phrasing wired into the services: off by default, a fake model phrases when switched on."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

pytestmark = pytest.mark.integration


def test_phrasing_is_off_by_default(services: Any) -> None:
    assert services.chat_model is None and services.turn_phraser is None
    result = services.assistant.chat(None, "laptops under 800 dollars")
    assert "phrased_by" not in result.model_dump(mode="json")


def test_a_configured_model_phrases_the_reply_within_the_facts(services: Any) -> None:
    services.__dict__["chat_model"] = GenericFakeChatModel(
        messages=iter(
            [
                "I picked a few laptops under $800.00 for you.",
                "I picked a few laptops from only $1.00 for you.",
            ]
        )
    )
    first = services.assistant.chat(None, "laptops under 800 dollars")
    assert first.reply == "I picked a few laptops under $800.00 for you."
    assert first.model_dump(mode="json")["phrased_by"] == "llm"
    second = services.assistant.chat(None, "laptops under 800 dollars")
    assert second.reply.startswith("Here are 5 laptops under $800.00")
    assert "phrased_by" not in second.model_dump(mode="json")
