"""Resilience settings under ``traffic_shaping``: breakers, retries, concurrency limits, load shedding.

Why a module of its own: these are the knobs of ``gateway/transport/resilience`` and of the HTTP layer's load
shedding; each per-subgraph section exists twice, once with defaults (``all``) and once with every field
optional (``subgraphs.<name>``), merged field by field by ``merge`` so a subgraph override names only what it
changes (Apollo Router's ``all`` + ``subgraphs`` rule).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Annotated, Any, TypeVar

Duration = Annotated[float, "duration"]

_STATUS = re.compile(r"^[1-5](\d\d|xx)$")


def InvalidResilienceField(field_name: str, message: str) -> ValueError:
    """``model.InvalidField`` (which the loader reports with the key's line), imported lazily: model imports
    this module."""
    from gateway.config.model import InvalidField

    return InvalidField(field_name, message)


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


def _statuses(field_name: str, values: tuple[str, ...]) -> None:
    for value in values:
        if not _STATUS.match(value):
            raise InvalidResilienceField(
                field_name, f"{value!r} is not an HTTP status: use a code like '503' or a class like '5xx'"
            )


def status_matcher(values: tuple[str, ...]) -> frozenset[int]:
    """Expand ``('5xx', '429')`` into the set of status codes it names."""
    codes: set[int] = set()
    for value in values:
        if value.endswith("xx"):
            base = int(value[0]) * 100
            codes.update(range(base, base + 100))
        else:
            codes.add(int(value))
    return frozenset(codes)


def _positive(obj: Any, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        if value is not None and value <= 0:
            raise InvalidResilienceField(name, f"{name} must be greater than zero")


def _not_negative(obj: Any, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        if value is not None and value < 0:
            raise InvalidResilienceField(name, f"{name} cannot be negative")


# --- circuit breaker ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CircuitBreakerConfig:
    """Stop calling a subgraph (per URL) that keeps failing; probe it again after a pause."""

    enabled: bool = field(
        default=True, metadata=_doc("Judge each subgraph URL and open its breaker on failures.")
    )
    window: Duration = field(default=10.0, metadata=_doc("Rolling window over which calls are counted."))
    buckets: int = field(default=10, metadata=_doc("How many buckets the window is counted in."))
    minimum_requests: int = field(
        default=20, metadata=_doc("Calls needed in the window before the failure ratio can open the breaker.")
    )
    error_threshold: float = field(
        default=0.5, metadata=_doc("Failure ratio (0-1] in the window that opens the breaker.")
    )
    failure_statuses: tuple[str, ...] = field(
        default=("5xx",),
        metadata=_doc(
            "HTTP statuses counted as failures ('5xx', '503', ...); refused/reset connections, "
            "timeouts and malformed bodies always are. GraphQL errors in a 200 answer never are."
        ),
    )
    open_duration: Duration = field(
        default=5.0, metadata=_doc("How long the breaker stays open before letting probe calls through.")
    )
    max_open_duration: Duration = field(
        default=60.0, metadata=_doc("Cap of the open duration, which doubles each time a probe fails.")
    )
    half_open_probes: int = field(
        default=3, metadata=_doc("Concurrent probe calls allowed while half-open; others fail fast.")
    )

    def __post_init__(self) -> None:
        _positive(self, "window", "buckets", "minimum_requests", "open_duration", "max_open_duration")
        _positive(self, "half_open_probes")
        if not 0 < self.error_threshold <= 1:
            raise InvalidResilienceField("error_threshold", "error_threshold must be in (0, 1]")
        if self.max_open_duration < self.open_duration:
            raise InvalidResilienceField("max_open_duration", "max_open_duration must be >= open_duration")
        _statuses("failure_statuses", self.failure_statuses)


@dataclass(frozen=True, slots=True)
class CircuitBreakerOverride:
    """Per-subgraph circuit breaker settings; unset fields come from ``all.circuit_breaker``."""

    enabled: bool | None = field(default=None, metadata=_doc("Overrides all.circuit_breaker.enabled."))
    window: Duration | None = field(default=None, metadata=_doc("Overrides all.circuit_breaker.window."))
    buckets: int | None = field(default=None, metadata=_doc("Overrides all.circuit_breaker.buckets."))
    minimum_requests: int | None = field(
        default=None, metadata=_doc("Overrides all.circuit_breaker.minimum_requests.")
    )
    error_threshold: float | None = field(
        default=None, metadata=_doc("Overrides all.circuit_breaker.error_threshold.")
    )
    failure_statuses: tuple[str, ...] | None = field(
        default=None, metadata=_doc("Overrides all.circuit_breaker.failure_statuses.")
    )
    open_duration: Duration | None = field(
        default=None, metadata=_doc("Overrides all.circuit_breaker.open_duration.")
    )
    max_open_duration: Duration | None = field(
        default=None, metadata=_doc("Overrides all.circuit_breaker.max_open_duration.")
    )
    half_open_probes: int | None = field(
        default=None, metadata=_doc("Overrides all.circuit_breaker.half_open_probes.")
    )

    def __post_init__(self) -> None:
        _positive(self, "window", "buckets", "minimum_requests", "open_duration", "max_open_duration")
        _positive(self, "half_open_probes")
        if self.error_threshold is not None and not 0 < self.error_threshold <= 1:
            raise InvalidResilienceField("error_threshold", "error_threshold must be in (0, 1]")
        if self.failure_statuses is not None:
            _statuses("failure_statuses", self.failure_statuses)


# --- retries ------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RetryConfig:
    """Repeat a failed subgraph call of a query (never a mutation), within a budget."""

    enabled: bool = field(default=True, metadata=_doc("Retry failed subgraph calls of queries."))
    max_attempts: int = field(default=3, metadata=_doc("Attempts in all, the first one included."))
    backoff: Duration = field(
        default=0.05, metadata=_doc("Base delay; attempt n waits a random time in [0, backoff * 2^(n-1)].")
    )
    max_backoff: Duration = field(default=1.0, metadata=_doc("Largest delay before one attempt."))
    statuses: tuple[str, ...] = field(
        default=("429", "502", "503", "504"),
        metadata=_doc("HTTP statuses that are retried (429 and 503 honour Retry-After)."),
    )
    on_timeout: bool = field(
        default=False, metadata=_doc("Also retry a call that timed out (the subgraph may still be working).")
    )
    budget_ratio: float = field(
        default=0.2, metadata=_doc("Retries may add at most this fraction of the subgraph's recent calls.")
    )
    budget_min_per_second: float = field(
        default=10.0, metadata=_doc("Retries always allowed per second, whatever the ratio.")
    )
    budget_window: Duration = field(default=10.0, metadata=_doc("How long calls count towards the budget."))

    def __post_init__(self) -> None:
        _positive(self, "max_attempts", "max_backoff", "budget_window")
        _not_negative(self, "backoff", "budget_ratio", "budget_min_per_second")
        _statuses("statuses", self.statuses)


@dataclass(frozen=True, slots=True)
class RetryOverride:
    """Per-subgraph retry settings; unset fields come from ``all.retry``."""

    enabled: bool | None = field(default=None, metadata=_doc("Overrides all.retry.enabled."))
    max_attempts: int | None = field(default=None, metadata=_doc("Overrides all.retry.max_attempts."))
    backoff: Duration | None = field(default=None, metadata=_doc("Overrides all.retry.backoff."))
    max_backoff: Duration | None = field(default=None, metadata=_doc("Overrides all.retry.max_backoff."))
    statuses: tuple[str, ...] | None = field(default=None, metadata=_doc("Overrides all.retry.statuses."))
    on_timeout: bool | None = field(default=None, metadata=_doc("Overrides all.retry.on_timeout."))
    budget_ratio: float | None = field(default=None, metadata=_doc("Overrides all.retry.budget_ratio."))
    budget_min_per_second: float | None = field(
        default=None, metadata=_doc("Overrides all.retry.budget_min_per_second.")
    )
    budget_window: Duration | None = field(default=None, metadata=_doc("Overrides all.retry.budget_window."))

    def __post_init__(self) -> None:
        _positive(self, "max_attempts", "max_backoff", "budget_window")
        _not_negative(self, "backoff", "budget_ratio", "budget_min_per_second")
        if self.statuses is not None:
            _statuses("statuses", self.statuses)


# --- per-subgraph concurrency -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ConcurrencyConfig:
    """Bound the calls in flight to one subgraph, so a slow subgraph cannot pile up unbounded work."""

    max_in_flight: int = field(
        default=512, metadata=_doc("Calls in flight to the subgraph at once (0: no limit).")
    )
    max_wait: Duration = field(
        default=1.0, metadata=_doc("How long a call may wait for a free slot before failing fast.")
    )

    def __post_init__(self) -> None:
        _not_negative(self, "max_in_flight", "max_wait")


@dataclass(frozen=True, slots=True)
class ConcurrencyOverride:
    """Per-subgraph concurrency settings; unset fields come from ``all.concurrency``."""

    max_in_flight: int | None = field(default=None, metadata=_doc("Overrides all.concurrency.max_in_flight."))
    max_wait: Duration | None = field(default=None, metadata=_doc("Overrides all.concurrency.max_wait."))

    def __post_init__(self) -> None:
        _not_negative(self, "max_in_flight", "max_wait")


# --- gateway-wide load shedding ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RouterTrafficConfig:
    """Gateway-wide admission of client requests: beyond the limit, answer 503 at once instead of queueing."""

    max_concurrent_requests: int = field(
        default=0,
        metadata=_doc(
            "Client GraphQL requests executing at once per process (0: no limit). Beyond it (and "
            "the queue) the gateway answers 503 SERVICE_OVERLOADED with Retry-After."
        ),
    )
    queue_size: int = field(
        default=0, metadata=_doc("Requests that may wait for a free slot beyond max_concurrent_requests.")
    )
    queue_timeout: Duration = field(
        default=1.0, metadata=_doc("How long a queued request may wait before it is shed.")
    )
    retry_after: Duration = field(default=1.0, metadata=_doc("The Retry-After a shed request is told."))

    def __post_init__(self) -> None:
        _not_negative(self, "max_concurrent_requests", "queue_size")
        _positive(self, "queue_timeout", "retry_after")


T = TypeVar("T")


def merge(base: T, override: Any) -> T:
    """``base`` with every field that ``override`` sets (not None) replaced."""
    if override is None:
        return base
    changes = {
        f.name: getattr(override, f.name)
        for f in dataclasses.fields(override)
        if getattr(override, f.name) is not None
    }
    return dataclasses.replace(base, **changes) if changes else base  # type: ignore[type-var]
