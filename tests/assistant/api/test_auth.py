"""API keys through the real app: 401s, open routes, revocation, one key's sessions hidden from
another (GET session, chat continuing it, event on it)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.api.auth import ApiKeyAuthenticator, bearer_token, needs_api_key
from db.api_keys import ApiKeyRepository
from db.session import create_db_engine, make_session_factory, migrate

pytestmark = pytest.mark.integration


@pytest.fixture
def keys(services: Any) -> ApiKeyRepository:
    return ApiKeyRepository(services.session_factory)


@pytest.fixture
def client(services: Any) -> Iterator[TestClient]:
    from app import create_app

    with TestClient(create_app(services)) as c:
        yield c


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


SEARCH = {"query": "laptop", "k": 1}


def test_open_until_a_key_exists(client: TestClient, keys: ApiKeyRepository) -> None:
    assert client.post("/api/v1/search", json=SEARCH).status_code == 200
    # OpenAI clients always send some key: ignored while no key is required.
    assert client.get("/v1/models", headers=bearer("sk-whatever")).status_code == 200

    key = keys.create("app").key
    client.app.state.api_keys.invalidate()  # type: ignore[attr-defined]
    missing = client.post("/api/v1/search", json=SEARCH)
    assert missing.status_code == 401
    assert missing.headers["WWW-Authenticate"] == "Bearer"
    assert missing.json()["error"]["code"] == "unauthorized"
    assert client.post("/api/v1/search", json=SEARCH, headers=bearer(key)).status_code == 200


def test_401_for_missing_malformed_unknown_and_revoked_keys(
    client: TestClient, keys: ApiKeyRepository
) -> None:
    good, doomed = keys.create("good"), keys.create("doomed")
    client.app.state.api_keys.invalidate()  # type: ignore[attr-defined]
    unknown = "sb_abcdefgh_" + "x" * 40
    for headers in (
        {},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
        bearer("not-a-shopbot-key"),
        bearer(unknown),
        bearer(good.key[:-2]),
    ):
        response = client.post("/api/v1/search", json=SEARCH, headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"] == "Bearer"
    assert client.post("/api/v1/search", json=SEARCH, headers=bearer(doomed.key)).is_success

    keys.revoke(doomed.record.prefix)
    client.app.state.api_keys.invalidate()  # type: ignore[attr-defined]
    revoked = client.post("/api/v1/search", json=SEARCH, headers=bearer(doomed.key))
    assert revoked.status_code == 401 and "revoked" in revoked.json()["error"]["message"]
    assert client.post("/api/v1/search", json=SEARCH, headers=bearer(good.key)).is_success


def test_openai_routes_answer_401_in_openai_shape(
    client: TestClient, keys: ApiKeyRepository
) -> None:
    key = keys.create("app").key
    response = client.get("/v1/models")
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
    error = response.json()["error"]
    assert error["type"] == "authentication_error" and set(error) >= {"message", "code"}
    assert client.get("/v1/models", headers=bearer(key)).status_code == 200


def test_open_routes_need_no_key(client: TestClient, keys: ApiKeyRepository, services: Any) -> None:
    keys.create("app")
    for path in ("/health", "/openapi.json", "/docs", "/widget.js", "/"):
        assert client.get(path).status_code == 200, path
    # The staff API keeps its own tokens.
    services.support.staff_auth.create_account("ana", "a long passphrase", "agent")
    login = client.post(
        "/api/v1/staff/login", json={"username": "ana", "password": "a long passphrase"}
    )
    assert login.status_code == 200, login.text


def test_require_api_key_without_any_key(services: Any) -> None:
    from app import create_app

    services.settings.require_api_key = True
    with TestClient(create_app(services)) as client:
        assert client.post("/api/v1/search", json=SEARCH).status_code == 401
        assert client.get("/health").status_code == 200


def test_a_key_cannot_use_another_keys_session(client: TestClient, keys: ApiKeyRepository) -> None:
    alice, bob = bearer(keys.create("alice").key), bearer(keys.create("bob").key)
    started = client.post("/api/v1/chat", json={"message": "a laptop"}, headers=alice)
    assert started.status_code == 200, started.text
    session_id, turn_id = started.json()["session_id"], started.json()["turn_id"]
    product_id = started.json()["products"][0]["id"]
    event = {"session_id": session_id, "product_id": product_id, "type": "click"}
    nobody = "00000000-0000-0000-0000-000000000000"
    unknown = client.get(f"/api/v1/sessions/{nobody}", headers=bob).json()

    theirs = client.get(f"/api/v1/sessions/{session_id}", headers=bob)
    assert theirs.status_code == 404
    assert theirs.json()["error"]["code"] == unknown["error"]["code"] == "not_found"
    # The same answer as for a session that does not exist.
    assert (
        theirs.json()["error"]["message"].replace(session_id, nobody) == unknown["error"]["message"]
    )
    continued = client.post(
        "/api/v1/chat", json={"session_id": session_id, "message": "cheaper"}, headers=bob
    )
    assert continued.status_code == 404
    assert client.post("/api/v1/events", json=event, headers=bob).status_code == 404

    own = client.get(f"/api/v1/sessions/{session_id}", headers=alice)
    assert own.status_code == 200 and [t["turn_id"] for t in own.json()["turns"]] == [turn_id]
    assert client.post("/api/v1/events", json=event, headers=alice).status_code == 201
    again = client.post(
        "/api/v1/chat", json={"session_id": session_id, "message": "cheaper"}, headers=alice
    )
    assert again.status_code == 200 and again.json()["session_id"] == session_id


def test_oversized_chat_body_is_413(client: TestClient) -> None:
    response = client.post(
        "/api/v1/chat",
        content=b'{"message": "' + b"x" * 70_000 + b'"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413 and response.json()["error"]["code"] == "too_large"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.unit
def test_revocation_from_elsewhere_lands_within_the_cache_ttl(tmp_path: Any) -> None:
    engine = create_db_engine(f"sqlite:///{tmp_path / 'keys.db'}")
    migrate(engine)
    keys = ApiKeyRepository(make_session_factory(engine))
    clock = FakeClock()
    auth = ApiKeyAuthenticator(keys, cache_seconds=5, clock=clock)
    assert not auth.keys_required()
    new = keys.create("app")
    header = f"Bearer {new.key}"
    assert not auth.keys_required()  # cached "no keys" until the TTL passes
    clock.now = 5.0
    assert auth.keys_required()
    assert auth.identify(header) is not None
    keys.revoke(new.record.prefix)  # e.g. `shopbot keys revoke` in another process
    clock.now = 9.9
    assert auth.identify(header) is not None  # still cached
    clock.now = 10.0
    assert auth.identify(header) is None
    assert not auth.keys_required()  # the API is open again once no key is active
    auth.invalidate()  # in-process changes need not wait for the TTL
    assert auth.identify(f"Bearer {keys.create('next').key}") is not None
    engine.dispose()


@pytest.mark.unit
@pytest.mark.parametrize(
    ("path", "guarded"),
    [
        ("/api/v1/chat", True),
        ("/api/v1/chat/stream", True),
        ("/v1/chat/completions", True),
        ("/v1", True),
        ("/api/v1/staff/login", False),
        ("/health", False),
        ("/docs", False),
        ("/widget.js", False),
        ("/gradio_api/queue/join", False),
        ("/v10/x", False),
    ],
)
def test_which_paths_need_a_key(path: str, guarded: bool) -> None:
    assert needs_api_key(path) is guarded


@pytest.mark.unit
def test_bearer_token_parsing() -> None:
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("bearer   abc ") == "abc"
    assert bearer_token("Basic abc") is None
    assert bearer_token("Bearer ") is None and bearer_token(None) is None
