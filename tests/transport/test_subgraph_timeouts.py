"""One code per timeout, against real subgraph servers on 127.0.0.1.

* a subgraph call past its ``traffic_shaping`` timeout: ``SUBGRAPH_TIMEOUT``, a field error naming the
  subgraph in ``extensions.service`` (the rest of the response stands); it counts for the subgraph's breaker;
* the client request past ``server.request_timeout``: HTTP 504 ``GATEWAY_TIMEOUT`` (the HTTP layer);
* a subgraph call cut short by the request's deadline before its own timeout (``ResilientTransport``):
  ``GATEWAY_TIMEOUT``, not retried, and not held against the subgraph's breaker (it was not given its
  timeout).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.app import create_app
from gateway.compose.compose import SubgraphSource, compose
from gateway.config.load import load_config_text
from gateway.config.resilience import CircuitBreakerConfig, ConcurrencyConfig, RetryConfig
from gateway.errors import GATEWAY_TIMEOUT, SUBGRAPH_TIMEOUT
from gateway.pipeline.runner import GatewayPipeline
from gateway.transport.client import SubgraphFetchError, SubgraphTransport
from gateway.transport.resilience import ResilientTransport
from tests.resilience.harness import BOTH_ROOTS, BOTH_ROOTS_DATA, FLAKY_SDL, HEALTHY_SDL, subgraph_specs
from tests.support.subgraph_kit import Fault, SubgraphKit, running_subgraphs


@pytest.fixture
async def kit() -> AsyncIterator[SubgraphKit]:
    async with running_subgraphs(subgraph_specs()) as running:
        yield running


async def _gateway(aiohttp_client: Any, kit: SubgraphKit, config_yaml: str) -> Any:
    result = compose(
        [
            SubgraphSource("healthy", kit.url("healthy"), HEALTHY_SDL),
            SubgraphSource("flaky", kit.url("flaky"), FLAKY_SDL),
        ]
    )
    assert result.supergraph_sdl is not None, result.errors
    config = load_config_text(config_yaml)
    pipeline = GatewayPipeline(config)
    pipeline.load_supergraph(result.supergraph_sdl)
    return await aiohttp_client(create_app(config, pipeline))


async def test_subgraph_timeout_and_request_deadline_have_their_own_codes(
    aiohttp_client: Any, kit: SubgraphKit
) -> None:
    client = await _gateway(
        aiohttp_client,
        kit,
        """
server:
  request_timeout: 1s
traffic_shaping:
  all:
    retry: {enabled: false}
  subgraphs:
    flaky:
      timeout: 300ms
    healthy:
      timeout: 30s
""",
    )
    # the subgraph's own timeout: a field error, the rest of the response is answered
    await kit.set_fault("flaky", Fault("hang"))
    response = await client.post("/graphql", json={"query": BOTH_ROOTS})
    assert response.status == 200
    body = await response.json()
    assert body["data"] == {"hello": "world", "flaky": None}
    [error] = body["errors"]
    assert error["extensions"] == {"service": "flaky", "code": SUBGRAPH_TIMEOUT}
    assert error["message"] == "HTTP fetch failed from 'flaky': request timed out after 0.3s"

    # the whole request's deadline (a subgraph allowed 30 s hangs): 504 from the HTTP layer, no data
    await kit.set_fault("flaky", None)
    await kit.set_fault("healthy", Fault("hang"))
    response = await client.post("/graphql", json={"query": BOTH_ROOTS})
    assert response.status == 504
    body = await response.json(content_type=None)
    assert "data" not in body
    assert [e["extensions"]["code"] for e in body["errors"]] == [GATEWAY_TIMEOUT]

    await kit.set_fault("healthy", None)
    response = await client.post("/graphql", json={"query": BOTH_ROOTS})
    assert await response.json() == {"data": BOTH_ROOTS_DATA}


def _resilient(kit: SubgraphKit, retry: RetryConfig) -> tuple[ResilientTransport, Any]:
    transport = ResilientTransport(SubgraphTransport())
    guard = transport.guard(
        "flaky",
        kit.url("flaky"),
        CircuitBreakerConfig(minimum_requests=1),  # one failure opens it
        retry,
        ConcurrencyConfig(),
    )
    return transport, guard


async def test_a_subgraph_timeout_is_subgraph_timeout_and_a_breaker_failure(kit: SubgraphKit) -> None:
    transport, guard = _resilient(kit, RetryConfig(enabled=False))
    await kit.set_fault("flaky", Fault("hang"))
    try:
        with pytest.raises(SubgraphFetchError) as caught:
            await transport.call(guard, b'{"query":"{flaky}"}', {}, 0.2, True, None)
        assert caught.value.code == SUBGRAPH_TIMEOUT
        assert caught.value.service == "flaky"
        assert transport.breakers.states() == {"flaky": {kit.url("flaky"): "open"}}
    finally:
        await transport.transport.close()


async def test_a_call_cut_short_by_the_request_deadline_is_gateway_timeout_and_not_judged(
    kit: SubgraphKit,
) -> None:
    transport, guard = _resilient(kit, RetryConfig(backoff=0.0, on_timeout=True))
    await kit.set_fault("flaky", Fault("hang"))
    loop = asyncio.get_running_loop()
    try:
        started = loop.time()
        with pytest.raises(SubgraphFetchError) as caught:
            # the subgraph may take 30 s, but the client request must be answered within 0.2 s
            await transport.call(guard, b'{"query":"{flaky}"}', {}, 30.0, True, started + 0.2)
        assert 0.15 <= loop.time() - started < 1.0
        error = caught.value
        assert error.code == GATEWAY_TIMEOUT
        assert "the client request's deadline passed during the call" in error.message
        assert error.attempts == 1
        assert len(kit.requests("flaky")) == 1, "no time left: not retried, even with on_timeout"
        # the subgraph was not given its own timeout: no judgement (one failure would have opened it)
        assert transport.breakers.states() == {"flaky": {kit.url("flaky"): "closed"}}
    finally:
        await transport.transport.close()
