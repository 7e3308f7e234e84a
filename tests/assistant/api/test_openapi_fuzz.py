"""Schemathesis fuzzing of the real app's own OpenAPI schema, in process over ASGI.

Every operation of ``/openapi.json`` gets generated requests, valid ones (positive mode) and
invalid ones (negative mode: wrong types, missing fields, out-of-range values), without and
with credentials (a staff token, a customer token) so the checks behind authentication run too.
No response may be a 5xx; positive requests must answer what the schema documents (status
code, content type, body schema); negative ones must be refused with a 4xx.

The number of requests and the wall time are printed (``pytest -s``) and the count is asserted
to reach ``MIN_REQUESTS``. Generation is derandomized, so a run is reproducible.
"""

from __future__ import annotations

import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from assistant.config import Settings

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MIN_REQUESTS = 1_000
STAFF_PASSWORD = "fuzzing is fun 42"
# Examples per operation, generation mode and credential set (see _plan); chat turns run the
# whole pipeline, so the chat operations get fewer than the cheap ones.
EXAMPLES = {"cheap": 40, "turn": 15, "anonymous": 5, "known": 10}
TURN_OPERATIONS = ("/api/v1/chat", "/api/v1/chat/stream", "/v1/chat/completions")
CUSTOMER_OPERATIONS = ("/api/v1/chat", "/api/v1/chat/stream", "/api/v1/sessions/{session_id}")


@pytest.fixture
def fuzz_services(built_store: Path, tmp_path: Path, embedder: Any) -> Iterator[Any]:
    """Services over a private copy of the indexed slice, rate limits off, demo customers in."""
    from assistant.wiring import Services

    root = tmp_path / "store"
    shutil.copytree(built_store, root)
    services = Services(
        Settings(
            environment="test",
            database_url=f"sqlite:///{root / 'shop.db'}",
            chroma_path=root / "chroma",
            index_on_start=False,
            ctr_model_path=root / "models" / "ctr",
            rate_limit_per_minute=0,
            ip_rate_limit_per_minute=0,
            require_api_key=True,
        )
    )
    services.__dict__["embedder"] = embedder
    services.seed_demo()
    services.support.staff_auth.create_account("fuzzer", STAFF_PASSWORD, "agent")
    yield services
    services.close()


KnownIds = tuple[dict[str, str], dict[str, Any]]  # extra headers, path parameters


class Credentials:
    """The headers a legitimate caller of each operation sends."""

    def __init__(self, services: Any) -> None:
        from db.api_keys import ApiKeyRepository

        key = ApiKeyRepository(services.session_factory).create("fuzz")
        self.api_key = {"Authorization": f"Bearer {key.key}"}
        login = services.support.staff_auth.login
        self.staff = {"Authorization": f"Bearer {login('fuzzer', STAFF_PASSWORD).token}"}
        # Logging out revokes the token it is sent with: that route gets a token of its own.
        self.staff_logout = {"Authorization": f"Bearer {login('fuzzer', STAFF_PASSWORD).token}"}
        customer_id = services.orders.list_customers()[0].id
        self.customer = {"X-Customer-Token": services.customer_tokens.issue(customer_id)}
        self.known = self._known_ids(services, customer_id, key.record.id)

    def _known_ids(self, services: Any, customer_id: str, key_id: int) -> dict[str, list[KnownIds]]:
        """Ids that exist, so generated requests also reach the found (200) branches: a product,
        an anonymous and a signed-in customer's conversation, a handoff to staff."""

        def chat(message: str, customer: str | None = None) -> str:
            result = services.assistant.chat(None, message, customer_id=customer, api_key_id=key_id)
            return str(result.session_id)

        shopper = chat("a laptop under $900")
        customer = chat("where is my order?", customer_id)
        handoff = chat("I want to talk to a human please")
        assert services.support.console.handoffs("open"), "no handoff to fuzz"
        handoff_id = services.support.console.handoffs("open")[0].handoff.id
        product_id = sorted(services.products.ids())[0]
        return {
            "/api/v1/products/{product_id}": [({}, {"product_id": product_id})],
            "/api/v1/sessions/{session_id}": [
                ({}, {"session_id": shopper}),
                ({}, {"session_id": handoff}),
                (self.customer, {"session_id": customer}),
            ],
            "/api/v1/staff/handoffs/{handoff_id}": [({}, {"handoff_id": handoff_id})],
            "/api/v1/staff/handoffs/{handoff_id}/messages": [({}, {"handoff_id": handoff_id})],
        }

    def for_path(self, path: str) -> dict[str, str]:
        if path == "/api/v1/staff/login":
            return {}
        if path == "/api/v1/staff/logout":
            return self.staff_logout
        if path.startswith("/api/v1/staff/"):
            return self.staff
        if path.startswith(("/api/", "/v1/")):
            return self.api_key
        return {}


def _check(case: Any, response: Any, mode: GenerationMode) -> None:
    assert response.status_code < 500, (
        f"{case.method} {case.path} -> {response.status_code}: {response.text[:500]}\n"
        f"{case.as_curl_command()}"
    )
    if mode == GenerationMode.NEGATIVE:
        case.validate_response(response, checks=[negative_data_rejection])
        return
    checks = [status_code_conformance, content_type_conformance, response_schema_conformance]
    case.validate_response(response, checks=checks)


class Run(NamedTuple):
    """One batch of generated requests for one operation."""

    operation: Any
    mode: GenerationMode
    headers: dict[str, str]
    examples: int
    path_parameters: dict[str, Any] | None = None


def _plan(operations: list[Any], credentials: Credentials) -> Iterator[Run]:
    """Valid and invalid requests with the right credentials, invalid ones without any (401),
    and the customer-facing operations again with a signed-in customer's token."""
    positive, negative = GenerationMode.POSITIVE, GenerationMode.NEGATIVE
    for operation in operations:
        examples = EXAMPLES["turn" if operation.path in TURN_OPERATIONS else "cheap"]
        headers = credentials.for_path(operation.path)
        yield Run(operation, positive, headers, examples)
        yield Run(operation, negative, headers, examples)
        if headers:
            yield Run(operation, negative, {}, EXAMPLES["anonymous"])
        if operation.path in CUSTOMER_OPERATIONS:
            yield Run(operation, positive, {**headers, **credentials.customer}, examples)
        for known_headers, parameters in credentials.known.get(operation.path, []):
            extra = {**headers, **known_headers}
            yield Run(operation, positive, extra, EXAMPLES["known"], parameters)


def _fuzz(run: Run, record: Callable[[Any, Any], None]) -> None:
    strategy = run.operation.as_strategy(
        generation_mode=run.mode,
        headers=run.headers or None,
        path_parameters=run.path_parameters,
    )

    @settings(
        max_examples=run.examples,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=(Phase.generate,),  # no shrinking: bounded time; the failing curl is printed
    )
    @given(case=strategy)
    def call(case: Any) -> None:
        response = case.call()
        record(case, response)
        _check(case, response, run.mode)

    try:
        call()
    except Unsatisfiable:
        # Nothing left to make invalid (no parameters, no body): no negative case exists.
        if run.mode != GenerationMode.NEGATIVE:
            raise


def test_no_generated_request_gets_a_5xx(fuzz_services: Any) -> None:
    from app import create_app

    app = create_app(fuzz_services)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    results = list(schema.get_all_operations())
    assert all(isinstance(r, Ok) for r in results), "the app's OpenAPI schema has invalid parts"
    operations = [r.ok() for r in results if isinstance(r, Ok)]
    statuses: Counter[int] = Counter()
    per_operation: Counter[str] = Counter()

    def record(case: Any, response: Any) -> None:
        statuses[response.status_code] += 1
        per_operation[case.operation.label] += 1

    started = time.monotonic()
    for run in _plan(operations, Credentials(fuzz_services)):
        _fuzz(run, record)
    elapsed = time.monotonic() - started
    total = sum(statuses.values())
    print(
        f"\nschemathesis: {total} requests in {elapsed:.1f} s over {len(per_operation)} "
        f"of {len(operations)} operations; statuses {dict(sorted(statuses.items()))}"
    )
    assert len(per_operation) == len(operations)
    assert total >= MIN_REQUESTS
