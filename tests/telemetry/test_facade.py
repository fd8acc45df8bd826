"""The metrics facade alone: the no-op records nothing, the Prometheus one records into its own registry."""

from __future__ import annotations

import prometheus_client
import pytest

from gateway.telemetry import catalogue
from gateway.telemetry.metrics import NOOP_METRICS, Metrics, PrometheusMetrics, create_metrics
from gateway.telemetry.scope import CURRENT_SCOPE, RequestScope


def value(metrics: PrometheusMetrics, name: str, **labels: str) -> float | None:
    return metrics.registry.get_sample_value(name, labels)


def test_create_metrics_picks_the_implementation() -> None:
    assert create_metrics(False) is NOOP_METRICS
    assert not NOOP_METRICS.enabled
    created = create_metrics(True)
    assert isinstance(created, PrometheusMetrics)
    assert created.enabled
    assert create_metrics(True) is not created, "each pipeline gets its own registry"


def test_noop_accepts_every_call_and_exposes_nothing() -> None:
    noop = Metrics()
    noop.operation_kind("query")
    noop.request_finished("query", 200, 0.01)
    noop.subgraph_request("products", "success", 0.01)
    noop.subgraph_coalesced("products")
    noop.plan_cache(True)
    noop.plan_built(0.001)
    noop.cost("estimated", 3)
    noop.rate_limit("allowed")
    noop.redis_error()
    noop.auth_failure("invalid_token")
    noop.supergraph_loaded("abc")
    noop.supergraph_load_failed()
    body, content_type = noop.exposition()
    assert body == b""
    assert content_type.startswith("text/plain")


def test_every_catalogued_metric_is_exported_with_help() -> None:
    text = PrometheusMetrics().exposition()[0].decode()
    for spec in catalogue.ALL_METRICS:
        family = spec.name.removesuffix("_total")
        assert f"# HELP {spec.name}" in text or f"# HELP {family}" in text, spec.name


def test_requests_are_counted_by_kind_and_status_and_timed() -> None:
    metrics = PrometheusMetrics()
    metrics.request_finished("query", 200, 0.004)
    metrics.request_finished("query", 200, 0.02)
    metrics.request_finished("none", 400, 0.001)
    assert value(metrics, "gateway_http_requests_total", operation="query", status="200") == 2
    assert value(metrics, "gateway_http_requests_total", operation="none", status="400") == 1
    assert value(metrics, "gateway_http_requests_total", operation="mutation", status="200") is None
    assert value(metrics, "gateway_http_request_duration_seconds_count", operation="query") == 2
    assert value(metrics, "gateway_http_request_duration_seconds_sum", operation="query") == pytest.approx(
        0.024
    )
    assert value(metrics, "gateway_http_request_duration_seconds_bucket", operation="query", le="0.005") == 1


def test_subgraph_calls_coalescing_and_planning() -> None:
    metrics = PrometheusMetrics()
    metrics.subgraph_request("products", "success", 0.003)
    metrics.subgraph_request("products", "timeout", 1.0)
    metrics.subgraph_request("reviews", "success", 0.002)
    metrics.subgraph_coalesced("reviews")
    metrics.plan_cache(False)
    metrics.plan_built(0.0003)
    metrics.plan_cache(True)
    metrics.plan_cache(True)
    sub = "gateway_subgraph_requests_total"
    assert value(metrics, sub, subgraph="products", outcome="success") == 1
    assert value(metrics, sub, subgraph="products", outcome="timeout") == 1
    assert value(metrics, sub, subgraph="reviews", outcome="success") == 1
    assert value(metrics, "gateway_subgraph_request_duration_seconds_count", subgraph="products") == 2
    assert value(metrics, "gateway_subgraph_requests_coalesced_total", subgraph="reviews") == 1
    assert value(metrics, "gateway_plan_cache_requests_total", result="hit") == 2
    assert value(metrics, "gateway_plan_cache_requests_total", result="miss") == 1
    assert value(metrics, "gateway_query_planning_duration_seconds_count") == 1


def test_cost_rate_limit_redis_and_auth() -> None:
    metrics = PrometheusMetrics()
    metrics.cost("estimated", 33)
    metrics.cost("actual", 21)
    metrics.cost("actual", 4)
    metrics.rate_limit("allowed")
    metrics.rate_limit("limited")
    metrics.rate_limit("failed_open")
    metrics.redis_error()
    metrics.auth_failure("invalid_token")
    metrics.auth_failure("invalid_token")
    assert value(metrics, "gateway_operation_cost_sum", kind="estimated") == 33
    assert value(metrics, "gateway_operation_cost_count", kind="actual") == 2
    assert value(metrics, "gateway_operation_cost_bucket", kind="actual", le="5.0") == 1
    for decision in ("allowed", "limited", "failed_open"):
        assert value(metrics, "gateway_rate_limit_decisions_total", decision=decision) == 1
    assert value(metrics, "gateway_rate_limit_decisions_total", decision="failed_closed") == 0
    assert value(metrics, "gateway_rate_limit_redis_errors_total") == 1
    assert value(metrics, "gateway_auth_failures_total", reason="invalid_token") == 2
    assert value(metrics, "gateway_auth_failures_total", reason="missing") == 0


def test_supergraph_info_follows_the_loaded_sha() -> None:
    metrics = PrometheusMetrics()
    metrics.supergraph_loaded("aaa")
    metrics.supergraph_load_failed()
    metrics.supergraph_loaded("bbb")
    assert value(metrics, "gateway_supergraph_reloads_total", result="success") == 2
    assert value(metrics, "gateway_supergraph_reloads_total", result="failure") == 1
    assert value(metrics, "gateway_supergraph_info", sha256="bbb") == 1
    assert value(metrics, "gateway_supergraph_info", sha256="aaa") is None, "the old sha is replaced"


def test_registries_are_private() -> None:
    first, second = PrometheusMetrics(), PrometheusMetrics()
    first.redis_error()
    assert value(first, "gateway_rate_limit_redis_errors_total") == 1
    assert value(second, "gateway_rate_limit_redis_errors_total") == 0
    assert prometheus_client.REGISTRY.get_sample_value("gateway_rate_limit_redis_errors_total") is None


def test_exposition_negotiates_openmetrics() -> None:
    metrics = PrometheusMetrics()
    metrics.redis_error()
    body, content_type = metrics.exposition("application/openmetrics-text; version=1.0.0")
    assert content_type.startswith("application/openmetrics-text")
    assert body.rstrip().endswith(b"# EOF")
    body, content_type = metrics.exposition(None)
    assert content_type == "text/plain; version=0.0.4; charset=utf-8"
    assert b"gateway_rate_limit_redis_errors_total 1.0" in body


def test_operation_kind_reaches_the_enclosing_request_scope() -> None:
    metrics = PrometheusMetrics()
    metrics.operation_kind("mutation")  # outside a request: ignored
    scope = RequestScope()
    token = CURRENT_SCOPE.set(scope)
    try:
        metrics.operation_kind("mutation")
    finally:
        CURRENT_SCOPE.reset(token)
    assert scope.operation_kind == "mutation"


def test_histogram_buckets_are_cumulative_and_inclusive() -> None:
    metrics = PrometheusMetrics()
    for seconds in (0.005, 0.0051, 45.0):  # on a bound, just above it, above every bound
        metrics.subgraph_request("products", "success", seconds)
    bucket = "gateway_subgraph_request_duration_seconds_bucket"
    assert value(metrics, bucket, subgraph="products", le="0.0025") == 0
    assert value(metrics, bucket, subgraph="products", le="0.005") == 1, "le is inclusive"
    assert value(metrics, bucket, subgraph="products", le="0.01") == 2
    assert value(metrics, bucket, subgraph="products", le="30.0") == 2
    assert value(metrics, bucket, subgraph="products", le="+Inf") == 3
    assert value(metrics, "gateway_subgraph_request_duration_seconds_count", subgraph="products") == 3
    assert value(
        metrics, "gateway_subgraph_request_duration_seconds_sum", subgraph="products"
    ) == pytest.approx(45.0101)
