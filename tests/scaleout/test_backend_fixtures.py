"""The backend fixtures' own rules: skip without a backend, fail when backends are required,
use SHOPBOT_TEST_POSTGRES_URL instead of starting a cluster."""

from __future__ import annotations

import pytest

from tests import backends
from tests.backends import PostgresServer

pytestmark = pytest.mark.unit


def test_missing_backend_skips_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(backends.BACKENDS_ENV, raising=False)
    with pytest.raises(pytest.skip.Exception, match="no chroma"):
        backends.unavailable("no chroma")


def test_missing_backend_fails_when_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(backends.BACKENDS_ENV, "required")
    with pytest.raises(pytest.fail.Exception, match="no chroma"):
        backends.unavailable("no chroma")


def test_configured_postgres_url_is_used_without_starting_a_cluster(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def no_cluster(*args: object, **kwargs: object) -> None:
        raise AssertionError("a cluster was started")

    monkeypatch.setattr(backends.PostgresCluster, "start", no_cluster)
    monkeypatch.setenv(backends.POSTGRES_URL_ENV, "postgresql://ci:pw@127.0.0.1:5999/postgres")
    (server,) = list(backends.postgres_for_tests())
    assert type(server) is PostgresServer
    assert server.database_url("shop_1") == "postgresql+psycopg://ci:pw@127.0.0.1:5999/shop_1"


def test_server_refuses_other_urls_and_odd_database_names() -> None:
    with pytest.raises(ValueError, match="not a PostgreSQL URL"):
        PostgresServer("sqlite:///shop.db")
    server = PostgresServer("postgresql+psycopg://postgres@127.0.0.1:5999/postgres")
    with pytest.raises(ValueError, match="letters, digits"):
        server.create_database('x"; DROP DATABASE postgres; --')
