"""Engine pragmas, migrations and their agreement with the ORM models."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

import db.session
from db.models import Base
from db.session import (
    alembic_config,
    create_db_engine,
    make_session_factory,
    migrate,
    startup_lock,
)
from tests.backends import PostgresServer

pytestmark = pytest.mark.unit

TABLES = {"products", "chat_sessions", "turns", "impressions", "events"}
TABLES |= {"customers", "orders", "order_lines", "return_requests"}  # issue 6, ORDERS
TABLES |= {"handoffs", "staff_users", "staff_tokens", "staff_messages"}  # issue 6, DESK
TABLES |= {"api_keys", "openai_threads"}  # issue 7


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    """A migrated SQLite file (the pragma tests are about SQLite only)."""
    engine = create_db_engine(f"sqlite:///{tmp_path / 'var' / 'shop.db'}")
    migrate(engine)
    yield engine
    engine.dispose()


def test_creates_parent_directory_and_applies_pragmas(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    assert (tmp_path / "var" / "shop.db").exists()
    with sqlite_engine.connect() as connection:
        pragma = lambda name: connection.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
        assert pragma("journal_mode") == "wal"
        assert pragma("foreign_keys") == 1
        assert pragma("synchronous") == 2  # FULL
        assert pragma("busy_timeout") == 5000


def test_pragmas_apply_to_every_pooled_connection(sqlite_engine: Engine) -> None:
    connections = [sqlite_engine.connect() for _ in range(3)]
    try:
        for connection in connections:
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2
    finally:
        for connection in connections:
            connection.close()


def test_migrate_creates_tables_and_is_idempotent(engine: Engine) -> None:
    migrate(engine)
    migrate(engine)
    names = set(inspect(engine).get_table_names())
    assert names == TABLES | {"alembic_version"}
    with engine.connect() as connection:
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").all() == [
            (head,)
        ]
        if engine.dialect.name == "sqlite":
            # Migration leaves the pooled connection with foreign keys back on.
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_migrated_schema_matches_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrated_schema_has_named_constraints(engine: Engine) -> None:
    inspector = inspect(engine)
    assert {c["name"] for c in inspector.get_check_constraints("events")} == {
        "ck_events_type",
        "ck_events_source",
    }
    assert {c["name"] for c in inspector.get_check_constraints("impressions")} == {
        "ck_impressions_source"
    }
    assert {i["name"] for i in inspector.get_indexes("impressions")} == {
        "ix_impressions_session_id",
        "ix_impressions_product_id",
    }


def test_session_factory_keeps_objects_after_commit(engine: Engine) -> None:
    assert make_session_factory(engine).kw["expire_on_commit"] is False


def test_non_sqlite_url_is_passed_through(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    def fake_create_engine(url: Any, **kwargs: Any) -> str:
        calls.append((str(url), kwargs))
        return "engine"

    monkeypatch.setattr(db.session, "create_engine", fake_create_engine)
    url = "postgresql+psycopg://user@db.example/shop"
    assert create_db_engine(url) == "engine"
    assert calls == [(url, {"pool_pre_ping": True})]


def test_upgrade_from_0001_keeps_logged_impressions(tmp_path: Path) -> None:
    old = create_db_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        config = alembic_config()
        with db.session.migration_connection(old) as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "0001")
        with old.begin() as connection:
            now = "2026-01-01 00:00:00"
            connection.exec_driver_sql(
                "INSERT INTO products VALUES ('p1','t','d','b','c',1,'USD','','{}','','s','h',?,?)",
                (now, now),
            )
            connection.exec_driver_sql(
                "INSERT INTO chat_sessions (id, created_at, updated_at) VALUES ('s1', ?, ?)",
                (now, now),
            )
            connection.exec_driver_sql(
                "INSERT INTO turns (session_id, turn_number, user_message, reply, intent, filters,"
                " created_at) VALUES ('s1', 1, 'hi', 'hello', 'search', '{}', ?)",
                (now,),
            )
            connection.exec_driver_sql(
                "INSERT INTO impressions (turn_id, session_id, product_id, position, score, query,"
                " source, created_at) VALUES (1, 's1', 'p1', 1, 0.5, 'q', 'live', ?)",
                (now,),
            )
        migrate(old)
        with old.connect() as connection:
            rows = connection.exec_driver_sql(
                "SELECT product_id, score, signals, ranker FROM impressions"
            ).all()
        assert rows == [("p1", 0.5, "{}", "")]
    finally:
        old.dispose()


def test_startup_lock_lets_one_starter_in_at_a_time(db_url: str) -> None:
    # Two engines = two processes' pools; the second starter waits for the first to finish.
    first, second = create_db_engine(db_url), create_db_engine(db_url)
    migrate(first)
    order: list[str] = []
    inside = threading.Event()

    def second_starter() -> None:
        inside.wait(5)
        with startup_lock(second):
            order.append("second in")

    thread = threading.Thread(target=second_starter)
    thread.start()
    try:
        with startup_lock(first):
            inside.set()
            time.sleep(0.5)  # the second starter is blocked meanwhile
            order.append("first out")
        thread.join(10)
        assert order == ["first out", "second in"]
    finally:
        first.dispose()
        second.dispose()


@pytest.mark.postgres
def test_concurrent_first_migrations_on_postgres_both_succeed(
    postgres_server: PostgresServer,
) -> None:
    # Two instances starting at once on an empty database: the advisory lock serialises them.
    url = postgres_server.create_database()
    engines = [create_db_engine(url), create_db_engine(url)]
    errors: list[BaseException] = []

    def run(engine: Engine) -> None:
        try:
            migrate(engine)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert errors == []
        assert set(inspect(engines[0]).get_table_names()) == TABLES | {"alembic_version"}
    finally:
        for engine in engines:
            engine.dispose()
        postgres_server.drop_database(url)
