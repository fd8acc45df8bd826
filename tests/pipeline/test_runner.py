"""The pipeline's request errors, caching and schema generations (no HTTP: the GraphQLRequest contract)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.pipeline.runner import GatewayPipeline
from gateway.pipeline.types import GraphQLRequest
from gateway.supergraph.errors import SupergraphError

SUPERGRAPH = (Path(__file__).parent.parent.parent / "bench" / "data" / "supergraph.graphql").read_text()


def pipeline() -> GatewayPipeline:
    gateway = GatewayPipeline()
    gateway.load_supergraph(SUPERGRAPH)
    return gateway


def codes(body: dict) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def test_not_ready_before_a_supergraph_is_loaded() -> None:
    response = await GatewayPipeline().run(GraphQLRequest(query="{ users { id } }"))
    assert response.http_status == 503
    assert codes(response.body) == ["SUPERGRAPH_NOT_READY"]


@pytest.mark.parametrize(
    ("request_", "status", "code"),
    [
        (GraphQLRequest(query=None), 400, "BAD_REQUEST"),
        (GraphQLRequest(query="{ users { id }"), 400, "GRAPHQL_PARSE_FAILED"),
        (GraphQLRequest(query="{ users { nope } }"), 400, "GRAPHQL_VALIDATION_FAILED"),
        (
            GraphQLRequest(query="query A { me { id } } query B { me { id } }"),
            400,
            "OPERATION_RESOLUTION_FAILURE",
        ),
        (
            GraphQLRequest(query="query A { me { id } }", operation_name="C"),
            400,
            "OPERATION_RESOLUTION_FAILURE",
        ),
        (GraphQLRequest(query="query($id: ID!) { user(id: $id) { id } }"), 400, "BAD_USER_INPUT"),
        (
            GraphQLRequest(query="query($n: Int) { topProducts(first: $n) { upc } }", variables={"n": "x"}),
            400,
            "BAD_USER_INPUT",
        ),
    ],
)
async def test_request_errors_have_codes_and_no_data(
    request_: GraphQLRequest, status: int, code: str
) -> None:
    response = await pipeline().run(request_)
    assert response.http_status == status
    assert "data" not in response.body
    assert codes(response.body) == [code]


async def test_subscriptions_fail_planning_with_a_code() -> None:
    gateway = GatewayPipeline()
    gateway.load_supergraph(
        SUPERGRAPH.replace("query: Query\n", "query: Query\n  subscription: Subscription\n")
        + "\ntype Subscription @join__type(graph: ACCOUNTS) { ticks: Int @join__field(graph: ACCOUNTS) }\n"
    )
    response = await gateway.run(GraphQLRequest(query="subscription { ticks }"))
    assert codes(response.body) == ["QUERY_PLANNING_FAILED"]


async def test_an_invalid_api_schema_is_refused_at_load_time() -> None:
    with pytest.raises(SupergraphError, match="API schema is invalid"):
        GatewayPipeline().load_supergraph(
            SUPERGRAPH.replace("query: Query\n", "query: Query\n  subscription: Query\n")
        )


async def test_operations_and_plans_are_cached_per_schema_generation() -> None:
    gateway = pipeline()
    query = "{ me { name } }"
    snapshot = gateway.snapshot
    assert snapshot is not None
    prepared = gateway._prepare(snapshot, query, None)
    assert gateway._prepare(snapshot, query, None) is prepared
    gateway.load_supergraph(SUPERGRAPH)
    assert gateway.snapshot is not snapshot  # a reload starts new caches
    assert gateway._prepare(gateway.snapshot, query, None) is not prepared  # type: ignore[arg-type]


async def test_bad_supergraph_keeps_the_current_one() -> None:
    gateway = pipeline()
    before = gateway.snapshot
    with pytest.raises(SupergraphError):
        gateway.load_supergraph("type Query { a: Int }")
    assert gateway.snapshot is before


async def test_mutation_over_get_is_refused() -> None:
    sdl = SUPERGRAPH.replace("query: Query\n", "query: Query\n  mutation: Mutation\n") + (
        "\ntype Mutation @join__type(graph: ACCOUNTS) { touch: Int @join__field(graph: ACCOUNTS) }\n"
    )
    gateway = GatewayPipeline()
    gateway.load_supergraph(sdl)
    response = await gateway.run(GraphQLRequest(query="mutation { touch }", http_method="GET"))
    assert response.http_status == 405
    assert response.headers == {"allow": "POST"}
    assert codes(response.body) == ["METHOD_NOT_ALLOWED"]
