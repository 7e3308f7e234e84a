"""Readiness checks behind ``/health``: the database answers, the vector index is readable.

Example:
    >>> report = check_health(services.engine, services.products, services.vector_index)
    >>> report.status, report.failed
    ('ok', [])
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Literal, Protocol

from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

CheckName = Literal["database", "index"]


class Countable(Protocol):
    def count(self) -> int: ...


class HealthCheck(BaseModel):
    """One check: passed or not, how long it took, and why it failed (the error's type only;
    the full error goes to the log, not to an unauthenticated caller)."""

    name: CheckName
    ok: bool
    ms: float
    detail: str | None = None


class HealthReport(BaseModel):
    """The body of ``/health`` (200), or the ``details`` of its 503 error body."""

    status: Literal["ok", "unavailable"]
    products: int | None = Field(description="Products in the catalog (None if the DB failed).")
    indexed: int | None = Field(description="Vectors in the index (None if the index failed).")
    checks: list[HealthCheck]

    @property
    def failed(self) -> list[str]:
        return [c.name for c in self.checks if not c.ok]


def _timed_check(name: CheckName, run: Callable[[], str | None]) -> HealthCheck:
    """Run ``run`` (it returns a failure reason, or None when the check passed)."""
    started = time.perf_counter()
    try:
        reason = run()
    except Exception as e:  # a health check reports failures, it never raises
        log.warning("health check %s failed", name, exc_info=True)
        reason = type(e).__name__
    ms = round((time.perf_counter() - started) * 1000, 3)
    return HealthCheck(name=name, ok=reason is None, ms=ms, detail=reason)


def check_health(engine: Engine, products: Countable, index: Countable) -> HealthReport:
    """``SELECT 1`` and a product count on the database; a count on the vector index, which
    fails when it is empty while the catalog is not (searches would find nothing)."""
    counts: dict[str, int] = {}

    def database() -> str | None:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1")).scalar_one()
        counts["products"] = products.count()
        return None

    def vector_index() -> str | None:
        counts["indexed"] = index.count()
        catalog = counts.get("products", 0)
        if counts["indexed"] == 0 and catalog > 0:
            return f"the index is empty but the catalog has {catalog} products"
        return None

    checks = [_timed_check("database", database), _timed_check("index", vector_index)]
    return HealthReport(
        status="ok" if all(c.ok for c in checks) else "unavailable",
        products=counts.get("products"),
        indexed=counts.get("indexed"),
        checks=checks,
    )
