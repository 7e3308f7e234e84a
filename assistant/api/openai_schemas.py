"""Request and response models of the OpenAI-compatible API (``/v1``).

They follow OpenAI's Chat Completions objects closely enough for the ``openai`` client,
LangChain's ``ChatOpenAI`` and chat front ends. Unlike our other request models, the request
ignores fields it does not know (``extra="ignore"``): OpenAI clients send new optional fields
often, and refusing them would break those clients. Known fields that make no sense here
(``temperature``, ``max_tokens``, ``tools``...) are accepted and ignored.

Our additions (clients that do not know them ignore them):

* request ``session_id``: continue this assistant session explicitly;
* ``choices[0].message.products`` (or the final chunk's ``delta.products``): the product cards;
* top-level ``shopbot``: session id, turn id, intent, filters and policy sources of the turn.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.api.schemas import NO_NUL, SessionId
from assistant.compare import ComparisonTable
from assistant.intents.base import IntentLabel
from assistant.replies import ProductCard
from assistant.support.types import Source
from retrieval.filters import JsonFloat, JsonInt, SearchFilters

MODEL_ID = "shopbot"
Role = Literal["system", "developer", "user", "assistant", "tool", "function"]


class TextPart(BaseModel):
    """A text content part (``{"type": "text", "text": ...}``); other part types are refused."""

    model_config = ConfigDict(extra="ignore")

    type: Literal["text"]
    text: Annotated[str, Field(max_length=20_000, pattern=NO_NUL)]


class ChatMessageIn(BaseModel):
    """One message of the conversation the client sends (history included)."""

    model_config = ConfigDict(extra="ignore")

    role: Role
    content: Annotated[str, Field(max_length=20_000, pattern=NO_NUL)] | list[TextPart] | None = None
    name: Annotated[str, Field(max_length=64)] | None = None

    @property
    def text(self) -> str:
        """The content as plain text (text parts joined)."""
        if self.content is None:
            return ""
        if isinstance(self.content, str):
            return self.content
        return "".join(part.text for part in self.content)


class StreamOptions(BaseModel):
    model_config = ConfigDict(extra="ignore")

    include_usage: bool = False


class ChatCompletionRequest(BaseModel):
    """A Chat Completions request. The last message must be the shopper's (role ``user``).

    Example:
        >>> ChatCompletionRequest(model="shopbot", messages=[{"role": "user", "content": "tvs"}])
    """

    model_config = ConfigDict(extra="ignore")

    model: Annotated[str, Field(max_length=64)] = MODEL_ID
    messages: Annotated[list[ChatMessageIn], Field(min_length=1, max_length=200)]
    stream: bool = False
    stream_options: StreamOptions | None = None
    user: Annotated[str, Field(max_length=256)] | None = Field(
        default=None, description="Your end user's id; conversations of different users never mix."
    )
    n: Annotated[JsonInt, Field(ge=1, le=1, description="Only one choice is generated.")] = 1
    session_id: SessionId | None = Field(
        default=None,
        description="Shopbot extension: continue this assistant session (instead of finding "
        "it from the resent history).",
    )
    # Accepted for compatibility and ignored: the answers come from the catalog, not sampling.
    temperature: JsonFloat | None = None
    top_p: JsonFloat | None = None
    max_tokens: JsonInt | None = None
    max_completion_tokens: JsonInt | None = None
    presence_penalty: JsonFloat | None = None
    frequency_penalty: JsonFloat | None = None
    seed: JsonInt | None = None
    stop: str | list[str] | None = None


class ShopbotExtra(BaseModel):
    """Shopbot extension on completions: what the assistant did this turn."""

    session_id: str
    turn_id: int
    intent: IntentLabel
    filters: SearchFilters
    sources: list[Source] = Field(default_factory=list)
    comparison: ComparisonTable | None = None
    replaced_reply: str | None = Field(
        default=None,
        exclude_if=lambda value: value is None,
        description="Streams only, and only when the phrasing model failed mid-way: the text "
        "streamed so far is superseded; show this (the template reply) instead.",
    )


class Usage(BaseModel):
    """Word counts, not model tokens (there is no tokenizer of a remote model to count with)."""

    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str
    refusal: None = None
    products: list[ProductCard] = Field(
        default_factory=list, description="Shopbot extension: the product cards of the answer."
    )


class Choice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop"] = "stop"
    logprobs: None = None


class ChatCompletion(BaseModel):
    """A ``chat.completion`` object with the ``shopbot`` extension."""

    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str = MODEL_ID
    choices: list[Choice]
    usage: Usage
    system_fingerprint: None = None
    shopbot: ShopbotExtra


def _absent_if_none(value: object) -> bool:
    return value is None


class ChunkDelta(BaseModel):
    """What a chunk adds; fields it does not carry are left out (as in OpenAI's chunks)."""

    role: Literal["assistant"] | None = Field(default=None, exclude_if=_absent_if_none)
    content: str | None = Field(default=None, exclude_if=_absent_if_none)
    products: list[ProductCard] | None = Field(
        default=None,
        exclude_if=_absent_if_none,
        description="Shopbot extension, on the finishing chunk: the product cards.",
    )


class ChunkChoice(BaseModel):
    index: int = 0
    delta: ChunkDelta
    finish_reason: Literal["stop"] | None = None
    logprobs: None = None


class ChatCompletionChunk(BaseModel):
    """One ``chat.completion.chunk`` of a stream; the finishing one carries ``shopbot``."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str = MODEL_ID
    choices: list[ChunkChoice]
    usage: Usage | None = Field(default=None, exclude_if=_absent_if_none)
    system_fingerprint: None = None
    shopbot: ShopbotExtra | None = Field(default=None, exclude_if=_absent_if_none)


class ModelCard(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "shopbot"


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelCard]


class OpenAIErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class OpenAIErrorBody(BaseModel):
    """Every 4xx/5xx response on ``/v1`` has OpenAI's error shape."""

    error: OpenAIErrorDetail


OPENAI_ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": OpenAIErrorBody, "description": "Malformed request body"},
    401: {"model": OpenAIErrorBody, "description": "Missing or invalid API key"},
    404: {"model": OpenAIErrorBody, "description": "Unknown model or session"},
    413: {"model": OpenAIErrorBody, "description": "Request body too large"},
    422: {"model": OpenAIErrorBody, "description": "Invalid fields or messages"},
    429: {"model": OpenAIErrorBody, "description": "Rate limit reached (see Retry-After)"},
    503: {"model": OpenAIErrorBody, "description": "The store is temporarily unavailable"},
    504: {"model": OpenAIErrorBody, "description": "The request took longer than the timeout"},
}
