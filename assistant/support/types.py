"""The contract between the turn pipeline and the support desks (policies, orders, handoff).

A support turn is routed to one :class:`SupportHandler` by intent. The handler gets the
message, what the parser understood, the dialogue state and who the shopper is, and returns
the reply, its cited sources, the support state to keep, and whether staff should take over.
"""

from __future__ import annotations

from typing import Annotated, Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from assistant.intents.base import IntentPrediction


class Source(BaseModel):
    """A policy passage an answer quotes (``sources`` of the chat response).

    Example:
        >>> Source(document="returns", section="Return window", snippet="Laptops: 30 days")
    """

    model_config = ConfigDict(frozen=True)

    document: str = Field(description="Policy document id, e.g. 'returns'.")
    section: str = Field(description="Section heading the passage is under.")
    snippet: str = Field(description="The quoted passage text.")
    title: str = Field(default="", description="Human title of the document.")
    score: float | None = Field(default=None, description="Retrieval relevance of the passage.")


class SupportRequest(BaseModel):
    """One support turn as the handler sees it."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    session_id: str
    text: str
    intent: str
    prediction: IntentPrediction
    customer_id: str | None = None
    order_number: str | None = None
    # The handler-owned part of the dialogue state (e.g. a return request in progress).
    support_state: dict[str, Any] = Field(default_factory=dict)
    failed_turns: Annotated[int, Field(ge=0)] = 0


class SupportReply(BaseModel):
    """What a handler answers."""

    model_config = ConfigDict(frozen=True)

    reply: str
    sources: list[Source] = Field(default_factory=list)
    support_state: dict[str, Any] = Field(default_factory=dict)
    order_number: str | None = None
    handoff: bool = False
    handoff_reason: str = ""
    resolved: bool = True  # False when the handler could not help (counts as a failed turn)


class SupportHandler(Protocol):
    """Answers the support intents it is registered for."""

    def handle(self, request: SupportRequest) -> SupportReply: ...
