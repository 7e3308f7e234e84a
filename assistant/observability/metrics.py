"""Prometheus metrics of one process, in a registry of their own (never the global default).

Each :class:`~assistant.wiring.Services` owns one :class:`ShopMetrics`; the app built on it
records requests into it and serves it at ``/metrics``. Several apps or test fixtures in one
process therefore never collide on metric names.

With several worker processes set ``PROMETHEUS_MULTIPROC_DIR`` (an empty directory, the same
for all workers, before they start): the values are then kept in files there and ``/metrics``
answers the sum over all workers, whichever worker the scrape reaches.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from assistant.observability.stages import STAGES, Stage

# Request latency: Prometheus' defaults, plus 30 s (the API's request timeout).
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Stages are far shorter than requests: from half a millisecond.
STAGE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class ShopMetrics:
    """The shop's metrics; also the :class:`~assistant.observability.stages.TurnObserver`.

    Example:
        >>> metrics = ShopMetrics()
        >>> metrics.observe_request("POST", "/api/v1/chat", 200, 0.12)
        >>> metrics.value("shopbot_http_request_duration_seconds_count",
        ...               {"method": "POST", "route": "/api/v1/chat", "status": "200"})
        1.0
    """

    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry
        self.request_seconds = Histogram(
            "shopbot_http_request_duration_seconds",
            "HTTP request latency by method, route template and status (streams: to the end).",
            ["method", "route", "status"],
            buckets=REQUEST_BUCKETS,
            registry=r,
        )
        self.in_progress = Gauge(
            "shopbot_http_requests_in_progress",
            "HTTP requests being served.",
            registry=r,
            multiprocess_mode="livesum",
        )
        self.http_errors = Counter(
            "shopbot_http_errors",
            "HTTP responses with a 4xx or 5xx status, by method, route template and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.exceptions = Counter(
            "shopbot_http_exceptions",
            "Exceptions no handler turned into a response (answered 500), by route and type.",
            ["route", "exception"],
            registry=r,
        )
        self._request_children: dict[tuple[str, str, int], tuple[Histogram, Counter | None]] = {}
        self._turn_metrics(r)

    def _turn_metrics(self, r: CollectorRegistry) -> None:
        self.stage_seconds = Histogram(
            "shopbot_turn_stage_duration_seconds",
            "Exclusive time of a turn's stages: store, parse, retrieve, rerank, reply.",
            ["stage"],
            buckets=STAGE_BUCKETS,
            registry=r,
        )
        self._stage_children = {stage: self.stage_seconds.labels(stage=stage) for stage in STAGES}
        self.intents = Counter(
            "shopbot_turn_intents", "Answered turns by the intent acted on.", ["intent"], registry=r
        )
        self.turn_errors = Counter(
            "shopbot_turn_errors",
            "Turns that raised, by exception type (every channel: API, stream, chat page).",
            ["error"],
            registry=r,
        )

    # --- HTTP ---------------------------------------------------------------------------

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        """One finished request (``route`` must be a template, never a raw path)."""
        key = (method, route, status)
        children = self._request_children.get(key)
        if children is None:  # label lookups are cached: they cost more than the observation
            labels = {"method": method, "route": route, "status": str(status)}
            error = self.http_errors.labels(**labels) if status >= 400 else None
            children = (self.request_seconds.labels(**labels), error)
            self._request_children[key] = children
        children[0].observe(seconds)
        if children[1] is not None:
            children[1].inc()

    def observe_exception(self, route: str, exception: BaseException) -> None:
        self.exceptions.labels(route=route, exception=type(exception).__name__).inc()

    # --- turns (TurnObserver) -----------------------------------------------------------

    def observe_stage(self, stage: Stage, seconds: float) -> None:
        child = self._stage_children.get(stage)
        if child is None:
            raise ValueError(f"unknown stage {stage!r}")
        child.observe(seconds)

    def observe_intent(self, intent: str) -> None:
        self.intents.labels(intent=intent).inc()

    def observe_turn_error(self, error: str) -> None:
        self.turn_errors.labels(error=error).inc()

    # --- exposition ---------------------------------------------------------------------

    def render(self) -> tuple[bytes, str]:
        """The text exposition format and its content type (all workers' sum in multiprocess
        mode)."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            from prometheus_client import multiprocess

            merged = CollectorRegistry()
            multiprocess.MultiProcessCollector(merged)
            return generate_latest(merged), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST

    def value(self, name: str, labels: dict[str, str] | None = None) -> float:
        """A sample's current value (0.0 if absent), e.g. ``shopbot_turn_intents_total``."""
        found = self.registry.get_sample_value(name, labels or {})
        return found if found is not None else 0.0
