"""Demand control through the real gateway and real subgraphs: rejection before any subgraph call."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from gateway.config.model import Config
from gateway.config.policies import DemandControlConfig
from tests.demand.support import GRJ, gateway_client, subgraph_specs
from tests.support.subgraph_kit import running_subgraphs


@pytest.fixture
async def kit() -> Any:
    async with running_subgraphs(subgraph_specs()) as running:
        yield running


def config(**changes: Any) -> Config:
    options = {"enabled": True, "max": 50.0, "list_size": 10, "expose": True, **changes}
    return Config(demand_control=DemandControlConfig(**options))


async def test_cost_bomb_is_rejected_before_any_subgraph_call(
    aiohttp_client: Any, kit: Any, caplog: Any
) -> None:
    client = await gateway_client(aiohttp_client, config(), kit.urls)
    caplog.set_level(logging.INFO, logger="gateway.demand")
    query = "{ products(first: 1000) { id reviews(first: 1000) { stars } } }"
    response = await client.post("/graphql", json={"query": query}, headers=GRJ)
    assert response.status == 400
    body = await response.json()
    assert "data" not in body
    (error,) = body["errors"]
    assert error["extensions"] == {
        "code": "COST_ESTIMATED_TOO_EXPENSIVE",
        "cost.estimated": 1000 * (1 + 1000 * 2),
        "cost.max": 50.0,
    }
    assert error["message"] == "query estimated cost 2001000 exceeded configured maximum 50"
    assert kit.requests() == [], "no subgraph may be called for a rejected operation"
    assert "estimated cost 2001000.0 exceeds max 50.0" in caplog.text


async def test_legacy_json_gets_200_with_the_error(aiohttp_client: Any, kit: Any) -> None:
    client = await gateway_client(aiohttp_client, config(), kit.urls)
    response = await client.post("/graphql", json={"query": "{ products { related { related { id } } } }"})
    assert response.status == 200  # GraphQL-over-HTTP: application/json answers request errors with 200
    body = await response.json()
    assert body["errors"][0]["extensions"]["code"] == "COST_ESTIMATED_TOO_EXPENSIVE"
    assert kit.requests() == []


async def test_slicing_variable_drives_the_decision(aiohttp_client: Any, kit: Any) -> None:
    client = await gateway_client(aiohttp_client, config(), kit.urls)
    query = "query($n: Int) { products(first: $n) { id } }"
    over = await client.post("/graphql", json={"query": query, "variables": {"n": 51}}, headers=GRJ)
    assert over.status == 400
    assert kit.requests() == []
    under = await client.post("/graphql", json={"query": query, "variables": {"n": 2}}, headers=GRJ)
    assert under.status == 200
    body = await under.json()
    assert body["data"] == {"products": [{"id": "1"}, {"id": "2"}]}
    assert body["extensions"]["cost"] == {"estimated": 2.0, "actual": 2.0, "max": 50.0}
    assert len(kit.requests("products")) == 1


async def test_actual_cost_uses_real_list_sizes(aiohttp_client: Any, kit: Any) -> None:
    client = await gateway_client(aiohttp_client, config(), kit.urls)
    query = "{ products(first: 3) { name reviews(first: 5) { stars } } }"
    response = await client.post("/graphql", json={"query": query}, headers=GRJ)
    body = await response.json()
    assert "errors" not in body, body
    # estimate: 3 * (1 + 5 * 2) = 33; the reviews subgraph returns 3 reviews per product: 3 * (1 + 3 * 2)
    assert body["extensions"]["cost"] == {"estimated": 33.0, "actual": 21.0, "max": 50.0}


async def test_require_one_slicing_argument_is_refused(aiohttp_client: Any, kit: Any) -> None:
    client = await gateway_client(aiohttp_client, config(), kit.urls)
    response = await client.post("/graphql", json={"query": "{ strict { id } }"}, headers=GRJ)
    assert response.status == 400
    body = await response.json()
    assert body["errors"][0]["extensions"]["code"] == "COST_QUERY_PARSE_FAILURE"
    assert kit.requests() == []


async def test_measure_mode_never_rejects(aiohttp_client: Any, kit: Any) -> None:
    client = await gateway_client(aiohttp_client, config(mode="measure"), kit.urls)
    response = await client.post("/graphql", json={"query": "{ products(first: 500) { id } }"}, headers=GRJ)
    assert response.status == 200
    body = await response.json()
    assert body["extensions"]["cost"]["estimated"] == 500.0
    assert body["extensions"]["cost"]["actual"] == 5.0


async def test_not_exposed_by_default(aiohttp_client: Any, kit: Any) -> None:
    client = await gateway_client(aiohttp_client, config(expose=False), kit.urls)
    response = await client.post("/graphql", json={"query": "{ products(first: 1) { id } }"}, headers=GRJ)
    assert "extensions" not in await response.json()
