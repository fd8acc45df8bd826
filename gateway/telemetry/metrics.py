"""The metrics facade the rest of the gateway calls, with a no-op and a Prometheus implementation.

Why a facade: call sites (pipeline, transport, executor, plugins) state *what happened* in a typed call
(``metrics.auth_failure("invalid_token")``) and never touch prometheus-client, metric names or label
handling; the catalogue (``catalogue.py``) is the only place names and label values live. The base class is
the no-op implementation, so code can always call ``ctx.metrics...`` whether metrics are on or off.

Why a private ``CollectorRegistry`` per ``PrometheusMetrics``: the process-global default registry would make
two pipelines in one process (tests, embedders) collide on metric names and mix their numbers.

Why values live in ``accumulators.py`` and not in prometheus-client ``Counter``/``Histogram`` objects: those
cost ~1-2 us per call (locks, several layers), about 3% of a light request's gateway CPU in total; plain
event-loop-local accumulators cost a tenth of that, and prometheus-client still renders them at scrape time
(measured in docs/telemetry.md).

With several worker processes, ``gateway/telemetry/multiprocess.py`` hands each ``PrometheusMetrics`` the
other workers' values before a scrape (``set_others``), and the collectors add them to this process's own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from prometheus_client import CollectorRegistry
from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.exposition import choose_encoder
from prometheus_client.metrics_core import Metric

from gateway.telemetry import catalogue as cat
from gateway.telemetry.accumulators import (
    AccumulatorCollector,
    CounterFamily,
    Histogram,
    HistogramFamily,
    Row,
)
from gateway.telemetry.catalogue import (
    AuthFailureReason,
    BreakerState,
    ConnectionEvent,
    CostKind,
    OperationKind,
    RateLimitDecision,
    RejectReason,
    RetryResult,
    SubgraphOutcome,
)
from gateway.telemetry.scope import note_operation_kind

# Reads every circuit breaker's state at scrape time: subgraph -> URL -> state.
BreakerSource = Callable[[], Mapping[str, Mapping[str, str]]]
# Reads the number of open client connections at scrape time.
ConnectionSource = Callable[[], int]


@dataclass(frozen=True, slots=True)
class OtherProcesses:
    """What other worker processes add to this one's exposition (``gateway/telemetry/multiprocess.py``).

    ``families``: metric name -> row lists to add to the counters and histograms (values inherited at fork,
    exited workers, live workers). The gauges come from live workers only: their open connections, their
    breaker states (subgraph -> URL -> state) and the labels of their supergraph info.
    """

    families: dict[str, list[list[Row]]] = field(default_factory=dict)
    connections: list[float] = field(default_factory=list)
    breakers: list[Mapping[str, Mapping[str, str]]] = field(default_factory=list)
    supergraphs: list[dict[str, str]] = field(default_factory=list)


class Metrics:
    """The facade. This base class records nothing: it is the implementation used when metrics are off."""

    enabled: bool = False

    def operation_kind(self, kind: OperationKind) -> None:
        """The pipeline selected an operation of this kind (labels the enclosing HTTP request)."""

    def request_finished(self, operation_kind: OperationKind, status: int, seconds: float) -> None:
        """A client request on the GraphQL endpoint was answered with HTTP ``status``."""

    def subgraph_request(self, subgraph: str, outcome: SubgraphOutcome, seconds: float) -> None:
        """One HTTP call to ``subgraph`` ended (``seconds`` includes reading the body)."""

    def subgraph_coalesced(self, subgraph: str) -> None:
        """A fetch to ``subgraph`` shared an identical in-flight call instead of making its own."""

    def plan_cache(self, hit: bool) -> None:
        """A query plan was looked up in the plan cache."""

    def plan_built(self, seconds: float) -> None:
        """A query plan was built (a plan cache miss)."""

    def cost(self, kind: CostKind, value: float) -> None:
        """An operation's estimated (before planning) or actual (from the response) cost."""

    def rate_limit(self, decision: RateLimitDecision) -> None:
        """The rate limiter decided about one operation."""

    def redis_error(self) -> None:
        """A call to the rate limit store (Redis) failed."""

    def auth_failure(self, reason: AuthFailureReason) -> None:
        """A request was refused with 401."""

    def supergraph_loaded(self, sha256: str) -> None:
        """A supergraph was loaded and is now served."""

    def supergraph_load_failed(self) -> None:
        """A supergraph could not be loaded (the previous one, if any, is still served)."""

    def breaker_transition(self, subgraph: str, state: BreakerState) -> None:
        """A subgraph URL's circuit breaker entered ``state``."""

    def subgraph_retry(self, subgraph: str, result: RetryResult) -> None:
        """A failed call of a query was retried, or was not because the retry budget was spent."""

    def subgraph_rejected(self, subgraph: str, reason: RejectReason) -> None:
        """A fetch failed without a call (breaker open, or no concurrency slot in time)."""

    def request_shed(self) -> None:
        """A client request got 503 SERVICE_OVERLOADED from the gateway-wide admission limit."""

    def connection_event(self, event: ConnectionEvent) -> None:
        """The HTTP edge handled a client connection event (see ``catalogue.ConnectionEvent``)."""

    def watch_connections(self, source: ConnectionSource) -> None:
        """Report ``source()`` as the open client connections gauge at scrape time."""

    def watch_breakers(self, source: BreakerSource) -> None:
        """Where the breaker-state gauge reads the states from at scrape time."""

    def exposition(self, accept: str | None = None) -> tuple[bytes, str]:
        """The scrape body and its content type, negotiated from the ``Accept`` header."""
        return b"", "text/plain; version=0.0.4; charset=utf-8"


NOOP_METRICS = Metrics()


class PrometheusMetrics(Metrics):
    """Records into event-loop-local accumulators exported through its own ``CollectorRegistry``."""

    enabled = True

    def __init__(self) -> None:
        self._http_requests = CounterFamily(cat.HTTP_REQUESTS)
        self._http_duration = HistogramFamily(
            cat.HTTP_DURATION, cat.LATENCY_BUCKETS, tuple((kind,) for kind in cat.OPERATION_KINDS)
        )
        self._subgraph_requests = CounterFamily(cat.SUBGRAPH_REQUESTS)
        self._subgraph_duration = HistogramFamily(cat.SUBGRAPH_DURATION, cat.LATENCY_BUCKETS)
        self._coalesced = CounterFamily(cat.SUBGRAPH_COALESCED)
        # Closed label sets are preset: every series exists (at 0) from the first scrape, so rate() and
        # absent() work before the first event.
        self._plan_cache = CounterFamily(cat.PLAN_CACHE, (("hit",), ("miss",)))
        planning = HistogramFamily(cat.PLANNING_DURATION, cat.PLANNING_BUCKETS, ((),))
        cost = HistogramFamily(cat.OPERATION_COST, cat.COST_BUCKETS, (("estimated",), ("actual",)))
        self._rate_limit = CounterFamily(
            cat.RATE_LIMIT_DECISIONS_METRIC, tuple((d,) for d in cat.RATE_LIMIT_DECISIONS)
        )
        self._redis_errors = CounterFamily(cat.RATE_LIMIT_REDIS_ERRORS, ((),))
        self._auth = CounterFamily(cat.AUTH_FAILURES, tuple((r,) for r in cat.AUTH_FAILURE_REASONS))
        self._reloads = CounterFamily(cat.SUPERGRAPH_RELOADS, (("success",), ("failure",)))
        self._transitions = CounterFamily(cat.BREAKER_TRANSITIONS)
        self._retries = CounterFamily(cat.SUBGRAPH_RETRIES)
        self._rejected = CounterFamily(cat.SUBGRAPH_REJECTED)
        self._shed = CounterFamily(cat.REQUESTS_SHED, ((),))
        self._connection_events = CounterFamily(
            cat.CONNECTION_EVENTS_METRIC, tuple((event,) for event in cat.CONNECTION_EVENTS)
        )
        self._connections = _ConnectionsCollector()
        self._breakers = _BreakerStateCollector()
        # Called by ``exposition`` before collecting (set by ``multiprocess.WorkerMetrics``).
        self.before_scrape: Callable[[], None] | None = None
        self.registry = CollectorRegistry()
        self.registry.register(self._breakers)
        self.registry.register(self._connections)
        self._accumulators = AccumulatorCollector(
            [
                self._http_requests,
                self._http_duration,
                self._subgraph_requests,
                self._subgraph_duration,
                self._coalesced,
                self._plan_cache,
                planning,
                cost,
                self._rate_limit,
                self._redis_errors,
                self._auth,
                self._reloads,
                self._transitions,
                self._retries,
                self._rejected,
                self._shed,
                self._connection_events,
            ]
        )
        self.registry.register(self._accumulators)
        self._supergraph = _InfoCollector()
        self.registry.register(self._supergraph)
        # Bound once: the hot calls below are a dict lookup and an add.
        self._http_hist = self._http_duration.children
        self._planning = planning.child(())
        self._cost = {kind: cost.child((kind,)) for kind in ("estimated", "actual")}
        self._subgraph_hist: dict[str, Histogram] = {}

    def operation_kind(self, kind: OperationKind) -> None:
        note_operation_kind(kind)

    def request_finished(self, operation_kind: OperationKind, status: int, seconds: float) -> None:
        values = self._http_requests.values
        key = (operation_kind, str(status))
        values[key] = values.get(key, 0.0) + 1.0
        self._http_hist[(operation_kind,)].observe(seconds)

    def subgraph_request(self, subgraph: str, outcome: SubgraphOutcome, seconds: float) -> None:
        values = self._subgraph_requests.values
        key = (subgraph, outcome)
        values[key] = values.get(key, 0.0) + 1.0
        histogram = self._subgraph_hist.get(subgraph)
        if histogram is None:
            histogram = self._subgraph_hist[subgraph] = self._subgraph_duration.child((subgraph,))
        histogram.observe(seconds)

    def subgraph_coalesced(self, subgraph: str) -> None:
        values = self._coalesced.values
        values[(subgraph,)] = values.get((subgraph,), 0.0) + 1.0

    def plan_cache(self, hit: bool) -> None:
        self._plan_cache.values[("hit",) if hit else ("miss",)] += 1.0

    def plan_built(self, seconds: float) -> None:
        self._planning.observe(seconds)

    def cost(self, kind: CostKind, value: float) -> None:
        self._cost[kind].observe(value)

    def rate_limit(self, decision: RateLimitDecision) -> None:
        self._rate_limit.values[(decision,)] += 1.0

    def redis_error(self) -> None:
        self._redis_errors.values[()] += 1.0

    def auth_failure(self, reason: AuthFailureReason) -> None:
        self._auth.values[(reason,)] += 1.0

    def supergraph_loaded(self, sha256: str) -> None:
        self._reloads.values[("success",)] += 1.0
        self._supergraph.labels = {"sha256": sha256}

    def supergraph_load_failed(self) -> None:
        self._reloads.values[("failure",)] += 1.0

    def breaker_transition(self, subgraph: str, state: BreakerState) -> None:
        self._transitions.values[(subgraph, state)] = self._transitions.values.get((subgraph, state), 0.0) + 1

    def subgraph_retry(self, subgraph: str, result: RetryResult) -> None:
        self._retries.values[(subgraph, result)] = self._retries.values.get((subgraph, result), 0.0) + 1

    def subgraph_rejected(self, subgraph: str, reason: RejectReason) -> None:
        self._rejected.values[(subgraph, reason)] = self._rejected.values.get((subgraph, reason), 0.0) + 1

    def request_shed(self) -> None:
        self._shed.values[()] += 1.0

    def connection_event(self, event: ConnectionEvent) -> None:
        self._connection_events.values[(event,)] += 1.0

    def watch_connections(self, source: ConnectionSource) -> None:
        self._connections.source = source

    def watch_breakers(self, source: BreakerSource) -> None:
        self._breakers.source = source

    def exposition(self, accept: str | None = None) -> tuple[bytes, str]:
        encoder, content_type = choose_encoder(accept or "")
        if self.before_scrape is not None:
            self.before_scrape()
        return encoder(self.registry), content_type

    # --- several worker processes (gateway/telemetry/multiprocess.py) --------------------------------------

    def worker_snapshot(self) -> dict[str, Any]:
        """This process's values (JSON-able): counter and histogram rows by metric name, gauges read now."""
        return {
            "families": self._accumulators.snapshot(),
            "connections": self._connections.own(),
            "breakers": self._breakers.own(),
            "supergraph": self._supergraph.labels,
        }

    def restart_from_zero(self) -> dict[str, list[Row]]:
        """Zero every counter and histogram in place; returns the rows they held (what a forked worker
        inherited from the supervisor, to be counted once rather than once per worker)."""
        held = self._accumulators.snapshot()
        self._accumulators.zero()
        return held

    def set_others(self, others: OtherProcesses) -> None:
        """Add ``others`` to this process's values from the next collect on."""
        self._accumulators.others = others.families
        self._connections.others = others.connections
        self._breakers.others = others.breakers
        self._supergraph.others = others.supergraphs


class _BreakerStateCollector:
    """The breaker-state gauge, read from the breakers themselves at scrape time (no per-call cost).

    With other worker processes (each has its own breakers) the value is the number of live workers whose
    breaker for that URL is in that state (prometheus-client's "livesum"); with one process, 1 or 0.
    """

    def __init__(self) -> None:
        self.source: BreakerSource | None = None
        self.others: list[Mapping[str, Mapping[str, str]]] = []

    def own(self) -> Mapping[str, Mapping[str, str]]:
        return self.source() if self.source is not None else {}

    def collect(self) -> Iterator[Metric]:
        spec = cat.BREAKER_STATE
        family = GaugeMetricFamily(spec.name, spec.help, labels=list(spec.labels))
        counts: dict[tuple[str, str], dict[str, float]] = {}
        for states in (self.own(), *self.others):
            for subgraph, urls in states.items():
                for url, current in urls.items():
                    by_state = counts.get((subgraph, url))
                    if by_state is None:
                        by_state = counts[(subgraph, url)] = dict.fromkeys(cat.BREAKER_STATES, 0.0)
                    if current in by_state:
                        by_state[current] += 1.0
        for (subgraph, url), by_state in sorted(counts.items()):
            for state, value in by_state.items():
                family.add_metric([subgraph, url, state], value)
        yield family


class _ConnectionsCollector:
    """The open-connections gauge, read from the connection tracker at scrape time (no per-call cost); with
    other worker processes, the sum over the live ones."""

    def __init__(self) -> None:
        self.source: ConnectionSource | None = None
        self.others: list[float] = []

    def own(self) -> float:
        return float(self.source()) if self.source is not None else 0.0

    def collect(self) -> Iterator[Metric]:
        spec = cat.CONNECTIONS_OPEN
        family = GaugeMetricFamily(spec.name, spec.help, labels=[])
        family.add_metric([], self.own() + sum(self.others))
        yield family


class _InfoCollector:
    """The supergraph info (``gateway_supergraph_info``, value 1). With other worker processes (each reloads
    on its own), one series per distinct supergraph served by a live worker: two only while a reload is
    reaching every worker."""

    def __init__(self) -> None:
        self.labels: dict[str, str] = {}
        self.others: list[dict[str, str]] = []

    def collect(self) -> Iterator[Metric]:
        spec = cat.SUPERGRAPH_INFO
        served = [self.labels]
        for labels in self.others:
            if labels not in served:
                served.append(labels)
        family = InfoMetricFamily(spec.name, spec.help, labels=[])
        for labels in served:
            family.add_metric([], labels)
        yield family


def create_metrics(enabled: bool) -> Metrics:
    """The Prometheus implementation when metrics are enabled, else the shared no-op."""
    return PrometheusMetrics() if enabled else NOOP_METRICS
