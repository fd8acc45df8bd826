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


def test_introspection_filter_visits_each_fragment_once() -> None:
    # 2**40 selections when expanded: must be filtered in linear time
    from graphql import parse

    from gateway.pipeline.prepare import _filter_introspection

    depth = 40
    fragments = ["fragment F0 on Query { __typename __schema { queryType { name } } }"]
    fragments += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, depth)]
    document = parse(f"query {{ ...F{depth - 1} }}\n" + "\n".join(fragments))
    by_name = {d.name.value: d for d in document.definitions[1:]}  # type: ignore[union-attr]
    selected = _filter_introspection(document.definitions[0].selection_set, by_name)  # type: ignore[union-attr]
    assert selected is not None
