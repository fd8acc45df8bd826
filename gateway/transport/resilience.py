"""Subgraph calls that contain failures: breaker, concurrency bound, retries within a budget, deadline.

Why one place: every real HTTP call to a subgraph goes through ``ResilientTransport.call`` (below in-flight
coalescing, so a coalesced call is admitted, bounded and retried once for all its waiters). The order of the
checks is the contract documented in docs/resilience.md:

1. the breaker of the subgraph URL admits the call (else ``SUBREQUEST_CIRCUIT_OPEN`` at once);
2. a concurrency slot frees within ``concurrency.max_wait`` (else ``SUBGRAPH_OVERLOADED`` at once);
3. the call gets the subgraph timeout, or what is left of the client request's deadline if that is less;
   past the subgraph timeout it fails with ``SUBGRAPH_TIMEOUT``, cut short by the request's deadline with
   ``GATEWAY_TIMEOUT`` (the subgraph was not given its own timeout, so that call is not judged: see 4);
4. the outcome is judged: refused/reset connections, timeouts, statuses in ``failure_statuses`` and malformed
   bodies are breaker failures; GraphQL errors in a 2xx (or a GraphQL 4xx) answer are not, nor is an answer
   over ``max_response_bytes`` (the subgraph answered: it is judged by its status), nor a call the request's
   deadline cut short (released like a cancelled call);
5. a query's call (never anything of a mutation plan) is retried on a connection error (refused, reset, or
   a body cut off: no complete response; harmless for a query),
   on a status in ``retry.statuses`` (honouring ``Retry-After``) and, if configured, on a subgraph timeout;
   at most ``max_attempts`` attempts, full-jitter exponential backoff, never past the deadline, never while
   the breaker is open, and only while the subgraph's retry budget allows. An answer over
   ``max_response_bytes`` is never retried: the same query would get the same answer.
"""

from __future__ import annotations

import asyncio
import random
from dataclasses import dataclass
from typing import Any

from gateway.config.resilience import CircuitBreakerConfig, ConcurrencyConfig, RetryConfig, status_matcher
from gateway.errors import (
    GATEWAY_TIMEOUT,
    SUBGRAPH_OVERLOADED,
    SUBGRAPH_TIMEOUT,
    SUBREQUEST_CIRCUIT_OPEN,
    SUBREQUEST_MALFORMED_RESPONSE,
    SUBREQUEST_RESPONSE_TOO_LARGE,
)
from gateway.telemetry.metrics import NOOP_METRICS, Metrics
from gateway.transport.breaker import ADMITTED, REJECTED, BreakerRegistry, CircuitBreaker
from gateway.transport.client import (
    DEFAULT_MAX_RESPONSE_BYTES,
    SubgraphFetchError,
    SubgraphTransport,
    decode_response,
)
from gateway.transport.limits import ConcurrencyLimiter, RetryBudget

# A Retry-After longer than this is not waited for: the call fails with the subgraph's answer instead.
_MAX_RETRY_AFTER = 30.0


@dataclass(slots=True)
class SubgraphGuard:
    """Everything that judges calls to one subgraph URL (kept across supergraph reloads)."""

    service: str
    url: str
    breaker: CircuitBreaker | None
    limiter: ConcurrencyLimiter | None
    retry: RetryConfig
    budget: RetryBudget | None
    failure_statuses: frozenset[int]
    retry_statuses: frozenset[int]
    # what the guard was built from: a reload with the same settings keeps the guard (and its state)
    settings: tuple[CircuitBreakerConfig, RetryConfig, ConcurrencyConfig]


class ResilientTransport:
    """Wraps the pooled HTTP transport with the per-subgraph guards."""

    def __init__(self, transport: SubgraphTransport, metrics: Metrics = NOOP_METRICS) -> None:
        self.transport = transport
        self.metrics = metrics
        self.breakers = BreakerRegistry(self._on_transition)
        self._guards: dict[tuple[str, str], SubgraphGuard] = {}
        metrics.watch_breakers(self.breakers.states)

    def _on_transition(self, service: str, _url: str, _old: str, new: str) -> None:
        self.metrics.breaker_transition(service, new)  # type: ignore[arg-type]

    def guard(
        self,
        service: str,
        url: str,
        breaker: CircuitBreakerConfig,
        retry: RetryConfig,
        concurrency: ConcurrencyConfig,
    ) -> SubgraphGuard:
        """The guard of one subgraph URL; the same object (and state) for the same settings."""
        key = (service, url)
        settings = (breaker, retry, concurrency)
        found = self._guards.get(key)
        if found is not None and found.settings == settings:
            return found
        guard = SubgraphGuard(
            service=service,
            url=url,
            breaker=self.breakers.get(service, url, breaker) if breaker.enabled else None,
            limiter=ConcurrencyLimiter(concurrency.max_in_flight, concurrency.max_wait)
            if concurrency.max_in_flight
            else None,
            retry=retry,
            budget=RetryBudget(retry.budget_ratio, retry.budget_min_per_second, retry.budget_window)
            if retry.enabled and retry.max_attempts > 1
            else None,
            failure_statuses=status_matcher(breaker.failure_statuses),
            retry_statuses=status_matcher(retry.statuses),
            settings=settings,
        )
        self._guards[key] = guard
        return guard

    def retain(self, keys: set[tuple[str, str]]) -> None:
        """Keep only the guards (and breakers) of the (subgraph, URL) pairs in use after a reload."""
        for key in [k for k in self._guards if k not in keys]:
            del self._guards[key]
        self.breakers.retain(keys)

    async def call(
        self,
        guard: SubgraphGuard,
        body: bytes,
        headers: Any,
        timeout: float,  # noqa: ASYNC109 - the subgraph's own limit, capped by the deadline inside
        retryable: bool,
        deadline: float | None,
        max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> tuple[int, str, bytes, dict[str, Any]]:
        """One logical subgraph call: (status, reason, raw body, decoded response). Raises
        ``SubgraphFetchError`` with the code of whatever stopped it (``attempts`` set on the error).
        ``max_bytes`` is the subgraph's ``max_response_bytes`` (passed on to the HTTP transport)."""
        service = guard.service
        breaker = guard.breaker
        limiter = guard.limiter
        budget = guard.budget if retryable else None
        loop = asyncio.get_running_loop()
        attempt = 0
        while True:
            attempt += 1
            ticket = breaker.allow() if breaker is not None else ADMITTED
            if ticket == REJECTED:
                assert breaker is not None
                self.metrics.subgraph_rejected(service, "circuit_open")
                raise _attempted(
                    SubgraphFetchError(
                        service,
                        SUBREQUEST_CIRCUIT_OPEN,
                        f"HTTP fetch failed from '{service}': circuit breaker is open after repeated "
                        f"failures (next probe in {breaker.retry_in:.1f}s)",
                    ),
                    attempt - 1,
                )
            if attempt == 1 and budget is not None:
                budget.record_call()  # only calls the breaker admitted earn retry budget
            left = None if deadline is None else deadline - loop.time()
            if left is not None and left <= 0:
                if breaker is not None:
                    breaker.release(ticket)
                raise _attempted(_deadline_error(service), attempt - 1)
            try:
                slot = (
                    limiter is None
                    or limiter.try_acquire()  # the common case: a free slot, no coroutine needed
                    or await limiter.acquire(left)
                )
            except asyncio.CancelledError:
                if breaker is not None:
                    breaker.release(ticket)  # a cancelled probe never reports: free its probe slot
                raise
            if not slot:
                assert limiter is not None
                if breaker is not None:
                    breaker.release(ticket)
                self.metrics.subgraph_rejected(service, "overloaded")
                raise _attempted(
                    SubgraphFetchError(
                        service,
                        SUBGRAPH_OVERLOADED,
                        f"HTTP fetch failed from '{service}': {limiter.limit} calls already in flight "
                        f"and none finished within {limiter.max_wait:g}s",
                    ),
                    attempt - 1,
                )
            retry_after: str | None = None
            held = limiter is not None
            call_timeout = timeout if left is None else min(timeout, max(left, 0.001))
            capped = call_timeout < timeout  # the request's deadline comes before the subgraph's timeout
            try:
                status, reason, raw, retry_after = await self.transport.fetch(
                    service, guard.url, body, headers, call_timeout, max_bytes
                )
            except SubgraphFetchError as error:
                if limiter is not None:
                    limiter.release()  # before any backoff: a waiting retry holds no slot
                    held = False
                timed_out = error.code == SUBGRAPH_TIMEOUT
                if timed_out and capped:
                    # not the subgraph's timeout but the client request's deadline: no time is left to retry,
                    # and a subgraph not given its own timeout is not judged (as a cancelled call is not)
                    if breaker is not None:
                        breaker.release(ticket)
                    raise _attempted(_deadline_error(service, call_timeout), attempt) from None
                if error.code == SUBREQUEST_RESPONSE_TOO_LARGE:
                    # the subgraph answered (judged by its status); the same query would get the same answer
                    if breaker is not None:
                        breaker.record(ticket, error.status not in guard.failure_statuses)
                    raise _attempted(error, attempt) from None
                if breaker is not None:
                    breaker.record(ticket, False)
                if (
                    budget is not None
                    and (not timed_out or guard.retry.on_timeout)
                    and await self._may_retry(guard, budget, attempt, None, deadline, loop)
                ):
                    continue
                raise _attempted(error, attempt) from None
            except asyncio.CancelledError:
                # the client request was cancelled (its deadline passed) during the call: no outcome to
                # judge, but a probe must give its slot back, or a half-open breaker rejects calls forever
                if breaker is not None:
                    breaker.release(ticket)
                raise
            finally:
                if held and limiter is not None:
                    limiter.release()
            failed = status in guard.failure_statuses
            if budget is not None and status in guard.retry_statuses:
                if breaker is not None:
                    breaker.record(ticket, not failed)
                if await self._may_retry(guard, budget, attempt, retry_after, deadline, loop):
                    continue
                try:
                    decoded = decode_response(service, status, reason, raw)
                except SubgraphFetchError as error:
                    raise _attempted(error, attempt) from None
                return status, reason, raw, decoded
            try:
                decoded = decode_response(service, status, reason, raw)
            except SubgraphFetchError as error:
                if breaker is not None:
                    breaker.record(ticket, not (failed or error.code == SUBREQUEST_MALFORMED_RESPONSE))
                raise _attempted(error, attempt) from None
            if breaker is not None:
                breaker.record(ticket, not failed)
            return status, reason, raw, decoded

    async def _may_retry(
        self,
        guard: SubgraphGuard,
        budget: RetryBudget,
        attempt: int,
        retry_after: str | None,
        deadline: float | None,
        loop: asyncio.AbstractEventLoop,
    ) -> bool:
        """Wait before the next attempt and say True, or say False when no retry is allowed."""
        retry = guard.retry
        if attempt >= retry.max_attempts:
            return False
        if guard.breaker is not None and guard.breaker.state == "open":
            return False
        delay = random.uniform(0.0, min(retry.max_backoff, retry.backoff * (2 ** (attempt - 1))))
        told = _seconds(retry_after)
        if told is not None:
            if told > _MAX_RETRY_AFTER:
                return False
            delay = max(delay, told)
        if deadline is not None and loop.time() + delay >= deadline:
            return False
        if not budget.try_spend():
            self.metrics.subgraph_retry(guard.service, "budget_exhausted")
            return False
        self.metrics.subgraph_retry(guard.service, "retried")
        if delay > 0:
            await asyncio.sleep(delay)
        return True


def _seconds(retry_after: str | None) -> float | None:
    """Retry-After in seconds (the delta-seconds form; an HTTP date is ignored)."""
    if not retry_after:
        return None
    try:
        value = float(retry_after.strip())
    except ValueError:
        return None
    return value if value >= 0 else None


def _deadline_error(service: str, given: float | None = None) -> SubgraphFetchError:
    """``GATEWAY_TIMEOUT``: the client request's deadline (``server.request_timeout``) stopped the call,
    before it started or (``given``: the seconds it had left) while it ran."""
    when = "before the call" if given is None else f"during the call (it had {given:.3g}s left)"
    return SubgraphFetchError(
        service,
        GATEWAY_TIMEOUT,
        f"HTTP fetch failed from '{service}': the client request's deadline passed {when}",
    )


def _attempted(error: SubgraphFetchError, attempts: int) -> SubgraphFetchError:
    """Note how many attempts were made (shown in the error when there was more than one)."""
    error.attempts = attempts
    if attempts > 1 and "attempts)" not in error.message:
        error.message = f"{error.message} (after {attempts} attempts)"
    return error
