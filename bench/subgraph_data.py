"""The four benchmark subgraphs' data and resolvers (accounts, inventory, products, reviews).

Why a separate module: this behaviour is the benchmark's contract (the rules of the shared benchmark
description, under which ``@apollo/gateway`` and ``@graphql-hive/gateway`` return exactly
``data/expected/*.json``), and keeping it apart from the HTTP server makes it easy to check line by line:

- accounts: ``users`` = all USERS; ``me`` = the first user; ``user(id)``; User entities by id.
- products: ``topProducts(first = 5)`` = the first N PRODUCTS; Product entities by upc.
- inventory: Product entities by upc with ``inStock`` from IN_STOCK; ``shippingEstimate``
  (``@requires(fields: "price weight")``) computed from the representation.
- reviews: Review by id; ``Product.reviews`` = REVIEWS with that upc; every ``User.reviews`` = USER_REVIEWS;
  every ``Review.author`` = AUTHOR (``@provides(fields: "username")``); ``Review.product`` = the product
  with the review's upc.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson

from bench.federation_schema import SubgraphDefinition

DATA_DIR = Path(__file__).resolve().parent / "data"
SUBGRAPH_NAMES = ("accounts", "inventory", "products", "reviews")


def load_data(path: Path = DATA_DIR / "data.json") -> dict[str, Any]:
    return orjson.loads(path.read_bytes())


def shipping_estimate(price: int | None, weight: int | None) -> int | None:
    """The ``@requires(fields: "price weight")`` rule: free above 1000, else half the weight."""
    if price is None:
        return None
    if price > 1000:
        return 0
    if weight is None:
        return None
    return weight // 2


def _index(rows: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {row[key]: row for row in rows}


def accounts(data: Mapping[str, Any], sdl: str) -> SubgraphDefinition:
    users: list[dict[str, Any]] = data["USERS"]
    by_id = _index(users, "id")
    return SubgraphDefinition(
        name="accounts",
        sdl=sdl,
        resolvers={
            "Query.me": lambda _root: users[0],
            "Query.user": lambda _root, id: by_id.get(id),
            "Query.users": lambda _root: users,
        },
        entity_resolvers={"User": lambda rep: by_id.get(rep["id"])},
    )


def products(data: Mapping[str, Any], sdl: str) -> SubgraphDefinition:
    rows: list[dict[str, Any]] = data["PRODUCTS"]
    by_upc = _index(rows, "upc")
    return SubgraphDefinition(
        name="products",
        sdl=sdl,
        resolvers={"Query.topProducts": lambda _root, first=5: rows[:first]},
        entity_resolvers={"Product": lambda rep: by_upc.get(rep["upc"])},
    )


def inventory(data: Mapping[str, Any], sdl: str) -> SubgraphDefinition:
    in_stock: dict[str, bool] = data["IN_STOCK"]

    def product(rep: Mapping[str, Any]) -> dict[str, Any]:
        # price and weight are @external: they only exist here because the gateway sent them (@requires).
        return {
            "upc": rep["upc"],
            "price": rep.get("price"),
            "weight": rep.get("weight"),
            "inStock": in_stock.get(rep["upc"]),
        }

    return SubgraphDefinition(
        name="inventory",
        sdl=sdl,
        resolvers={
            "Product.shippingEstimate": lambda obj: shipping_estimate(obj.get("price"), obj.get("weight")),
        },
        entity_resolvers={"Product": product},
    )


def reviews(data: Mapping[str, Any], sdl: str) -> SubgraphDefinition:
    rows: list[dict[str, Any]] = data["REVIEWS"]
    by_id = _index(rows, "id")
    user_reviews: list[dict[str, Any]] = data["USER_REVIEWS"]
    author: dict[str, Any] = data["AUTHOR"]
    by_upc: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_upc.setdefault(row["upc"], []).append(row)

    return SubgraphDefinition(
        name="reviews",
        sdl=sdl,
        resolvers={
            "Product.reviews": lambda obj: by_upc.get(obj["upc"], []),
            "User.reviews": lambda _obj: user_reviews,
            # @provides(fields: "username"): the author object carries username from this subgraph.
            "Review.author": lambda _obj: author,
            "Review.product": lambda obj: {"upc": obj["upc"]},
        },
        entity_resolvers={
            "Review": lambda rep: by_id.get(rep["id"]),
            "Product": lambda rep: {"upc": rep["upc"]},
            "User": lambda rep: {"id": rep["id"], "username": rep.get("username")},
        },
    )


_FACTORIES = {"accounts": accounts, "inventory": inventory, "products": products, "reviews": reviews}


def definitions(data_dir: Path = DATA_DIR) -> list[SubgraphDefinition]:
    """All four subgraph definitions, reading SDLs from ``data_dir/subgraphs`` and values from data.json."""
    data = load_data(data_dir / "data.json")
    return [
        _FACTORIES[name](data, (data_dir / "subgraphs" / f"{name}.graphql").read_text())
        for name in SUBGRAPH_NAMES
    ]
