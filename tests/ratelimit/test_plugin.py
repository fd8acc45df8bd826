"""Rate limiting through the real gateway (in-process) and real subgraphs: 429, headers, Redis failures."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import pytest

from gateway.config.model import Config
from gateway.config.policies import RateLimitConfig, RateLimitTier
from gateway.keys import PIPELINE_KEY
from gateway.pipeline.context import RequestContext
from gateway.pipeline.types import GraphQLRequest
from gateway.ratelimit.plugin import RateLimitPlugin, client_key
from tests.demand.support import GRJ, gateway_client, subgraph_specs
from tests.ratelimit.support import REDIS_URL, private_redis, require_redis, unique_prefix
from tests.support.ports import free_port, unused_port
from tests.support.subgraph_kit import running_subgraphs

TWO = {"query": "{ products(first: 2) { id } }"}  # estimated cost 2


@pytest.fixture
async def kit() -> Any:
    async with running_subgraphs(subgraph_specs()) as running:
        yield running


def limited(**changes: Any) -> Config:
    tiers = MappingProxyType({"default": RateLimitTier(capacity=5, refill_per_second=0.01)})
    options: dict[str, Any] = {"enabled": True, "tiers": tiers, **changes}
    return Config(rate_limit=RateLimitConfig(**options))


def plugin_of(client: Any) -> RateLimitPlugin:
    plugins = client.server.app[PIPELINE_KEY].plugins
    return next(p for p in plugins if isinstance(p, RateLimitPlugin))


async def test_budget_in_cost_units_then_429(aiohttp_client: Any, kit: Any) -> None:
    client = await gateway_client(aiohttp_client, limited(), kit.urls)
    first = await client.post("/graphql", json=TWO, headers=GRJ)
    assert first.status == 200
    assert (first.headers["RateLimit-Limit"], first.headers["RateLimit-Remaining"]) == ("5", "3")
    assert first.headers["RateLimit-Reset"] == "200"  # 2 units at 0.01/s until full again
    second = await client.post("/graphql", json=TWO, headers=GRJ)
    assert second.headers["RateLimit-Remaining"] == "1"
    third = await client.post("/graphql", json=TWO, headers=GRJ)
    assert third.status == 429
    assert third.headers["Retry-After"] == "100"  # one unit missing at 0.01/s
    assert third.headers["RateLimit-Remaining"] == "1"
    body = await third.json()
    assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert "data" not in body
    assert len(kit.requests()) == 2, "the refused operation must not reach a subgraph"
    # A cheap operation (cost 0) still pays the minimum of 1 and fits in the remaining unit.
    cheap = await client.post("/graphql", json={"query": "{ __typename }"}, headers=GRJ)
    assert (cheap.status, cheap.headers["RateLimit-Remaining"]) == (200, "0")


async def test_legacy_json_also_gets_429(aiohttp_client: Any, kit: Any) -> None:
    client = await gateway_client(aiohttp_client, limited(), kit.urls)
    statuses = [(await client.post("/graphql", json=TWO)).status for _ in range(3)]
    assert statuses == [200, 200, 429]


@dataclass
class FakePrincipal:
    """Stands in for the authentication plugin's Principal (same attribute names)."""

    authenticated: bool = True
    subject: str | None = None
    client_id: str | None = None
    scopes: frozenset[str] = frozenset()
    tier: str | None = None
    source: str = "jwt"


def context(principal: Any, address: str = "10.0.0.1") -> RequestContext:
    return RequestContext(
        request=GraphQLRequest("{ a }", client_address=address), snapshot=None, principal=principal
    )


def test_client_key_prefers_subject_then_client_id_then_ip() -> None:
    assert client_key(context(FakePrincipal(subject="u1", client_id="app"))) == "sub:u1"
    assert client_key(context(FakePrincipal(client_id="app", source="api_key"))) == "client:app"
    assert client_key(context(FakePrincipal(authenticated=False))) == "ip:10.0.0.1"
    assert client_key(context(None, "192.0.2.7")) == "ip:192.0.2.7"


async def test_tiers_by_principal() -> None:
    tiers = MappingProxyType(
        {"free": RateLimitTier(capacity=2, refill_per_second=0.01), "pro": RateLimitTier(100, 1)}
    )
    plugin = RateLimitPlugin(RateLimitConfig(enabled=True, tiers=tiers, default_tier="free"))
    assert plugin.tier(context(FakePrincipal(subject="a", tier="pro")))[0] == "pro"
    assert plugin.tier(context(FakePrincipal(subject="a", tier="gold")))[0] == "free"  # unknown tier
    assert plugin.tier(context(None))[0] == "free"
    pro = context(FakePrincipal(subject="p", tier="pro"))
    free = context(FakePrincipal(subject="f", tier="free"))
    for _ in range(2):
        assert await plugin.on_operation(free) is None
    refused = await plugin.on_operation(free)
    assert refused is not None
    assert refused.http_status == 429
    for _ in range(50):
        assert await plugin.on_operation(pro) is None
    assert pro.response_headers["RateLimit-Limit"] == "100"


@pytest.mark.redis
async def test_shared_redis_bucket(aiohttp_client: Any, kit: Any) -> None:
    require_redis()
    with unique_prefix() as prefix:
        config = limited(redis_url=REDIS_URL, key_prefix=prefix)
        one = await gateway_client(aiohttp_client, config, kit.urls)
        two = await gateway_client(aiohttp_client, config, kit.urls)  # a second pipeline, same Redis
        assert (await one.post("/graphql", json=TWO, headers=GRJ)).status == 200
        assert (await two.post("/graphql", json=TWO, headers=GRJ)).status == 200
        refused = await one.post("/graphql", json=TWO, headers=GRJ)
        assert refused.status == 429
        assert refused.headers["RateLimit-Remaining"] == "1"


@pytest.mark.parametrize(("mode", "status"), [("allow", 200), ("deny", 429)])
async def test_redis_down(aiohttp_client: Any, kit: Any, caplog: Any, mode: str, status: int) -> None:
    config = limited(redis_url=f"redis://127.0.0.1:{unused_port()}/0", on_redis_error=mode)
    client = await gateway_client(aiohttp_client, config, kit.urls)
    caplog.set_level(logging.WARNING, logger="gateway.ratelimit")
    for _ in range(3):
        response = await client.post("/graphql", json=TWO, headers=GRJ)
        assert response.status == status
        assert "RateLimit-Remaining" not in response.headers
        if mode == "deny":
            body = await response.json()
            assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
            assert response.headers["Retry-After"] == "1"
    assert plugin_of(client).redis_errors == 3
    assert caplog.text.count("rate limit store unavailable") == 1, "failures are logged at a bounded rate"
    assert len(kit.requests()) == (3 if mode == "allow" else 0)


async def test_redis_timeout_fails_fast(aiohttp_client: Any, kit: Any) -> None:
    """A Redis that accepts connections but never answers: each request waits ~redis_timeout, no more."""

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(1 << 16)
        await asyncio.sleep(30)

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        config = limited(redis_url=f"redis://127.0.0.1:{port}/0", on_redis_error="allow", redis_timeout=0.05)
        client = await gateway_client(aiohttp_client, config, kit.urls)
        started = time.perf_counter()
        response = await client.post("/graphql", json=TWO, headers=GRJ)
        assert response.status == 200
        assert time.perf_counter() - started < 1.0
        assert plugin_of(client).redis_errors == 1
    finally:
        server.close()
        await server.wait_closed()


@pytest.mark.redis
async def test_recovers_when_redis_comes_back(aiohttp_client: Any, kit: Any) -> None:
    port = free_port()
    config = limited(redis_url=f"redis://127.0.0.1:{port}/0", on_redis_error="deny")
    with private_redis(port):
        client = await gateway_client(aiohttp_client, config, kit.urls)
        ok = await client.post("/graphql", json=TWO, headers=GRJ)
        assert (ok.status, ok.headers["RateLimit-Remaining"]) == (200, "3")
    down = await client.post("/graphql", json=TWO, headers=GRJ)
    assert down.status == 429  # fail closed while Redis is gone
    with private_redis(port):  # a fresh, empty Redis on the same port
        back = await client.post("/graphql", json=TWO, headers=GRJ)
        assert (back.status, back.headers["RateLimit-Remaining"]) == (200, "3")
