"""Engine creation (with SQLite pragmas), Alembic migrations and the session factory.

Example:
    >>> engine = create_db_engine("sqlite:///var/shop.db")
    >>> migrate(engine)
    >>> sessions = make_session_factory(engine)
"""

from __future__ import annotations

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from db.errors import DatabaseError

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BUSY_TIMEOUT_MS = 5000
# PostgreSQL advisory lock keys (any constant bigint; these spell "shopmigr" / "shopboot").
MIGRATION_LOCK_KEY = 0x73686F706D696772
STARTUP_LOCK_KEY = 0x73686F70626F6F74

# WAL lets readers proceed while one writer writes. synchronous=FULL fsyncs the WAL at every
# commit: with NORMAL a commit acknowledged to the shopper can be lost on power failure (the
# database stays consistent, but the last transactions roll back). Every acknowledged write
# (a turn, a click, a purchase) must survive a crash, and chat write rates are low, so the
# extra fsync per commit is cheap. busy_timeout makes a writer wait for the lock instead of
# failing at once; foreign keys are off by default in SQLite.
SQLITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys=ON",
)


def _apply_sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in SQLITE_PRAGMAS:
            cursor.execute(pragma)
            row = cursor.fetchone()
            if pragma.startswith("PRAGMA journal_mode") and row and str(row[0]).lower() != "wal":
                # e.g. ":memory:" databases, or file systems without shared memory.
                logger.warning("sqlite.journal_mode_not_wal mode=%s", row[0])
    finally:
        cursor.close()


def create_db_engine(url: str) -> Engine:
    """Create an engine; SQLite gets its directory created and the durability pragmas.

    Args:
        url: A SQLAlchemy URL, e.g. ``sqlite:///var/shop.db`` or ``postgresql+psycopg://...``.

    Returns:
        The engine. Other backends are passed through with ``pool_pre_ping``.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, pool_pre_ping=True)
    database = parsed.database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        parsed,
        # The pool hands one connection to one thread at a time.
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
    )
    event.listen(engine, "connect", _apply_sqlite_pragmas)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(bind=engine, expire_on_commit=False)


@contextmanager
def migration_connection(engine: Engine) -> Iterator[Connection]:
    """A connection holding one transaction for a whole migration run, committed on success.

    On SQLite this follows the documented procedure for schema changes: foreign keys off
    (a table rebuilt by a batch migration would otherwise cascade-delete its children),
    ``BEGIN IMMEDIATE`` so that concurrent starters serialise and the DDL is atomic, then
    ``PRAGMA foreign_key_check`` before commit.
    """
    if engine.dialect.name != "sqlite":
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                # Several app instances starting at once against one server: the first runs
                # the migration, the others wait here and then find the schema at head.
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")
            yield connection
        return
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            yield connection
            violations = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if violations:
                raise DatabaseError(f"migration broke foreign keys: {violations[:5]}")
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


@contextmanager
def startup_lock(engine: Engine) -> Iterator[None]:
    """Serialise first-run set-up (ingest, index, seeding) across processes sharing a database.

    With several workers or machines, each starts by bringing the store up; under this lock
    the first does the work and the others find it done instead of racing (duplicate demo
    customers, two index builds). PostgreSQL: a session advisory lock held on one connection
    (released by the server if the process dies). SQLite: an ``flock`` on a file beside the
    database (released by the kernel if the process dies). Other backends: no lock.

    Example:
        >>> with startup_lock(engine):
        ...     services.bootstrap()
    """
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.exec_driver_sql(f"SELECT pg_advisory_lock({STARTUP_LOCK_KEY})")
            connection.commit()  # hold the session lock, not an open transaction
            try:
                yield
            finally:
                connection.exec_driver_sql(f"SELECT pg_advisory_unlock({STARTUP_LOCK_KEY})")
                connection.commit()
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield
        return
    fd = os.open(f"{database}.startup.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)  # blocking: wait for the other starter
        yield
    finally:
        os.close(fd)


def alembic_config() -> Config:
    """An Alembic config pointing at the migrations shipped inside the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def migrate(engine: Engine) -> None:
    """Upgrade the database to the latest migration (``alembic upgrade head``).

    Idempotent and safe to call at every start: an up-to-date database is left untouched.

    Raises:
        DatabaseError: The migration failed; nothing of it was committed.
    """
    config = alembic_config()
    try:
        with migration_connection(engine) as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except SQLAlchemyError as e:
        raise DatabaseError(f"migration failed: {e}") from e
