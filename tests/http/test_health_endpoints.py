"""``<health_path>/live`` and ``<health_path>/ready`` on the app served on a real 127.0.0.1 port.

Readiness before a supergraph is loaded (an embedder's app; ``gateway serve`` loads it before listening),
after, while draining, and the per-subgraph circuit breaker summary (from a stub registry, and from the real
engine, whose breakers exist from the first load). Draining of a real process on SIGTERM is tested in
``tests/cli/test_zero_drop.py``.
"""

from __future__ import annotations

import hashlib
from typing import Any

import pytest

from gateway.app import create_app
from gateway.config.model import Config, InvalidField, ServerConfig
from gateway.keys import DRAIN_KEY
from gateway.pipeline.runner import GatewayPipeline
from tests.demand.support import SUPERGRAPH_SDL
from tests.http.fake_pipeline import FAKE_SDL, FakePipeline

JSON = "application/json; charset=utf-8"


class StubBreakers:
    def __init__(self, states: dict[str, dict[str, str]]) -> None:
        self._states = states

    def states(self) -> dict[str, dict[str, str]]:
        return self._states


async def get(client: Any, path: str) -> tuple[int, Any]:
    response = await client.get(path)
    assert response.headers["Content-Type"] == JSON
    assert response.headers["Cache-Control"] == "no-store"
    return response.status, await response.json()


async def test_not_ready_until_a_supergraph_is_loaded(aiohttp_client: Any) -> None:
    fake = FakePipeline()
    client = await aiohttp_client(create_app(Config(), fake))
    assert await get(client, "/health/live") == (200, {"status": "live"})
    not_ready = {"status": "not_ready", "draining": False, "supergraph": None, "subgraphs": {}}
    assert await get(client, "/health/ready") == (503, not_ready)
    assert await get(client, "/health") == (503, {"status": "fail"})
    fake.load_supergraph(FAKE_SDL)
    ready = {"status": "ready", "draining": False, "supergraph": None, "subgraphs": {}}
    assert await get(client, "/health/ready") == (200, ready)
    assert await get(client, "/health") == (200, {"status": "pass"})


async def test_draining_is_not_ready_but_live(aiohttp_client: Any) -> None:
    fake = FakePipeline()
    fake.load_supergraph(FAKE_SDL)
    app = create_app(Config(), fake)
    client = await aiohttp_client(app)
    app[DRAIN_KEY].draining = True
    response = await client.get("/health/ready")
    assert response.status == 503
    assert (await response.json())["status"] == "not_ready"
    assert (await response.json())["draining"] is True
    assert response.headers["Connection"] == "close"  # while draining, no connection is reused
    assert await get(client, "/health/live") == (200, {"status": "live"})
    assert await get(client, "/health") == (200, {"status": "pass"})  # the original check is unchanged


async def test_subgraph_state_is_the_worst_of_its_urls(aiohttp_client: Any) -> None:
    fake = FakePipeline()
    fake.load_supergraph(FAKE_SDL)
    fake.breakers = StubBreakers(  # type: ignore[attr-defined]
        {
            "a": {"http://a1": "closed", "http://a2": "open", "http://a3": "half_open"},
            "b": {"http://b1": "half_open", "http://b2": "closed"},
            "c": {"http://c1": "closed"},
        }
    )
    client = await aiohttp_client(create_app(Config(), fake))
    status, body = await get(client, "/health/ready")
    assert status == 200  # open breakers are reported, they do not make the process unready
    assert body["subgraphs"] == {
        "a": {
            "circuit_breaker": "open",
            "urls": {"http://a1": "closed", "http://a2": "open", "http://a3": "half_open"},
        },
        "b": {"circuit_breaker": "half_open", "urls": {"http://b1": "half_open", "http://b2": "closed"}},
        "c": {"circuit_breaker": "closed", "urls": {"http://c1": "closed"}},
    }


async def test_real_engine_reports_its_supergraph_and_subgraphs(aiohttp_client: Any) -> None:
    pipeline = GatewayPipeline(Config())
    pipeline.load_supergraph(SUPERGRAPH_SDL)
    client = await aiohttp_client(create_app(Config(), pipeline))
    status, body = await get(client, "/health/ready")
    assert status == 200
    assert body["supergraph"] == hashlib.sha256(SUPERGRAPH_SDL.encode()).hexdigest()
    assert sorted(body["subgraphs"]) == ["products", "reviews"]
    for state in body["subgraphs"].values():
        assert state["circuit_breaker"] == "closed"
        assert set(state["urls"].values()) <= {"closed"}


async def test_paths_follow_health_path_and_answer_head(aiohttp_client: Any) -> None:
    fake = FakePipeline()
    fake.load_supergraph(FAKE_SDL)
    config = Config(server=ServerConfig(health_path="/healthz/"))
    client = await aiohttp_client(create_app(config, fake))
    assert (await client.get("/healthz/live")).status == 200
    assert (await client.get("/healthz/ready")).status == 200
    assert (await client.head("/healthz/ready")).status == 200
    assert (await client.get("/healthz/")).status == 200
    assert (await client.get("/health/ready")).status == 404


@pytest.mark.parametrize("graphql_path", ["/health", "/health/live", "/health/ready"])
def test_graphql_path_cannot_shadow_a_health_path(graphql_path: str) -> None:
    with pytest.raises(InvalidField, match="must differ from graphql_path"):
        ServerConfig(graphql_path=graphql_path)
