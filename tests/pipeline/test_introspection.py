"""Introspection is answered locally from the API schema, including fragment-based queries like GraphiQL's."""

from __future__ import annotations

from pathlib import Path

from graphql import build_client_schema, get_introspection_query, print_schema

from gateway.pipeline.runner import GatewayPipeline
from gateway.pipeline.types import GraphQLRequest
from gateway.supergraph.api_schema import build_api_schema
from gateway.supergraph.model import load_supergraph

SUPERGRAPH = (Path(__file__).parent.parent.parent / "bench" / "data" / "supergraph.graphql").read_text()


async def test_full_introspection_query_rebuilds_the_api_schema() -> None:
    pipeline = GatewayPipeline()
    pipeline.load_supergraph(SUPERGRAPH)
    response = await pipeline.run(GraphQLRequest(query=get_introspection_query(descriptions=True)))
    assert "errors" not in response.body
    client_schema = build_client_schema(response.body["data"])
    supergraph = load_supergraph(SUPERGRAPH)
    expected = build_api_schema(supergraph.document, supergraph.links)
    assert print_schema(client_schema) == print_schema(expected)
    assert "join__Graph" not in print_schema(client_schema)


async def test_type_introspection_and_typename_need_no_subgraph() -> None:
    pipeline = GatewayPipeline()  # never started: a subgraph call would fail
    pipeline.load_supergraph(SUPERGRAPH)
    response = await pipeline.run(GraphQLRequest(query='{ __typename t: __type(name: "Review") { name } }'))
    assert response.body == {"data": {"__typename": "Query", "t": {"name": "Review"}}}
