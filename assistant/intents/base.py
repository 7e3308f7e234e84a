"""The intent label set (a public contract: the ``intent`` of every chat response) and interface."""

from __future__ import annotations

from typing import Annotated, Literal, Protocol, get_args

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

IntentLabel = Literal[
    "search",
    "refine",
    "compare",
    "product_question",
    "return_policy",
    "return_request",
    "order_status",
    "cancel_order",
    "human_agent",
    "faq",
    "greeting",
    "other",
]
INTENT_LABELS: tuple[IntentLabel, ...] = get_args(IntentLabel)
SHOPPING_INTENTS: frozenset[IntentLabel] = frozenset({"search", "refine"})
SUPPORT_INTENTS: frozenset[IntentLabel] = frozenset(
    {"return_policy", "return_request", "order_status", "cancel_order", "human_agent", "faq"}
)


class IntentContext(BaseModel):
    """What the dialogue knows before this turn, used as classifier features."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    has_results: bool = False
    previous_intent: IntentLabel | None = None


class IntentPrediction(BaseModel):
    """The classifier's answer: the best label, its probability and all scores."""

    model_config = ConfigDict(frozen=True)

    label: IntentLabel
    confidence: Annotated[float, Field(ge=0.0, le=1.0)]
    scores: dict[str, float] = Field(default_factory=dict)


class IntentClassifier(Protocol):
    """Classifies one message given its sentence embedding and the dialogue context."""

    def predict(
        self, text: str, vector: npt.NDArray[np.float32], context: IntentContext
    ) -> IntentPrediction: ...
