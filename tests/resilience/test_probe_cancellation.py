"""Regression: a half-open probe cancelled with its client request (deadline passed) frees its probe slot.

Found end to end (``test_concurrency_and_deadline.py``): the HTTP layer cancels the pipeline when
``server.request_timeout`` expires, so a probe still waiting for its subgraph never records an outcome. Before
the fix its slot stayed taken and, once ``half_open_probes`` such probes had been cut, the breaker stayed
half-open for the life of the process, rejecting every call (``next probe in 0.0s``) even after the subgraph
had recovered. Here the two places a probe can be cancelled are pinned on ``ResilientTransport`` directly:
during the HTTP call and while waiting for a concurrency slot.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from typing import Any

import pytest

from gateway.config.resilience import CircuitBreakerConfig, ConcurrencyConfig, RetryConfig
from gateway.transport.client import DEFAULT_MAX_RESPONSE_BYTES, SubgraphFetchError, SubgraphTransport
from gateway.transport.resilience import ResilientTransport

OK = (200, "OK", b'{"data":{"a":1}}', None)
BAD = (502, "Bad Gateway", b"", None)


class Scripted(SubgraphTransport):
    """Each call takes the next (delay, answer) of the script."""

    def __init__(self, script: list[tuple[float, Any]]) -> None:
        super().__init__()
        self.script = list(script)
        self.calls = 0

    async def fetch(  # type: ignore[override]
        self,
        service: str,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        timeout: float,  # noqa: ASYNC109
        max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> tuple[int, str, bytes, str | None]:
        self.calls += 1
        delay, answer = self.script.pop(0)
        await asyncio.sleep(delay)
        return answer  # type: ignore[no-any-return]


BREAKER = CircuitBreakerConfig(minimum_requests=1, open_duration=0.05, max_open_duration=0.05)


async def _open(transport: ResilientTransport, guard: Any) -> None:
    with pytest.raises(SubgraphFetchError):
        await transport.call(guard, b"{}", {}, 5.0, True, None)
    assert transport.breakers.states()["a"]["http://a"] == "open"
    await asyncio.sleep(0.06)


async def test_a_probe_cancelled_during_its_call_frees_its_slot() -> None:
    scripted = Scripted([(0.0, BAD), (10.0, OK), (0.0, OK)])
    transport = ResilientTransport(scripted)
    guard = transport.guard(
        "a",
        "http://a",
        dataclasses.replace(BREAKER, half_open_probes=1),
        RetryConfig(enabled=False),
        ConcurrencyConfig(),
    )
    await _open(transport, guard)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(transport.call(guard, b"{}", {}, 30.0, True, None), 0.05)
    assert transport.breakers.states()["a"]["http://a"] == "half_open"
    # the next call is a probe again (before the fix: SUBREQUEST_CIRCUIT_OPEN, for ever)
    await transport.call(guard, b"{}", {}, 5.0, True, None)
    assert transport.breakers.states()["a"]["http://a"] == "closed"
    assert scripted.calls == 3


async def test_a_probe_cancelled_while_waiting_for_a_slot_frees_its_slot() -> None:
    scripted = Scripted([(0.0, BAD), (0.3, OK), (0.0, OK)])
    transport = ResilientTransport(scripted)
    guard = transport.guard(
        "a",
        "http://a",
        dataclasses.replace(BREAKER, half_open_probes=2),
        RetryConfig(enabled=False),
        ConcurrencyConfig(max_in_flight=1, max_wait=1.0),
    )
    await _open(transport, guard)
    first = asyncio.create_task(transport.call(guard, b"{}", {}, 5.0, True, None))  # probe 1 holds the slot
    await asyncio.sleep(0.01)
    with pytest.raises(TimeoutError):  # probe 2 waits for the slot and is cancelled
        await asyncio.wait_for(transport.call(guard, b"{}", {}, 5.0, True, None), 0.05)
    # probe 2's slot is free again: a third call is admitted as a probe (it waits for the concurrency slot)
    third = await transport.call(guard, b"{}", {}, 5.0, True, None)
    assert third[0] == 200
    await first
    assert scripted.calls == 3
