"""Optional LLM phrasing of the assistant's replies, within guardrails (issue 9).

The deterministic template reply is always computed first. When a chat model is configured
(``SHOPBOT_LLM_PROVIDER``), the model rewords it from the turn's structured facts only, and
its answer is used only if every price, name and number it states matches those facts.
"""

from assistant.phrasing.errors import (
    PhrasingError,
    PhrasingFailed,
    PhrasingRejected,
    PhrasingTimeout,
)
from assistant.phrasing.facts import neutralise, phrasing_input
from assistant.phrasing.phraser import LLMPhraser
from assistant.phrasing.prompt import SYSTEM_PROMPT, phrasing_messages
from assistant.phrasing.turns import PHRASED_INTENTS, PhrasedStream, TurnPhraser
from assistant.phrasing.types import (
    PhrasedBy,
    Phrasing,
    PhrasingInput,
    PolicyFact,
    ProductFact,
)
from assistant.phrasing.validator import ReplyValidator, fact_sheet

__all__ = [
    "PHRASED_INTENTS",
    "SYSTEM_PROMPT",
    "LLMPhraser",
    "PhrasedBy",
    "PhrasedStream",
    "Phrasing",
    "PhrasingError",
    "PhrasingFailed",
    "PhrasingInput",
    "PhrasingRejected",
    "PhrasingTimeout",
    "PolicyFact",
    "ProductFact",
    "ReplyValidator",
    "TurnPhraser",
    "fact_sheet",
    "neutralise",
    "phrasing_input",
    "phrasing_messages",
]
