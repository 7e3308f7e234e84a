"""Errors raised by the assistant; the API maps them to HTTP status codes."""


class AssistantError(Exception):
    """Base class for assistant failures."""


class UnknownSessionError(AssistantError):
    """The session id does not exist (or is not visible to the caller)."""


class InvalidMessageError(AssistantError):
    """The message is empty after trimming or longer than allowed."""
