"""The chat model ``llm_provider`` names, built without contacting it."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from assistant.config import Settings
from assistant.phrasing.errors import PhrasingError

OLLAMA_DEFAULT_URL = "http://127.0.0.1:11434"


def chat_model_from_settings(settings: Settings) -> BaseChatModel | None:
    """``ChatOpenAI`` (any OpenAI-compatible endpoint) or ``ChatOllama``; None when "none".

    Construction makes no request: the first one is the first phrased turn. Retries are off
    (a slow endpoint should fall back to the template, not be asked again).

    Raises:
        PhrasingError: A provider is chosen but ``llm_model`` is empty.
    """
    s = settings
    if s.llm_provider == "none":
        return None
    if not s.llm_model:
        raise PhrasingError(f"llm_provider={s.llm_provider!r} needs llm_model")
    if s.llm_provider == "openai":
        from langchain_openai import ChatOpenAI

        key = s.llm_api_key.get_secret_value() if s.llm_api_key else "not-needed"
        return ChatOpenAI(
            model=s.llm_model,
            base_url=s.llm_base_url,
            api_key=key,
            temperature=s.llm_temperature,
            timeout=s.llm_timeout_seconds,
            max_retries=0,
        )
    from langchain_ollama import ChatOllama

    return ChatOllama(
        model=s.llm_model,
        base_url=s.llm_base_url or OLLAMA_DEFAULT_URL,
        temperature=s.llm_temperature,
        client_kwargs={"timeout": s.llm_timeout_seconds},
    )
