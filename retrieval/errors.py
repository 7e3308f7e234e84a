"""Errors raised by the retrieval package."""


class RetrievalError(Exception):
    """Base class for retrieval failures (encoder, vector index, search)."""


class EmbedderError(RetrievalError):
    """The encoder could not be loaded or could not encode the input."""


class VectorIndexError(RetrievalError):
    """The vector index could not be opened, written or queried."""
