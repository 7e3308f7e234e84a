"""ShopMetrics: own registries, error counting, bounded stage labels, exposition."""

from __future__ import annotations

import pytest

from assistant.observability.metrics import ShopMetrics

pytestmark = pytest.mark.unit

CHAT = {"method": "POST", "route": "/api/v1/chat"}


def test_two_instances_do_not_collide_or_share_values() -> None:
    first, second = ShopMetrics(), ShopMetrics()  # the same names, no "Duplicated timeseries"
    first.observe_request("POST", "/api/v1/chat", 200, 0.1)
    count = "shopbot_http_request_duration_seconds_count"
    assert first.value(count, {**CHAT, "status": "200"}) == 1.0
    assert second.value(count, {**CHAT, "status": "200"}) == 0.0


def test_only_4xx_and_5xx_count_as_errors() -> None:
    metrics = ShopMetrics()
    for status in (200, 201, 304, 404, 422, 503):
        metrics.observe_request("POST", "/api/v1/chat", status, 0.01)
    errors = {
        s: metrics.value("shopbot_http_errors_total", {**CHAT, "status": str(s)})
        for s in (200, 201, 304, 404, 422, 503)
    }
    assert errors == {200: 0.0, 201: 0.0, 304: 0.0, 404: 1.0, 422: 1.0, 503: 1.0}


def test_latency_lands_in_the_right_bucket() -> None:
    metrics = ShopMetrics()
    metrics.observe_request("GET", "/health", 200, 0.03)
    labels = {"method": "GET", "route": "/health", "status": "200"}
    bucket = "shopbot_http_request_duration_seconds_bucket"
    assert metrics.value(bucket, {**labels, "le": "0.025"}) == 0.0
    assert metrics.value(bucket, {**labels, "le": "0.05"}) == 1.0


def test_stages_intents_and_turn_errors() -> None:
    metrics = ShopMetrics()
    metrics.observe_stage("retrieve", 0.004)
    metrics.observe_intent("search")
    metrics.observe_intent("search")
    metrics.observe_turn_error("UnknownSessionError")
    stage_count = "shopbot_turn_stage_duration_seconds_count"
    assert metrics.value(stage_count, {"stage": "retrieve"}) == 1.0
    assert metrics.value("shopbot_turn_intents_total", {"intent": "search"}) == 2.0
    assert metrics.value("shopbot_turn_errors_total", {"error": "UnknownSessionError"}) == 1.0


def test_an_unknown_stage_is_refused_not_a_new_label() -> None:
    with pytest.raises(ValueError, match="unknown stage"):
        ShopMetrics().observe_stage("upload", 0.1)  # type: ignore[arg-type]


def test_render_is_prometheus_text() -> None:
    metrics = ShopMetrics()
    metrics.observe_stage("parse", 0.002)
    body, content_type = metrics.render()
    text = body.decode()
    assert content_type.startswith("text/plain")
    assert "# TYPE shopbot_http_request_duration_seconds histogram" in text
    assert 'shopbot_turn_stage_duration_seconds_count{stage="parse"} 1.0' in text
