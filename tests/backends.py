"""Throwaway server backends for tests: a PostgreSQL cluster and a Chroma server.

Both listen on loopback only, on a free port, with their data in a temporary directory that
is removed when they stop. Nothing here reaches the network.

* :class:`PostgresCluster` runs ``initdb`` + ``pg_ctl`` (as the ``postgres`` user when we are
  root: ``initdb`` refuses to run as root) with trust authentication on 127.0.0.1, and hands out
  one empty database per caller (:meth:`PostgresServer.create_database`).
* :class:`ChromaServer` runs ``chroma run --path DIR --host 127.0.0.1 --port N`` and waits for
  its heartbeat.

Environment:
    SHOPBOT_TEST_POSTGRES_URL: an existing server's admin URL
        (``postgresql+psycopg://postgres@127.0.0.1:5433/postgres``); used instead of starting
        a cluster. Databases are still created (and dropped) per caller.
    SHOPBOT_TEST_BACKENDS=required: a missing binary fails the tests instead of skipping them
        (CI sets it, so the PostgreSQL and Chroma server tests can never silently vanish).

Example:
    >>> with PostgresCluster.start() as server:
    ...     url = server.create_database("shop_1")
    ...     engine = create_db_engine(url)
"""

from __future__ import annotations

import contextlib
import glob
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import NoReturn, Self

from sqlalchemy.engine import URL, make_url

log = logging.getLogger(__name__)

POSTGRES_URL_ENV = "SHOPBOT_TEST_POSTGRES_URL"
BACKENDS_ENV = "SHOPBOT_TEST_BACKENDS"
REPO = Path(__file__).resolve().parents[1]
# Tests need no durability: skipping fsync makes CREATE DATABASE and commits cheap.
_TEST_SERVER_OPTIONS = (
    "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
    "-c max_connections=200 -c shared_buffers=32MB"
)


class BackendUnavailable(RuntimeError):
    """A backend's binary is missing or it did not come up."""


def backends_required() -> bool:
    """True when a missing backend must fail the tests (``SHOPBOT_TEST_BACKENDS=required``)."""
    return os.environ.get(BACKENDS_ENV, "").strip().lower() == "required"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def postgres_bin_dir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (PATH first, then Debian's layout)."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(os.path.realpath(on_path)).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def chroma_executable() -> Path | None:
    """The ``chroma`` CLI of this interpreter's environment (or on PATH)."""
    beside = Path(sys.executable).parent / "chroma"
    if beside.exists():
        return beside
    found = shutil.which("chroma")
    return Path(found) if found else None


class PostgresServer:
    """A reachable PostgreSQL server that creates and drops databases for tests.

    Args:
        admin_url: A SQLAlchemy URL of a database on the server with CREATEDB rights.
    """

    def __init__(self, admin_url: str) -> None:
        parsed = make_url(admin_url)
        if parsed.get_backend_name() != "postgresql":
            raise ValueError(f"not a PostgreSQL URL: {parsed.render_as_string()}")
        self.admin_url: URL = parsed.set(drivername="postgresql+psycopg")

    def database_url(self, name: str) -> str:
        """The SQLAlchemy URL (password included) of database ``name`` on this server."""
        return self.admin_url.set(database=name).render_as_string(hide_password=False)

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database and return its URL (a unique name when none is given)."""
        name = name or f"shopbot_{uuid.uuid4().hex[:12]}"
        self._admin_sql(f'CREATE DATABASE "{_identifier(name)}"')
        return self.database_url(name)

    def drop_database(self, name_or_url: str) -> None:
        """Drop a database made by :meth:`create_database`, closing its leftover connections."""
        name = make_url(name_or_url).database if "://" in name_or_url else name_or_url
        if name:
            self._admin_sql(f'DROP DATABASE IF EXISTS "{_identifier(name)}" WITH (FORCE)')

    def empty_tables(self, url: str) -> None:
        """Delete every row of every table but ``alembic_version`` and restart the sequences.

        Much cheaper than a new database per test (a few ms against ~0.25 s for create and
        migrate); ``lock_timeout`` turns a connection leaked by a test into an error, not a hang.
        """
        import psycopg

        parsed = make_url(url)
        with psycopg.connect(
            host=parsed.host,
            port=parsed.port,
            user=parsed.username,
            password=parsed.password,
            dbname=parsed.database,
            connect_timeout=10,
        ) as connection:
            connection.execute(b"SET lock_timeout = '10s'")
            names = [
                row[0]
                for row in connection.execute(
                    b"SELECT quote_ident(tablename) FROM pg_tables"
                    b" WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                )
            ]
            if names:
                statement = f"TRUNCATE {', '.join(names)} RESTART IDENTITY CASCADE"
                connection.execute(statement.encode())

    def _admin_sql(self, sql: str) -> None:
        import psycopg

        url = self.admin_url
        with psycopg.connect(
            host=url.host,
            port=url.port,
            user=url.username,
            password=url.password,
            dbname=url.database or "postgres",
            autocommit=True,  # CREATE/DROP DATABASE cannot run in a transaction
            connect_timeout=10,
        ) as connection:
            connection.execute(sql.encode())


def _identifier(name: str) -> str:
    if not name.replace("_", "").isalnum():
        raise ValueError(f"database names here are letters, digits and _: {name!r}")
    return name


class PostgresCluster(PostgresServer):
    """A throwaway PostgreSQL cluster (initdb + pg_ctl) on a free loopback port.

    Use :meth:`start` and :meth:`stop`, or ``with PostgresCluster.start() as server``.
    """

    def __init__(self, data_root: Path, bin_dir: Path, port: int) -> None:
        super().__init__(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres")
        self.data_root = data_root
        self.bin_dir = bin_dir
        self.port = port

    @property
    def data_dir(self) -> Path:
        return self.data_root / "data"

    @classmethod
    def start(cls, bin_dir: Path | None = None, timeout: float = 60.0) -> Self:
        """initdb a new cluster in a temporary directory and start it.

        Raises:
            BackendUnavailable: No PostgreSQL binaries, or the server did not start.
        """
        bin_dir = bin_dir or postgres_bin_dir()
        if bin_dir is None:
            raise BackendUnavailable("PostgreSQL binaries (initdb, pg_ctl) not found")
        # Not under pytest's tmp dirs: those are private to root, and the server runs as postgres.
        root = Path(tempfile.mkdtemp(prefix="shopbot-pg-"))
        cluster = cls(root, bin_dir, free_port())
        try:
            cluster._init_and_start(timeout)
        except BaseException:
            cluster.stop()
            raise
        return cluster

    def _init_and_start(self, timeout: float) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.data_root, user="postgres", group="postgres")
        self._run(
            "initdb",
            ["-D", str(self.data_dir), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
            + ["--locale=C.UTF-8", "--no-sync"],
        )
        options = f"-p {self.port} -k {self.data_root} -c listen_addresses=127.0.0.1 "
        self._run(
            "pg_ctl",
            ["-D", str(self.data_dir), "-l", str(self.data_root / "server.log"), "-w"]
            + ["-t", str(int(timeout)), "-o", options + _TEST_SERVER_OPTIONS, "start"],
        )
        log.info("postgres test cluster on 127.0.0.1:%d (%s)", self.port, self.data_dir)

    def stop(self) -> None:
        """Stop the server (fast shutdown) and delete its directory. Safe to call twice."""
        if (self.data_dir / "postmaster.pid").exists():
            with contextlib.suppress(BackendUnavailable):
                self._run("pg_ctl", ["-D", str(self.data_dir), "-m", "fast", "-w", "stop"])
        shutil.rmtree(self.data_root, ignore_errors=True)

    def server_log(self) -> str:
        path = self.data_root / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def _run(self, tool: str, args: list[str]) -> None:
        command = [str(self.bin_dir / tool), *args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise BackendUnavailable(
                f"{tool} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}"
                f"\n{self.server_log()[-2000:]}"
            )

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


class ChromaServer:
    """A throwaway ``chroma run`` server on a free loopback port, data in a temporary directory.

    Example:
        >>> with ChromaServer.start() as chroma:
        ...     index = ChromaVectorIndex(collection="products", host=chroma.host, port=chroma.port)
    """

    host = "127.0.0.1"

    def __init__(self, path: Path, port: int, process: subprocess.Popen[bytes]) -> None:
        self.path = path
        self.port = port
        self._process = process

    @classmethod
    def start(cls, executable: Path | None = None, timeout: float = 60.0) -> Self:
        """Start the server and wait until its heartbeat answers.

        Raises:
            BackendUnavailable: No ``chroma`` CLI, or the server did not answer in time.
        """
        executable = executable or chroma_executable()
        if executable is None:
            raise BackendUnavailable("the chroma CLI is not installed")
        path = Path(tempfile.mkdtemp(prefix="shopbot-chroma-"))
        port = free_port()
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
        with open(path / "server.log", "wb") as out:
            process = subprocess.Popen(
                [str(executable), "run", "--path", str(path / "data")]
                + ["--host", cls.host, "--port", str(port)],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        server = cls(path, port, process)
        try:
            server._wait_for_heartbeat(timeout)
        except BaseException:
            server.stop()
            raise
        return server

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _wait_for_heartbeat(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise BackendUnavailable(f"chroma exited early:\n{self.server_log()[-2000:]}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2) as answer:
                    if answer.status == 200:
                        log.info("chroma test server on %s (%s)", self.url, self.path)
                        return
            time.sleep(0.2)
        raise BackendUnavailable(f"chroma did not answer in {timeout:.0f} s")

    def server_log(self) -> str:
        path = self.path / "server.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Terminate the server (kill after 10 s) and delete its directory."""
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        shutil.rmtree(self.path, ignore_errors=True)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def unavailable(reason: str) -> NoReturn:
    """Skip the test, or fail it when backends are required (``SHOPBOT_TEST_BACKENDS``)."""
    import pytest

    if backends_required():
        pytest.fail(f"{reason} ({BACKENDS_ENV}=required)", pytrace=False)
    pytest.skip(reason)


def postgres_for_tests() -> Iterator[PostgresServer]:
    """The session's PostgreSQL: ``SHOPBOT_TEST_POSTGRES_URL``, else a throwaway cluster."""
    configured = os.environ.get(POSTGRES_URL_ENV, "").strip()
    if configured:
        yield PostgresServer(configured)
        return
    try:
        cluster = PostgresCluster.start()
    except BackendUnavailable as e:
        unavailable(f"no PostgreSQL for the tests: {e}")
    try:
        yield cluster
    finally:
        cluster.stop()


def chroma_for_tests() -> Iterator[ChromaServer]:
    """The session's Chroma server (a throwaway ``chroma run``)."""
    try:
        server = ChromaServer.start()
    except BackendUnavailable as e:
        unavailable(f"no Chroma server for the tests: {e}")
    try:
        yield server
    finally:
        server.stop()
