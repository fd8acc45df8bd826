"""A real federated stack for operational tests: two subgraphs, two composed supergraphs, steady client load.

Why: reload, shutdown and load-shedding behaviour only shows with real sockets: a gateway process started by
its CLI, real subgraph servers (``tests.support.subgraph_kit``) and clients that keep connections alive the
way production clients do. ``steady_load`` classifies every request so a test can state exactly what a
client saw: a 200 with the expected data, another status, a refused connection (the listener was closed:
not a dropped request), or a failure after the connection was made (a dropped request).
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from gateway.compose import SubgraphSource, compose
from tests.support.subgraph_kit import SubgraphSpec
from tests.support.subgraph_schema import Resolvers

PRODUCTS_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

type Query {
  products: [Product!]!
}

type Product @key(fields: "id") {
  id: ID!
  name: String
}
"""

REVIEWS_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])

type Product @key(fields: "id") {
  id: ID!
  reviews: [Review!]
}

type Review {
  stars: Int
}
"""

# The second supergraph differs by one field that no test query uses: a reload swaps the schema for real.
PRODUCTS_SDL_B = PRODUCTS_SDL.replace("  name: String\n", "  name: String\n  sku: String\n")

PRODUCTS = [{"id": str(i), "name": f"product {i}", "sku": f"sku-{i}"} for i in range(1, 4)]

# Two subgraph calls per request (a root fetch, then an _entities fetch).
SPANNING = {"query": "{ products { id name reviews { stars } } }"}
SPANNING_DATA = {
    "products": [{"id": p["id"], "name": p["name"], "reviews": [{"stars": 5}]} for p in PRODUCTS]
}
# One subgraph call per request (not slowed by an only_entities fault).
ROOT_ONLY = {"query": "{ products { id name } }"}
ROOT_ONLY_DATA = {"products": [{"id": p["id"], "name": p["name"]} for p in PRODUCTS]}

HEADERS = {"Content-Type": "application/json", "Accept": "application/graphql-response+json"}


def subgraph_specs() -> list[SubgraphSpec]:
    """The products and reviews subgraphs (serving the B schema: a superset of A)."""
    return [
        SubgraphSpec(
            "products",
            PRODUCTS_SDL_B,
            Resolvers(records={"Product": PRODUCTS}, fields={"Query.products": lambda _p, _i: PRODUCTS}),
        ),
        SubgraphSpec(
            "reviews", REVIEWS_SDL, Resolvers(fields={"Product.reviews": lambda _p, _i: [{"stars": 5}]})
        ),
    ]


def compose_supergraphs(urls: dict[str, str]) -> tuple[str, str]:
    """Supergraphs A and B for the running subgraphs at ``urls``."""
    results = []
    for products in (PRODUCTS_SDL, PRODUCTS_SDL_B):
        result = compose(
            [
                SubgraphSource("products", urls["products"], products),
                SubgraphSource("reviews", urls["reviews"], REVIEWS_SDL),
            ]
        )
        assert result.supergraph_sdl is not None, result.errors
        results.append(result.supergraph_sdl)
    return results[0], results[1]


@dataclass(slots=True)
class LoadResult:
    """What the clients saw, by kind."""

    ok: int = 0
    wrong_body: int = 0
    statuses: Counter[int] = field(default_factory=Counter)  # non-200 answers by status
    refused: int = 0  # could not connect: the listener was closed (not a dropped request)
    dropped: list[str] = field(default_factory=list)  # failed after connecting: reset, disconnect, timeout
    spans: list[tuple[float, float]] = field(default_factory=list)  # (sent, answered) of each ok answer

    @property
    def answered(self) -> int:
        return self.ok + self.wrong_body + sum(self.statuses.values())

    def summary(self) -> str:
        return (
            f"ok={self.ok} wrong_body={self.wrong_body} statuses={dict(self.statuses)} "
            f"refused={self.refused} dropped={len(self.dropped)} {self.dropped[:5]}"
        )


async def post_once(
    session: aiohttp.ClientSession,
    url: str,
    payload: dict[str, Any],
    expected: dict[str, Any],
    result: LoadResult,
) -> None:
    """One request, classified into ``result``."""
    started = time.monotonic()
    try:
        async with session.post(url, json=payload, headers=HEADERS) as response:
            body = await response.json(content_type=None)
            status = response.status
    except aiohttp.ClientConnectorError:
        result.refused += 1
        return
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        result.dropped.append(f"{type(exc).__name__}: {exc}")
        return
    if status != 200:
        result.statuses[status] += 1
    elif body != {"data": expected}:
        result.wrong_body += 1
    else:
        result.ok += 1
        result.spans.append((started, time.monotonic()))


async def steady_load(
    url: str,
    *,
    clients: int,
    until: Callable[[], bool],
    payload: dict[str, Any] = SPANNING,
    expected: dict[str, Any] = SPANNING_DATA,
    max_requests: int = 5000,
    result: LoadResult | None = None,
) -> LoadResult:
    """``clients`` concurrent keep-alive clients, each sending one request after the other until ``until()``
    is true or ``max_requests`` were sent in all. After a refused connection a client pauses briefly (the
    gateway is gone; spinning would only burn the CPU the test needs)."""
    result = result if result is not None else LoadResult()
    sent = 0
    timeout = aiohttp.ClientTimeout(total=15)

    async def client() -> None:
        nonlocal sent
        async with aiohttp.ClientSession(timeout=timeout) as session:
            while not until() and sent < max_requests:
                sent += 1
                refused = result.refused
                await post_once(session, url, payload, expected, result)
                if result.refused != refused:
                    await asyncio.sleep(0.02)

    await asyncio.gather(*(client() for _ in range(clients)))
    return result


def write_config(directory: Path, yaml: str) -> Path:
    path = directory / "gateway.yaml"
    path.write_text(yaml)
    return path
