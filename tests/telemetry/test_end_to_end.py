"""Metrics through the real gateway app (aiohttp test client) and real subgraph servers on 127.0.0.1.

Each test makes a few requests, then scrapes ``GET /metrics`` over HTTP and parses the exposition text with
prometheus-client's own parser, so the assertions are about what Prometheus would see.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.app import create_app
from gateway.config.load import load_config_text
from gateway.pipeline.runner import GatewayPipeline
from gateway.supergraph.model import load_supergraph
from gateway.telemetry.metrics import NOOP_METRICS
from tests.auth.harness import AUDIENCE, HMAC_SECRET, ISSUER, sign
from tests.demand.support import GRJ, SUPERGRAPH_SDL, subgraph_specs
from tests.support.ports import unused_port
from tests.support.subgraph_kit import Fault, SubgraphKit, running_subgraphs

SPANNING = {"query": "{ products(first: 3) { name reviews(first: 5) { stars } } }"}
ONE = {"query": "{ products(first: 1) { id } }"}


@pytest.fixture
async def kit() -> AsyncIterator[SubgraphKit]:
    async with running_subgraphs(subgraph_specs()) as running:
        yield running


async def gateway(aiohttp_client: Any, kit: SubgraphKit, yaml: str = "") -> tuple[Any, GatewayPipeline]:
    urls = "".join(f"  {name}: {url}\n" for name, url in kit.urls.items())
    config = load_config_text(f"{yaml}\noverride_subgraph_url:\n{urls}", "telemetry-test.yaml")
    pipeline = GatewayPipeline(config)
    pipeline.load_supergraph(SUPERGRAPH_SDL)
    return await aiohttp_client(create_app(config, pipeline)), pipeline


async def scrape(client: Any, path: str = "/metrics") -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of the scrape, keyed by (name, labels)."""
    response = await client.get(path)
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(await response.text()):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def sample(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_requests_subgraphs_plan_cache_and_supergraph(aiohttp_client: Any, kit: SubgraphKit) -> None:
    client, _pipeline = await gateway(aiohttp_client, kit)
    for _ in range(2):
        response = await client.post("/graphql", json=SPANNING, headers=GRJ)
        assert response.status == 200
        assert "errors" not in await response.json()
    invalid = await client.post("/graphql", json={"query": "{ nope }"}, headers=GRJ)
    assert invalid.status == 400
    assert (await client.get("/health")).status == 200
    samples = await scrape(client)
    requests = "gateway_http_requests_total"
    assert sample(samples, requests, operation="query", status="200") == 2
    # validation failed: no operation was selected
    assert sample(samples, requests, operation="none", status="400") == 1
    assert sum(v for (name, _), v in samples.items() if name == requests) == 3, "health/metrics not counted"
    assert sample(samples, "gateway_http_request_duration_seconds_count", operation="query") == 2
    subgraph = "gateway_subgraph_requests_total"
    assert sample(samples, subgraph, subgraph="products", outcome="success") == 2
    assert sample(samples, subgraph, subgraph="reviews", outcome="success") == 2
    assert len(kit.requests("products")) == 2
    assert len(kit.requests("reviews")) == 2
    assert sample(samples, "gateway_subgraph_request_duration_seconds_count", subgraph="reviews") == 2
    assert sample(samples, "gateway_plan_cache_requests_total", result="miss") == 1
    assert sample(samples, "gateway_plan_cache_requests_total", result="hit") == 1
    assert sample(samples, "gateway_query_planning_duration_seconds_count") == 1
    sha = load_supergraph(SUPERGRAPH_SDL).sha256
    assert sample(samples, "gateway_supergraph_info", sha256=sha) == 1
    assert sample(samples, "gateway_supergraph_reloads_total", result="success") == 1


async def test_metrics_endpoint_is_not_csrf_checked_but_graphql_refusals_are_counted(
    aiohttp_client: Any, kit: SubgraphKit
) -> None:
    client, _pipeline = await gateway(aiohttp_client, kit)
    refused = await client.get("/graphql", params={"query": "{ products(first: 1) { id } }"})
    assert refused.status == 400  # CSRF prevention is on by default: a simple GET is refused
    assert kit.requests() == []
    samples = await scrape(client)  # a plain GET without any preflight-forcing header
    assert sample(samples, "gateway_http_requests_total", operation="none", status="400") == 1


async def test_subgraph_failures_and_coalescing(aiohttp_client: Any, kit: SubgraphKit) -> None:
    client, _pipeline = await gateway(aiohttp_client, kit)
    await kit.set_fault("products", Fault("http_500"))
    assert (await client.post("/graphql", json=ONE, headers=GRJ)).status == 200
    await kit.set_fault("products", Fault("down"))
    assert (await client.post("/graphql", json=ONE, headers=GRJ)).status == 200
    await kit.set_fault("products", Fault("delay", delay_seconds=0.3))
    answers = await asyncio.gather(*(client.post("/graphql", json=ONE, headers=GRJ) for _ in range(3)))
    assert [a.status for a in answers] == [200, 200, 200]
    samples = await scrape(client)
    subgraph = "gateway_subgraph_requests_total"
    assert sample(samples, subgraph, subgraph="products", outcome="http_error") == 1
    # a refused connection is retried (query, retry.max_attempts 3): three HTTP attempts, all counted
    assert sample(samples, subgraph, subgraph="products", outcome="network_error") == 3
    assert sample(samples, "gateway_subgraph_retries_total", subgraph="products", result="retried") == 2
    assert sample(samples, subgraph, subgraph="products", outcome="success") == 1, "one call for three"
    assert sample(samples, "gateway_subgraph_requests_coalesced_total", subgraph="products") == 2


async def test_timeout_is_counted_as_504(aiohttp_client: Any, kit: SubgraphKit) -> None:
    client, _pipeline = await gateway(aiohttp_client, kit, "server:\n  request_timeout: 200ms\n")
    await kit.set_fault("products", Fault("delay", delay_seconds=1.0))
    assert (await client.post("/graphql", json=ONE, headers=GRJ)).status == 504
    samples = await scrape(client)
    assert sample(samples, "gateway_http_requests_total", operation="query", status="504") == 1


async def test_cost_is_observed_with_demand_control(aiohttp_client: Any, kit: SubgraphKit) -> None:
    yaml = "demand_control:\n  enabled: true\n  max: 50\n"
    client, _pipeline = await gateway(aiohttp_client, kit, yaml)
    assert (await client.post("/graphql", json=SPANNING, headers=GRJ)).status == 200
    bomb = {"query": "{ products(first: 1000) { id reviews(first: 1000) { stars } } }"}
    assert (await client.post("/graphql", json=bomb, headers=GRJ)).status == 400
    samples = await scrape(client)
    cost = "gateway_operation_cost"
    # estimate 3 * (1 + 5 * 2) = 33 and the bomb's 1000 * (1 + 1000 * 2); actual 3 * (1 + 3 * 2) = 21
    assert sample(samples, f"{cost}_count", kind="estimated") == 2
    assert sample(samples, f"{cost}_sum", kind="estimated") == 33 + 2001000
    assert sample(samples, f"{cost}_count", kind="actual") == 1, "a rejected operation has no actual cost"
    assert sample(samples, f"{cost}_sum", kind="actual") == 21


async def test_rate_limit_decisions(aiohttp_client: Any, kit: SubgraphKit) -> None:
    yaml = "rate_limit:\n  enabled: true\n  tiers:\n    default: {capacity: 2, refill_per_second: 0.01}\n"
    client, _pipeline = await gateway(aiohttp_client, kit, yaml)
    statuses = [(await client.post("/graphql", json=ONE, headers=GRJ)).status for _ in range(3)]
    assert statuses == [200, 200, 429]
    samples = await scrape(client)
    decisions = "gateway_rate_limit_decisions_total"
    assert sample(samples, decisions, decision="allowed") == 2
    assert sample(samples, decisions, decision="limited") == 1
    assert sample(samples, "gateway_http_requests_total", operation="query", status="429") == 1
    assert sample(samples, "gateway_rate_limit_redis_errors_total") == 0


@pytest.mark.parametrize(
    ("on_error", "status", "decision"), [("allow", 200, "failed_open"), ("deny", 429, "failed_closed")]
)
async def test_unreachable_redis_is_counted(
    aiohttp_client: Any, kit: SubgraphKit, on_error: str, status: int, decision: str
) -> None:
    yaml = (
        "rate_limit:\n  enabled: true\n"
        f"  redis_url: redis://127.0.0.1:{unused_port()}/0\n"
        f"  on_redis_error: {on_error}\n  redis_timeout: 200ms\n"
    )
    client, _pipeline = await gateway(aiohttp_client, kit, yaml)
    for _ in range(2):
        assert (await client.post("/graphql", json=ONE, headers=GRJ)).status == status
    samples = await scrape(client)
    assert sample(samples, "gateway_rate_limit_redis_errors_total") == 2
    assert sample(samples, "gateway_rate_limit_decisions_total", decision=decision) == 2


async def test_auth_failures_by_reason(aiohttp_client: Any, kit: SubgraphKit) -> None:
    yaml = (
        "authentication:\n  jwt:\n    sources:\n"
        f"      - secret: {HMAC_SECRET}\n        issuer: {ISSUER}\n        audiences: [{AUDIENCE}]\n"
    )
    client, _pipeline = await gateway(aiohttp_client, kit, yaml)
    good = sign(HMAC_SECRET, "HS256", None)
    forged = sign("another-secret-0123456789abcdef-0123456789abcdef", "HS256", None)
    for token, expected in ((f"Bearer {good}", 200), (f"Bearer {forged}", 401), ("Basic abc", 401)):
        response = await client.post("/graphql", json=ONE, headers={**GRJ, "authorization": token})
        assert response.status == expected
    samples = await scrape(client)
    failures = "gateway_auth_failures_total"
    assert sample(samples, failures, reason="invalid_token") == 1
    assert sample(samples, failures, reason="malformed") == 1
    assert sample(samples, failures, reason="invalid_api_key") == 0
    assert sample(samples, "gateway_http_requests_total", operation="none", status="401") == 2
    assert sample(samples, "gateway_http_requests_total", operation="query", status="200") == 1


async def test_failed_reload_is_counted_and_the_served_sha_kept(
    aiohttp_client: Any, kit: SubgraphKit
) -> None:
    client, pipeline = await gateway(aiohttp_client, kit)
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the supergraph error class is
        pipeline.load_supergraph("this is not a supergraph")
    samples = await scrape(client)
    assert sample(samples, "gateway_supergraph_reloads_total", result="failure") == 1
    sha = load_supergraph(SUPERGRAPH_SDL).sha256
    assert sample(samples, "gateway_supergraph_info", sha256=sha) == 1


async def test_custom_path_and_disabled(aiohttp_client: Any, kit: SubgraphKit) -> None:
    client, _pipeline = await gateway(
        aiohttp_client, kit, "telemetry:\n  metrics:\n    path: /internal/prom\n"
    )
    assert (await client.post("/graphql", json=ONE, headers=GRJ)).status == 200
    samples = await scrape(client, "/internal/prom")
    assert sample(samples, "gateway_http_requests_total", operation="query", status="200") == 1
    assert (await client.get("/metrics")).status == 404

    off, pipeline = await gateway(aiohttp_client, kit, "telemetry:\n  metrics:\n    enabled: false\n")
    assert pipeline.metrics is NOOP_METRICS
    assert (await off.post("/graphql", json=ONE, headers=GRJ)).status == 200
    assert (await off.get("/metrics")).status == 404
