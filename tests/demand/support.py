"""Shared fixtures for the demand control tests: the composed supergraph with @cost/@listSize and subgraphs.

``fixtures/products.graphql`` and ``fixtures/reviews.graphql`` use ``@cost``/``@listSize`` imported from
federation v2.9; ``fixtures/supergraph.graphql`` is their composition by the pinned ``@apollo/composition``
(``test_fixture_is_composed`` checks it is current).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from types import MappingProxyType
from typing import Any

from graphql import GraphQLSchema, parse

from gateway.app import create_app
from gateway.config.model import Config
from gateway.demand.estimate import estimate_cost
from gateway.demand.model import CostModel, build_cost_model
from gateway.pipeline.runner import GatewayPipeline
from gateway.planner.operation import find_operation, fragments_of
from gateway.supergraph.api_schema import build_api_schema
from gateway.supergraph.model import Supergraph, load_supergraph
from tests.support.subgraph_kit import SubgraphSpec
from tests.support.subgraph_schema import Resolvers

FIXTURES = Path(__file__).parent / "fixtures"
SUPERGRAPH_SDL = (FIXTURES / "supergraph.graphql").read_text()
PRODUCTS_SDL = (FIXTURES / "products.graphql").read_text()
REVIEWS_SDL = (FIXTURES / "reviews.graphql").read_text()


def supergraph() -> tuple[Supergraph, GraphQLSchema, CostModel]:
    loaded = load_supergraph(SUPERGRAPH_SDL)
    return loaded, build_api_schema(loaded.document, loaded.links), build_cost_model(loaded)


def estimate(query: str, variables: dict[str, Any] | None = None, list_size: int = 10) -> float:
    _sg, schema, model = supergraph()
    document = parse(query)
    operation = find_operation(document, None)
    assert operation is not None
    return estimate_cost(schema, model, operation, fragments_of(document), variables or {}, list_size)


def serving_sdl(sdl: str) -> str:
    """The subgraph SDL without the cost directives (the test subgraph server does not define them)."""
    sdl = re.sub(r',\s*"@(cost|listSize)"', "", sdl)
    sdl = re.sub(r"@cost\(weight: \d+\)", "", sdl)
    return re.sub(r"@listSize\([^)]*\)", "", sdl)


PRODUCTS = [
    {"id": str(i), "name": f"product {i}", "price": {"amount": float(i)}, "status": "ACTIVE"}
    for i in range(1, 6)
]


def _products(_parent: Any, _info: Any, first: int | None = None, last: int | None = None) -> list[Any]:
    items = PRODUCTS
    if first is not None:
        items = items[:first]
    if last is not None:
        items = items[-last:] if last else []
    return items


def _reviews(parent: Any, _info: Any, first: int = 2) -> list[Any]:
    return [{"body": f"review {k} of {parent['id']}", "stars": k} for k in range(1, 4)][:first]


def subgraph_specs() -> list[SubgraphSpec]:
    return [
        SubgraphSpec(
            "products",
            serving_sdl(PRODUCTS_SDL),
            Resolvers(
                records={"Product": PRODUCTS},
                fields={
                    "Query.products": _products,
                    "Query.topProducts": lambda _p, _i, limit=None: PRODUCTS[:3],
                    "Query.expensive": lambda _p, _i: 42,
                    "Query.product": lambda _p, _i, id: next((p for p in PRODUCTS if p["id"] == id), None),
                },
            ),
        ),
        SubgraphSpec("reviews", serving_sdl(REVIEWS_SDL), Resolvers(fields={"Product.reviews": _reviews})),
    ]


async def gateway_client(aiohttp_client: Any, config: Config, urls: dict[str, str]) -> Any:
    """The real gateway (engine + HTTP layer) in-process behind aiohttp's test client, on the fixture."""
    config = dataclasses.replace(config, override_subgraph_url=MappingProxyType(dict(urls)))
    pipeline = GatewayPipeline(config)
    pipeline.load_supergraph(SUPERGRAPH_SDL)
    return await aiohttp_client(create_app(config, pipeline))


GRJ = {"Accept": "application/graphql-response+json", "Content-Type": "application/json"}
