"""Errors raised by the evaluation package."""

from retrieval.errors import RetrievalError


class EvaluationError(RetrievalError):
    """Base class for evaluation failures."""


class JudgmentFileError(EvaluationError):
    """A queries, qrels or split file is missing or malformed."""


class SystemUnavailableError(EvaluationError):
    """A system that was asked for cannot be built (missing index, model or module)."""
