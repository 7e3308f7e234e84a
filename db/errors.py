"""Errors raised by the db package.

Callers catch :class:`DatabaseError`; the API edge maps :class:`NotFoundError` to 404 and
:class:`InvalidReferenceError` to 409/422.
"""

from __future__ import annotations

from typing import Literal

Entity = Literal["session", "product", "turn", "order", "return"]


class DatabaseError(Exception):
    """Base class for SQL store failures (connection, constraint, migration)."""


class NotFoundError(DatabaseError):
    """A referenced row does not exist.

    Attributes:
        entity: What was not found: ``"session"``, ``"product"`` or ``"turn"``.
        key: The id that was looked up.

    Example:
        >>> err = NotFoundError("session", "0b6f...")
        >>> err.entity
        'session'
    """

    def __init__(self, entity: Entity, key: str | int) -> None:
        super().__init__(f"{entity} not found: {key!r}")
        self.entity: Entity = entity
        self.key = str(key)


class ConstraintViolationError(DatabaseError):
    """A write broke a unique, foreign-key or check constraint (the row was not stored);
    raised by :func:`db.transactions.write_scope` for SQLAlchemy's ``IntegrityError``."""


class InvalidReferenceError(DatabaseError):
    """A reference exists but may not be used here, e.g. a turn of another session."""
