"""Errors of the intent classifier; all derive from the assistant's base error."""

from __future__ import annotations

from assistant.errors import AssistantError


class IntentError(AssistantError):
    """Base class for intent-classifier failures."""


class IntentDataError(IntentError):
    """A training-data file is missing, malformed or holds an unknown label."""


class IntentModelError(IntentError):
    """A saved model is missing, inconsistent with its config, or fed the wrong input."""
