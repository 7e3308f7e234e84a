"""The ranking package's errors (mapped to HTTP status codes at the API edge only)."""


class RankingError(Exception):
    """Base class of ranking errors."""


class ModelLoadError(RankingError):
    """A CTR model artifact is missing, incomplete or does not match this code."""
