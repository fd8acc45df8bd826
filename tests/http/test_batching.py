"""Query batching: off by default (BATCHING_NOT_ENABLED); when on, an array of requests gets an array of
responses in order, each entry on its own, with a size limit (BATCH_LIMIT_EXCEEDED)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from gateway.app import create_app
from gateway.config.model import BatchingConfig, Config
from gateway.config.policies import CsrfConfig
from tests.http.fake_pipeline import FakePipeline

JSON = {"Content-Type": "application/json", "Accept": "application/json"}


@pytest.fixture
def batching_client(aiohttp_client: Any, pipeline: FakePipeline) -> Any:
    async def factory(enabled: bool, maximum_size: int = 3) -> Any:
        batching = BatchingConfig(enabled=enabled, maximum_size=maximum_size)
        config = Config(batching=batching, csrf=CsrfConfig(enabled=False))
        return await aiohttp_client(create_app(config, pipeline))

    return factory


async def post(client: Any, body: Any) -> Any:
    return await client.post("/graphql", data=orjson.dumps(body), headers=JSON)


async def test_batches_are_refused_unless_enabled(batching_client: Any) -> None:
    client = await batching_client(enabled=False)
    response = await post(client, [{"query": "{ hello }"}])
    assert response.status == 400
    assert (await response.json())["errors"][0]["extensions"]["code"] == "BATCHING_NOT_ENABLED"


async def test_enabled_batch_answers_each_entry_in_order(batching_client: Any) -> None:
    client = await batching_client(enabled=True)
    batch = [
        {"query": 'query { hello(name: "a") }'},
        {"query": "{ nope }"},
        "not an object",
    ]
    response = await post(client, batch)
    assert response.status == 200
    first, second, third = await response.json()
    assert first == {"data": {"hello": "hello a"}}
    assert second["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert third["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_batch_size_limit(batching_client: Any) -> None:
    client = await batching_client(enabled=True, maximum_size=2)
    response = await post(client, [{"query": "{ hello }"}] * 3)
    assert response.status == 400
    assert (await response.json())["errors"][0]["extensions"]["code"] == "BATCH_LIMIT_EXCEEDED"
    empty = await post(client, [])
    assert empty.status == 400
