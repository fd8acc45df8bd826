"""Every metric the gateway exports: names, help texts, label names, label values and histogram buckets.

Why one place: metric names are an API (dashboards and alerts depend on them) and label values must stay a
small closed set (Prometheus keeps one time series per label combination, so an unbounded label such as the
operation text or a user id would exhaust its memory). Call sites pass only the ``Literal`` values below, and
``docs/telemetry.md`` documents exactly this list.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

# --- label values (closed sets) ---------------------------------------------------------------------------

# "none": no operation was selected (HTTP or request errors before parsing, the GraphiQL page).
OperationKind = Literal["query", "mutation", "subscription", "none"]
OPERATION_KINDS: tuple[OperationKind, ...] = ("query", "mutation", "subscription", "none")

# One subgraph HTTP call: a 2xx answer, another status, the per-subgraph timeout, or no answer at all.
SubgraphOutcome = Literal["success", "http_error", "timeout", "network_error"]
SUBGRAPH_OUTCOMES: tuple[SubgraphOutcome, ...] = ("success", "http_error", "timeout", "network_error")

CacheResult = Literal["hit", "miss"]

CostKind = Literal["estimated", "actual"]

# allowed/limited: the bucket answered; failed_open/failed_closed: the store (Redis) failed and the
# configured ``on_redis_error`` let the request through or refused it.
RateLimitDecision = Literal["allowed", "limited", "failed_open", "failed_closed"]
RATE_LIMIT_DECISIONS: tuple[RateLimitDecision, ...] = ("allowed", "limited", "failed_open", "failed_closed")

# invalid_token: a JWT failed verification; malformed: the Authorization header is not "<prefix> <token>";
# invalid_api_key: an unknown API key; missing: no credentials while authentication is required.
AuthFailureReason = Literal["invalid_token", "malformed", "invalid_api_key", "missing"]
AUTH_FAILURE_REASONS: tuple[AuthFailureReason, ...] = (
    "invalid_token",
    "malformed",
    "invalid_api_key",
    "missing",
)

ReloadResult = Literal["success", "failure"]

# Circuit breaker states (a subgraph URL's breaker is in exactly one).
BreakerState = Literal["closed", "open", "half_open"]
BREAKER_STATES: tuple[BreakerState, ...] = ("closed", "open", "half_open")

# A failed subgraph call of a query: retried, or not retried because the retry budget was spent.
RetryResult = Literal["retried", "budget_exhausted"]

# A subgraph fetch answered without a call: its breaker is open, or no concurrency slot freed in time.
RejectReason = Literal["circuit_open", "overloaded"]

# Client connection events the HTTP edge handles without a GraphQL request (gateway/http/connections.py):
# a connection refused over server.max_connections; closed for not sending its head (header_timeout) or
# its body (body_timeout) in time; a request head too large (414/431) or malformed (400); a client that
# went away before its answer was written (client_disconnected).
ConnectionEvent = Literal[
    "refused",
    "header_timeout",
    "body_timeout",
    "headers_too_large",
    "malformed_request",
    "client_disconnected",
]
CONNECTION_EVENTS: tuple[ConnectionEvent, ...] = get_args(ConnectionEvent)

# --- buckets -----------------------------------------------------------------------------------------------

# Client requests and subgraph calls: from sub-millisecond loopback answers to the default 30 s timeout.
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# Query planning is pure CPU: usually well under a millisecond, pathological plans take seconds.
PLANNING_BUCKETS = (0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1.0, 5.0)
# Cost units (IBM cost spec): objects cost 1, lists multiply; the default maximum is 1000.
COST_BUCKETS = (1.0, 2.0, 5.0, 10.0, 25.0, 50.0, 100.0, 250.0, 500.0, 1000.0, 2500.0, 10000.0, 100000.0)


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """One exported metric: its full exposition name, help text and label names."""

    name: str
    help: str
    labels: tuple[str, ...] = ()


HTTP_REQUESTS = MetricSpec(
    "gateway_http_requests_total",
    "Client requests on the GraphQL endpoint, by operation kind and HTTP status.",
    ("operation", "status"),
)
HTTP_DURATION = MetricSpec(
    "gateway_http_request_duration_seconds",
    "Time to answer a client request on the GraphQL endpoint (middleware to response), by operation kind.",
    ("operation",),
)
SUBGRAPH_REQUESTS = MetricSpec(
    "gateway_subgraph_requests_total",
    "HTTP calls made to subgraphs, by subgraph and outcome.",
    ("subgraph", "outcome"),
)
SUBGRAPH_DURATION = MetricSpec(
    "gateway_subgraph_request_duration_seconds",
    "Duration of one HTTP call to a subgraph (any outcome), by subgraph.",
    ("subgraph",),
)
SUBGRAPH_COALESCED = MetricSpec(
    "gateway_subgraph_requests_coalesced_total",
    "Subgraph fetches answered by an identical in-flight call instead of a call of their own.",
    ("subgraph",),
)
PLAN_CACHE = MetricSpec(
    "gateway_plan_cache_requests_total",
    "Query plan cache lookups, by result (hit or miss).",
    ("result",),
)
PLANNING_DURATION = MetricSpec(
    "gateway_query_planning_duration_seconds",
    "Time to build one query plan (plan cache misses only).",
)
OPERATION_COST = MetricSpec(
    "gateway_operation_cost",
    "Operation cost in cost units: estimated before planning, actual from the response.",
    ("kind",),
)
RATE_LIMIT_DECISIONS_METRIC = MetricSpec(
    "gateway_rate_limit_decisions_total",
    "Rate limit decisions, by decision.",
    ("decision",),
)
RATE_LIMIT_REDIS_ERRORS = MetricSpec(
    "gateway_rate_limit_redis_errors_total",
    "Rate limit store (Redis) calls that failed (refused, timed out).",
)
AUTH_FAILURES = MetricSpec(
    "gateway_auth_failures_total",
    "Requests refused with 401 AUTH_ERROR, by reason.",
    ("reason",),
)
SUPERGRAPH_RELOADS = MetricSpec(
    "gateway_supergraph_reloads_total",
    "Supergraph loads (start-up and hot reloads), by result.",
    ("result",),
)
SUPERGRAPH_INFO = MetricSpec(
    "gateway_supergraph",
    "The supergraph being served: its sha256 as a label, value 1 (exported as gateway_supergraph_info).",
    ("sha256",),
)

BREAKER_STATE = MetricSpec(
    "gateway_subgraph_circuit_breaker_state",
    "1 for the current state of each subgraph URL's circuit breaker (closed, open, half_open), else 0; "
    "with several worker processes, how many are in that state.",
    ("subgraph", "url", "state"),
)
BREAKER_TRANSITIONS = MetricSpec(
    "gateway_subgraph_circuit_breaker_transitions_total",
    "Circuit breaker state changes, by subgraph and the state entered.",
    ("subgraph", "state"),
)
SUBGRAPH_RETRIES = MetricSpec(
    "gateway_subgraph_retries_total",
    "Failed subgraph calls of queries that were retried, or not retried because the budget was spent.",
    ("subgraph", "result"),
)
SUBGRAPH_REJECTED = MetricSpec(
    "gateway_subgraph_fetches_rejected_total",
    "Subgraph fetches failed without a call: breaker open, or no concurrency slot in time.",
    ("subgraph", "reason"),
)
REQUESTS_SHED = MetricSpec(
    "gateway_http_requests_shed_total",
    "Client requests answered 503 SERVICE_OVERLOADED by the gateway-wide admission limit.",
)

CONNECTION_EVENTS_METRIC = MetricSpec(
    "gateway_http_connection_events_total",
    "Client connections refused (connection limit), timed out reading headers or body, refused as "
    "malformed or oversized, or left by their client before the answer.",
    ("event",),
)
CONNECTIONS_OPEN = MetricSpec(
    "gateway_http_connections_open",
    "Client connections open (summed over the worker processes).",
)

ALL_METRICS: tuple[MetricSpec, ...] = (
    HTTP_REQUESTS,
    HTTP_DURATION,
    SUBGRAPH_REQUESTS,
    SUBGRAPH_DURATION,
    SUBGRAPH_COALESCED,
    PLAN_CACHE,
    PLANNING_DURATION,
    OPERATION_COST,
    RATE_LIMIT_DECISIONS_METRIC,
    RATE_LIMIT_REDIS_ERRORS,
    AUTH_FAILURES,
    SUPERGRAPH_RELOADS,
    SUPERGRAPH_INFO,
    BREAKER_STATE,
    BREAKER_TRANSITIONS,
    SUBGRAPH_RETRIES,
    SUBGRAPH_REJECTED,
    REQUESTS_SHED,
    CONNECTION_EVENTS_METRIC,
    CONNECTIONS_OPEN,
)
