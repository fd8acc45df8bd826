"""Circuit breakers: one per subgraph URL, per gateway process.

Why: a subgraph that keeps failing (refused or reset connections, timeouts, 5xx, malformed bodies) should cost
its callers nothing: while its breaker is open every fetch to it fails at once with
``SUBREQUEST_CIRCUIT_OPEN`` and the rest of the response is answered normally. Each process judges the traffic
it sees (no shared state: a worker whose calls fail opens its own breaker), which needs no coordination and
reacts as fast as the traffic does.

States: *closed* counts calls in a rolling window of ``buckets`` buckets; when at least ``minimum_requests``
calls were made and the failure ratio reaches ``error_threshold`` it *opens* for ``open_duration``; then it is
*half-open*: up to ``half_open_probes`` concurrent calls go through (others still fail fast); a probe success
closes it (fresh window), a probe failure reopens it with the open duration doubled, up to
``max_open_duration``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Literal

from gateway.config.resilience import CircuitBreakerConfig
from gateway.transport.window import RollingCounts

log = logging.getLogger("gateway.transport.breaker")

State = Literal["closed", "open", "half_open"]
STATES: tuple[State, ...] = ("closed", "open", "half_open")

# allow() answers: the call may not be made / an ordinary call / a half-open probe
REJECTED = 0
ADMITTED = 1
PROBE = 2

Transition = Callable[[str, str, State, State], None]


class CircuitBreaker:
    """The breaker of one subgraph URL; all methods are synchronous (called from the event loop)."""

    __slots__ = (
        "_calls",
        "_clock",
        "_on_transition",
        "_open_for",
        "_open_until",
        "_probes",
        "config",
        "service",
        "state",
        "url",
    )

    def __init__(
        self,
        service: str,
        url: str,
        config: CircuitBreakerConfig,
        on_transition: Transition | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.service = service
        self.url = url
        self.config = config
        self.state: State = "closed"
        self._clock = clock
        self._on_transition = on_transition
        self._calls = RollingCounts(config.window, config.buckets, clock)  # (calls, failures)
        self._open_for = config.open_duration
        self._open_until = 0.0
        self._probes = 0

    # ---- admission ------------------------------------------------------------------------------------

    def allow(self) -> int:
        """``ADMITTED`` or ``PROBE`` when a call may be made now, else ``REJECTED``."""
        state = self.state
        if state == "closed":
            return ADMITTED
        if state == "open":
            if self._clock() < self._open_until:
                return REJECTED
            self._transition("half_open")
            self._probes = 0
        if self._probes >= self.config.half_open_probes:
            return REJECTED
        self._probes += 1
        return PROBE

    def release(self, ticket: int) -> None:
        """A call that was admitted was not made after all (e.g. no concurrency slot): free its probe."""
        if ticket == PROBE and self.state == "half_open" and self._probes > 0:
            self._probes -= 1

    @property
    def retry_in(self) -> float:
        """Seconds until an open breaker lets probes through (0 when it is not open)."""
        return max(0.0, self._open_until - self._clock()) if self.state == "open" else 0.0

    # ---- outcomes ------------------------------------------------------------------------------------

    def record(self, ticket: int, success: bool) -> None:
        """The outcome of a call admitted with ``ticket``."""
        if ticket == PROBE:
            if self.state != "half_open":
                return  # another probe already decided
            self._probes = max(0, self._probes - 1)
            if success:
                self._calls.clear()
                self._open_for = self.config.open_duration
                self._transition("closed")
            else:
                self._open_for = min(self._open_for * 2, self.config.max_open_duration)
                self._open(self._open_for)
            return
        if self.state != "closed":
            return  # a call admitted before the breaker opened: its outcome is already judged
        if success:
            self._calls.add(1)
            return
        self._calls.add(1, 1)
        total, failures = self._calls.sums()
        if total >= self.config.minimum_requests and failures >= self.config.error_threshold * total:
            self._open(self.config.open_duration)

    # ---- internals ---------------------------------------------------------------------------------------

    def _open(self, duration: float) -> None:
        self._open_until = self._clock() + duration
        self._probes = 0
        self._transition("open")

    def _transition(self, new: State) -> None:
        old = self.state
        if old == new:
            return
        self.state = new
        if new == "open":
            log.warning(
                "circuit breaker of subgraph %r (%s): %s -> open for %.3gs",
                self.service,
                self.url,
                old,
                self._open_until - self._clock(),
            )
        else:
            log.warning("circuit breaker of subgraph %r (%s): %s -> %s", self.service, self.url, old, new)
        if self._on_transition is not None:
            self._on_transition(self.service, self.url, old, new)


class BreakerRegistry:
    """Every breaker of one gateway process, by (subgraph, URL); survives supergraph reloads."""

    def __init__(self, on_transition: Transition | None = None) -> None:
        self._breakers: dict[tuple[str, str], CircuitBreaker] = {}
        self._on_transition = on_transition

    def get(self, service: str, url: str, config: CircuitBreakerConfig) -> CircuitBreaker:
        key = (service, url)
        breaker = self._breakers.get(key)
        if breaker is None or breaker.config != config:
            breaker = CircuitBreaker(service, url, config, self._on_transition)
            self._breakers[key] = breaker
        return breaker

    def retain(self, keys: set[tuple[str, str]]) -> None:
        """Forget the breakers of (subgraph, URL) pairs the current supergraph no longer calls (a reload
        changed a URL): nothing would ever probe them, so they would report a stale state forever."""
        for key in [k for k in self._breakers if k not in keys]:
            del self._breakers[key]

    def states(self) -> dict[str, dict[str, State]]:
        """subgraph name -> URL -> state (``open`` also once its pause is over, until a call probes it)."""
        result: dict[str, dict[str, State]] = {}
        for (service, url), breaker in sorted(self._breakers.items()):
            result.setdefault(service, {})[url] = breaker.state
        return result
