"""ResilientTransport.call: the order of its checks and its retry rules, on a scripted transport.

The end-to-end behaviour against real misbehaving subgraph servers is in tests/resilience; these tests pin the
decision logic exactly (attempt counts, codes, what is never retried) without timing noise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import pytest

from gateway.config.resilience import CircuitBreakerConfig, ConcurrencyConfig, RetryConfig
from gateway.errors import (
    SUBGRAPH_OVERLOADED,
    SUBGRAPH_TIMEOUT,
    SUBREQUEST_CIRCUIT_OPEN,
    SUBREQUEST_HTTP_ERROR,
)
from gateway.transport.client import DEFAULT_MAX_RESPONSE_BYTES, SubgraphFetchError, SubgraphTransport
from gateway.transport.resilience import ResilientTransport, SubgraphGuard

OK = (200, "OK", b'{"data":{"a":1}}', None)


class Scripted(SubgraphTransport):
    """Answers from a script: each item is a response tuple or an exception to raise."""

    def __init__(self, script: list[Any]) -> None:
        super().__init__()
        self.script = list(script)
        self.calls: list[float] = []

    async def fetch(  # type: ignore[override]
        self,
        service: str,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        timeout: float,  # noqa: ASYNC109
        max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> tuple[int, str, bytes, str | None]:
        self.calls.append(timeout)
        item = self.script.pop(0) if len(self.script) > 1 else self.script[0]
        if isinstance(item, Exception):
            raise item
        if isinstance(item, float):
            await asyncio.sleep(item)
            return OK
        return item  # type: ignore[no-any-return]


def refused() -> SubgraphFetchError:
    return SubgraphFetchError("a", SUBREQUEST_HTTP_ERROR, "HTTP fetch failed from 'a': refused")


def guard(
    transport: ResilientTransport,
    *,
    breaker: CircuitBreakerConfig | None = None,
    retry: RetryConfig | None = None,
    concurrency: ConcurrencyConfig | None = None,
) -> SubgraphGuard:
    return transport.guard(
        "a",
        "http://a",
        breaker or CircuitBreakerConfig(),
        retry or RetryConfig(backoff=0.0),
        concurrency or ConcurrencyConfig(),
    )


async def test_retries_a_refused_connection_then_succeeds() -> None:
    scripted = Scripted([refused(), refused(), OK])
    transport = ResilientTransport(scripted)
    status, _, _, decoded = await transport.call(guard(transport), b"{}", {}, 5.0, True, None)
    assert (status, decoded) == (200, {"data": {"a": 1}})
    assert len(scripted.calls) == 3


async def test_gives_up_after_max_attempts_and_says_so() -> None:
    scripted = Scripted([(503, "Unavailable", b"", None)])
    transport = ResilientTransport(scripted)
    with pytest.raises(SubgraphFetchError) as caught:
        await transport.call(guard(transport), b"{}", {}, 5.0, True, None)
    assert len(scripted.calls) == 3
    assert caught.value.attempts == 3
    assert caught.value.message.endswith("(after 3 attempts)")
    assert caught.value.code == SUBREQUEST_HTTP_ERROR


async def test_never_retries_what_is_not_retryable() -> None:
    for script in ([refused()], [(503, "Unavailable", b"", None)]):
        scripted = Scripted(script)
        transport = ResilientTransport(scripted)
        with pytest.raises(SubgraphFetchError):
            await transport.call(guard(transport), b"{}", {}, 5.0, False, None)  # a mutation plan's fetch
        assert len(scripted.calls) == 1
    # a 500 is not in retry.statuses, a GraphQL error in a 200 is an answer
    scripted = Scripted([(500, "Error", b"", None)])
    transport = ResilientTransport(scripted)
    with pytest.raises(SubgraphFetchError):
        await transport.call(guard(transport), b"{}", {}, 5.0, True, None)
    assert len(scripted.calls) == 1
    scripted = Scripted([(200, "OK", b'{"errors":[{"message":"no"}]}', None)])
    transport = ResilientTransport(scripted)
    await transport.call(guard(transport), b"{}", {}, 5.0, True, None)
    assert len(scripted.calls) == 1


async def test_timeouts_are_retried_only_when_configured() -> None:
    timeout = SubgraphFetchError("a", SUBGRAPH_TIMEOUT, "timed out")
    scripted = Scripted([timeout, OK])
    transport = ResilientTransport(scripted)
    with pytest.raises(SubgraphFetchError):
        await transport.call(guard(transport), b"{}", {}, 5.0, True, None)
    assert len(scripted.calls) == 1
    scripted = Scripted([timeout, OK])
    transport = ResilientTransport(scripted)
    g = guard(transport, retry=RetryConfig(backoff=0.0, on_timeout=True))
    await transport.call(g, b"{}", {}, 5.0, True, None)
    assert len(scripted.calls) == 2


async def test_retry_after_is_honoured_and_never_past_the_deadline() -> None:
    loop = asyncio.get_running_loop()
    scripted = Scripted([(503, "Unavailable", b"", "0.2"), OK])
    transport = ResilientTransport(scripted)
    started = loop.time()
    await transport.call(guard(transport), b"{}", {}, 5.0, True, None)
    assert loop.time() - started >= 0.19
    scripted = Scripted([(503, "Unavailable", b"", "5"), OK])
    transport = ResilientTransport(scripted)
    with pytest.raises(SubgraphFetchError):
        await transport.call(guard(transport), b"{}", {}, 5.0, True, loop.time() + 1.0)
    assert len(scripted.calls) == 1  # waiting 5 s would pass the request's deadline


async def test_the_call_gets_at_most_what_is_left_of_the_deadline() -> None:
    loop = asyncio.get_running_loop()
    scripted = Scripted([OK])
    transport = ResilientTransport(scripted)
    await transport.call(guard(transport), b"{}", {}, 30.0, True, loop.time() + 2.0)
    assert 1.5 < scripted.calls[0] <= 2.0


async def test_open_breaker_fails_fast_without_a_call() -> None:
    scripted = Scripted([(502, "Bad Gateway", b"", None)])
    transport = ResilientTransport(scripted)
    g = guard(transport, breaker=CircuitBreakerConfig(minimum_requests=2), retry=RetryConfig(enabled=False))
    for _ in range(2):
        with pytest.raises(SubgraphFetchError):
            await transport.call(g, b"{}", {}, 5.0, True, None)
    assert transport.breakers.states() == {"a": {"http://a": "open"}}
    with pytest.raises(SubgraphFetchError) as caught:
        await transport.call(g, b"{}", {}, 5.0, True, None)
    assert caught.value.code == SUBREQUEST_CIRCUIT_OPEN
    assert len(scripted.calls) == 2


async def test_malformed_bodies_count_as_breaker_failures_graphql_errors_do_not() -> None:
    transport = ResilientTransport(Scripted([(200, "OK", b"<html>", None)]))
    g = guard(transport, breaker=CircuitBreakerConfig(minimum_requests=2), retry=RetryConfig(enabled=False))
    for _ in range(2):
        with pytest.raises(SubgraphFetchError):
            await transport.call(g, b"{}", {}, 5.0, True, None)
    assert transport.breakers.states()["a"]["http://a"] == "open"
    transport = ResilientTransport(Scripted([(200, "OK", b'{"errors":[{"message":"x"}]}', None)]))
    g = guard(transport, breaker=CircuitBreakerConfig(minimum_requests=2))
    for _ in range(5):
        await transport.call(g, b"{}", {}, 5.0, True, None)
    assert transport.breakers.states()["a"]["http://a"] == "closed"


async def test_full_concurrency_bound_fails_fast() -> None:
    scripted = Scripted([0.3])
    transport = ResilientTransport(scripted)
    g = guard(transport, concurrency=ConcurrencyConfig(max_in_flight=1, max_wait=0.05))
    first = asyncio.create_task(transport.call(g, b"{}", {}, 5.0, True, None))
    await asyncio.sleep(0.01)
    with pytest.raises(SubgraphFetchError) as caught:
        await transport.call(g, b"{}", {}, 5.0, True, None)
    assert caught.value.code == SUBGRAPH_OVERLOADED
    await first
    assert len(scripted.calls) == 1


async def test_the_same_settings_keep_the_same_guard_across_reloads() -> None:
    transport = ResilientTransport(Scripted([OK]))
    assert guard(transport) is guard(transport)
    assert guard(transport, retry=RetryConfig(max_attempts=5)) is not guard(transport)
