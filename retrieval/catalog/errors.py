"""Errors raised while loading a catalog."""

from retrieval.errors import RetrievalError


class CatalogError(RetrievalError):
    """A catalog file or directory could not be read at all (missing, corrupt, wrong shape).

    Bad *rows* never raise: they are skipped and counted in the load report.
    """


class RowRejected(Exception):
    """One catalog row cannot become a product; ``reason`` is the report's skip key."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason
