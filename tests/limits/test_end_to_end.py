"""Operation limits through the real gateway and subgraphs: each limit's code, status, no subgraph call."""

from __future__ import annotations

import logging
import time
from typing import Any

import pytest

from gateway.config.model import Config, ServerConfig, SupergraphConfig
from gateway.config.policies import LimitsConfig
from tests.demand.support import GRJ, gateway_client, subgraph_specs
from tests.support.subgraph_kit import running_subgraphs

LIMITS = LimitsConfig(max_depth=5, max_height=20, max_aliases=10, max_root_fields=3, parser_max_tokens=200)


@pytest.fixture
async def kit() -> Any:
    async with running_subgraphs(subgraph_specs()) as running:
        yield running


async def post(client: Any, query: str) -> tuple[int, dict[str, Any]]:
    response = await client.post("/graphql", json={"query": query}, headers=GRJ)
    return response.status, await response.json()


def codes(body: dict[str, Any]) -> list[str]:
    return [error["extensions"]["code"] for error in body.get("errors", [])]


DEPTH_BOMB = '{ product(id: "1") { related { related { related { related { related { id } } } } } } }'
ALIAS_BOMB = '{ product(id: "1") { ' + " ".join(f"a{i}: name" for i in range(50)) + " } }"
ROOT_FIELDS = "{ a: expensive b: tags c: expensive d: tags }"


def fragment_bomb(levels: int, root: bool) -> str:
    """Each fragment spreads the previous one twice: 2**levels expanded selections from a short document."""
    on = "Query" if root else "Product"
    base = "fragment F0 on Query { expensive }" if root else "fragment F0 on Product { id name }"
    parts = [base] + [f"fragment F{i} on {on} {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels + 1)]
    head = f"{{ ...F{levels} }}" if root else f'{{ product(id: "1") {{ ...F{levels} }} }}'
    return head + "\n" + "\n".join(parts)


TOKEN_BOMB = '{ product(id: "1") { ' + " ".join("id" for _ in range(300)) + " } }"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (DEPTH_BOMB, ["MAX_DEPTH_LIMIT"]),
        (ALIAS_BOMB, ["MAX_ALIASES_LIMIT"]),
        (ROOT_FIELDS, ["MAX_ROOT_FIELDS_LIMIT"]),
        (TOKEN_BOMB, ["PARSING_ERROR"]),
    ],
)
async def test_limit_is_enforced(aiohttp_client: Any, kit: Any, query: str, expected: list[str]) -> None:
    client = await gateway_client(aiohttp_client, Config(limits=LIMITS), kit.urls)
    status, body = await post(client, query)
    assert status == 400
    assert codes(body) == expected
    assert "data" not in body
    assert kit.requests() == [], "nothing may reach a subgraph"


async def test_limits_report_measured_and_limit(aiohttp_client: Any, kit: Any) -> None:
    client = await gateway_client(aiohttp_client, Config(limits=LIMITS), kit.urls)
    _status, body = await post(client, DEPTH_BOMB)
    assert body["errors"][0]["extensions"] == {"code": "MAX_DEPTH_LIMIT", "limit": 5, "measured": 7}
    assert body["errors"][0]["message"] == "Maximum depth limit exceeded in this operation"


async def test_height_limit(aiohttp_client: Any, kit: Any) -> None:
    limits = LimitsConfig(max_height=4)
    client = await gateway_client(aiohttp_client, Config(limits=limits), kit.urls)
    status, body = await post(client, '{ product(id: "1") { id name price { amount } status } }')
    assert (status, codes(body)) == (400, ["MAX_HEIGHT_LIMIT"])
    assert kit.requests() == []


async def test_several_violations_are_all_reported(aiohttp_client: Any, kit: Any) -> None:
    client = await gateway_client(aiohttp_client, Config(limits=LIMITS), kit.urls)
    query = "{ " + " ".join(f"r{i}: expensive" for i in range(12)) + " }"
    status, body = await post(client, query)
    assert (status, codes(body)) == (400, ["MAX_ALIASES_LIMIT", "MAX_ROOT_FIELDS_LIMIT"])


async def test_within_limits_executes(aiohttp_client: Any, kit: Any) -> None:
    client = await gateway_client(aiohttp_client, Config(limits=LIMITS), kit.urls)
    status, body = await post(client, '{ product(id: "2") { id name } }')
    assert status == 200
    assert body == {"data": {"product": {"id": "2", "name": "product 2"}}}


async def test_warn_only_logs_and_executes(aiohttp_client: Any, kit: Any, caplog: Any) -> None:
    limits = LimitsConfig(max_depth=1, warn_only=True)
    client = await gateway_client(aiohttp_client, Config(limits=limits), kit.urls)
    caplog.set_level(logging.WARNING, logger="gateway.limits")
    status, body = await post(client, '{ product(id: "2") { id } }')
    assert status == 200
    assert body["data"] == {"product": {"id": "2"}}
    assert "Maximum depth limit exceeded" in caplog.text


async def test_default_limits_allow_ordinary_operations(aiohttp_client: Any, kit: Any) -> None:
    client = await gateway_client(aiohttp_client, Config(), kit.urls)
    status, body = await post(client, '{ product(id: "3") { related { id } reviews { stars } } }')
    assert status == 200, body


async def test_default_limits_stop_a_depth_bomb(aiohttp_client: Any, kit: Any) -> None:
    client = await gateway_client(aiohttp_client, Config(), kit.urls)
    query = '{ product(id: "1") { ' + "related { " * 120 + "id" + " }" * 120 + " } }"
    status, body = await post(client, query)
    assert (status, codes(body)) == (400, ["MAX_DEPTH_LIMIT"])
    assert kit.requests() == []


@pytest.mark.parametrize("root", [True, False])
async def test_default_limits_stop_fragment_bombs_quickly(aiohttp_client: Any, kit: Any, root: bool) -> None:
    """Without the limit, validation (root bomb) or planning (nested bomb) of 2**40 selections never ends."""
    client = await gateway_client(aiohttp_client, Config(), kit.urls)
    started = time.perf_counter()
    status, body = await post(client, fragment_bomb(40, root))
    assert time.perf_counter() - started < 2.0
    assert status == 400
    assert "MAX_RECURSIVE_SELECTIONS_LIMIT" in codes(body)
    assert kit.requests() == []


async def test_introspection_can_be_turned_off(aiohttp_client: Any, kit: Any) -> None:
    config = Config(supergraph=SupergraphConfig(introspection=False))
    client = await gateway_client(aiohttp_client, config, kit.urls)
    status, body = await post(client, "{ __schema { queryType { name } } }")
    assert status == 400
    assert set(codes(body)) == {"GRAPHQL_VALIDATION_FAILED"}
    assert "introspection" in body["errors"][0]["message"].lower()
    status, body = await post(client, '{ __type(name: "Product") { name } }')
    assert (status, codes(body)) == (400, ["GRAPHQL_VALIDATION_FAILED"])
    assert kit.requests() == []
    # __typename is not introspection: still answered
    status, body = await post(client, "{ __typename }")
    assert (status, body) == (200, {"data": {"__typename": "Query"}})


async def test_introspection_on_by_default(aiohttp_client: Any, kit: Any) -> None:
    client = await gateway_client(aiohttp_client, Config(), kit.urls)
    status, body = await post(client, "{ __schema { queryType { name } } }")
    assert (status, body) == (200, {"data": {"__schema": {"queryType": {"name": "Query"}}}})


async def test_oversized_body_is_413_before_anything_runs(aiohttp_client: Any, kit: Any) -> None:
    config = Config(server=ServerConfig(max_request_bytes=1000))
    client = await gateway_client(aiohttp_client, config, kit.urls)
    query = '{ product(id: "1") { id } }' + " " * 5000
    response = await client.post("/graphql", json={"query": query}, headers=GRJ)
    assert response.status == 413
    assert codes(await response.json()) == ["PAYLOAD_TOO_LARGE"]
    assert kit.requests() == []


async def test_batches_are_refused_by_default(aiohttp_client: Any, kit: Any) -> None:
    client = await gateway_client(aiohttp_client, Config(), kit.urls)
    batch = [{"query": "{ expensive }"}] * 3
    response = await client.post("/graphql", json=batch, headers=GRJ)
    assert response.status == 400
    assert codes(await response.json()) == ["BATCHING_NOT_ENABLED"]
    assert kit.requests() == []
