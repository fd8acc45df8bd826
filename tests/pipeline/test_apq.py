"""Automatic persisted queries through the pipeline (Apollo's APQ protocol)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from gateway.config.model import Config, PersistedQueriesConfig
from gateway.pipeline.runner import GatewayPipeline
from gateway.pipeline.types import GraphQLRequest

SUPERGRAPH = (Path(__file__).parent.parent.parent / "bench" / "data" / "supergraph.graphql").read_text()
QUERY = "{ __typename }"
HASH = hashlib.sha256(QUERY.encode()).hexdigest()


def pipeline(enabled: bool = True) -> GatewayPipeline:
    gateway = GatewayPipeline(Config(persisted_queries=PersistedQueriesConfig(enabled=enabled)))
    gateway.load_supergraph(SUPERGRAPH)
    return gateway


def apq(query: str | None, digest: str = HASH) -> GraphQLRequest:
    return GraphQLRequest(query=query, extensions={"persistedQuery": {"version": 1, "sha256Hash": digest}})


def code(body: dict) -> str:
    return body["errors"][0]["extensions"]["code"]


async def test_unknown_hash_then_registration_then_hash_only() -> None:
    gateway = pipeline()
    first = await gateway.run(apq(None))
    assert (first.http_status, code(first.body)) == (200, "PERSISTED_QUERY_NOT_FOUND")
    registered = await gateway.run(apq(QUERY))
    assert registered.body == {"data": {"__typename": "Query"}}
    again = await gateway.run(apq(None))
    assert again.body == {"data": {"__typename": "Query"}}


async def test_hash_must_match_the_query() -> None:
    gateway = pipeline()
    response = await gateway.run(apq("{ users { id } }"))
    assert (response.http_status, code(response.body)) == (400, "PERSISTED_QUERY_HASH_MISMATCH")
    # nothing was stored under the wrong hash
    assert code((await gateway.run(apq(None))).body) == "PERSISTED_QUERY_NOT_FOUND"


async def test_disabled_says_not_supported() -> None:
    response = await pipeline(enabled=False).run(apq(None))
    assert (response.http_status, code(response.body)) == (400, "PERSISTED_QUERY_NOT_SUPPORTED")


async def test_bad_version_is_a_bad_request() -> None:
    request = GraphQLRequest(query=None, extensions={"persistedQuery": {"version": 2, "sha256Hash": HASH}})
    response = await pipeline().run(request)
    assert (response.http_status, code(response.body)) == (400, "BAD_REQUEST")
