"""The one log line per answered turn, with its fields also as structured extras."""

from __future__ import annotations

import logging
import time

from assistant.intents.base import IntentPrediction
from assistant.policy import Decision

log = logging.getLogger("assistant.service")


def log_turn(
    prediction: IntentPrediction, decision: Decision, products: int, started: float
) -> None:
    """One line per turn; the session and turn ids come from the log context."""
    ms = (time.perf_counter() - started) * 1000
    log.info(
        "turn label=%s confidence=%.2f intent=%s action=%s reason=%s products=%d ms=%.1f",
        prediction.label, prediction.confidence, decision.intent, decision.action,
        decision.reason or "-", products, ms,
        extra={
            "event": "turn", "label": prediction.label,
            "confidence": round(prediction.confidence, 4), "intent": decision.intent,
            "action": decision.action, "reason": decision.reason, "products": products,
            "duration_ms": round(ms, 3),
        },
    )  # fmt: skip
