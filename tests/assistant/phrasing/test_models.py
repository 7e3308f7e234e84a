"""Settings select the chat model; nothing is built (or contacted) when phrasing is off."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_ollama import ChatOllama
from langchain_openai import ChatOpenAI
from pydantic import ValidationError

from assistant.config import Settings
from assistant.phrasing.models import OLLAMA_DEFAULT_URL, chat_model_from_settings

pytestmark = pytest.mark.unit


def settings(tmp_path: Path, **llm: object) -> Settings:
    return Settings(
        environment="test",
        database_url=f"sqlite:///{tmp_path / 'shop.db'}",
        chroma_path=tmp_path / "chroma",
        **llm,  # type: ignore[arg-type]
    )


def test_phrasing_is_off_by_default(tmp_path: Path) -> None:
    assert settings(tmp_path).llm_provider == "none"
    assert chat_model_from_settings(settings(tmp_path)) is None


def test_an_openai_compatible_endpoint(tmp_path: Path) -> None:
    model = chat_model_from_settings(
        settings(
            tmp_path,
            llm_provider="openai",
            llm_base_url="http://127.0.0.1:9/v1",  # discard port: never contacted here
            llm_model="qwen2.5-7b-instruct",
            llm_api_key="sk-test",
            llm_timeout_seconds=3,
            llm_temperature=0.1,
        )
    )
    assert isinstance(model, ChatOpenAI)
    assert (model.model_name, model.openai_api_base) == (
        "qwen2.5-7b-instruct",
        "http://127.0.0.1:9/v1",
    )
    assert (model.request_timeout, model.temperature, model.max_retries) == (3, 0.1, 0)
    assert model.openai_api_key is not None
    assert model.openai_api_key.get_secret_value() == "sk-test"


def test_ollama(tmp_path: Path) -> None:
    model = chat_model_from_settings(
        settings(tmp_path, llm_provider="ollama", llm_model="llama3.2")
    )
    assert isinstance(model, ChatOllama)
    assert (model.model, model.base_url) == ("llama3.2", OLLAMA_DEFAULT_URL)


def test_a_provider_needs_a_model(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="llm_model"):
        settings(tmp_path, llm_provider="ollama")
    with pytest.raises(ValidationError):
        settings(tmp_path, llm_provider="anthropic", llm_model="x")


def test_the_api_key_is_secret(tmp_path: Path) -> None:
    configured = settings(tmp_path, llm_provider="openai", llm_model="m", llm_api_key="sk-secret")
    assert "sk-secret" not in repr(configured)
