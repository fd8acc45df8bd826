"""The benchmark's four Federation 1 subgraphs (accounts, inventory, products, reviews) with the behaviour
described in /work/shared/bench/README.md, on the benchmark data (``data.json``, copied here)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.subgraph_schema import Resolvers

DATA: dict[str, Any] = json.loads((Path(__file__).parent / "data.json").read_text())


def _shipping_estimate(product: dict[str, Any], _info: Any) -> int | None:
    price, weight = product.get("price"), product.get("weight")
    if price is None:
        return None
    if price > 1000:
        return 0
    if weight is None:
        return None
    return int(weight // 2)


def _product_of(review: dict[str, Any], _info: Any) -> dict[str, Any]:
    return {"__typename": "Product", "upc": review["upc"]}


def build() -> dict[str, Resolvers]:
    users, products, reviews = DATA["USERS"], DATA["PRODUCTS"], DATA["REVIEWS"]
    return {
        "accounts": Resolvers(
            records={"User": users},
            fields={
                "Query.me": lambda _o, _i: users[0],
                "Query.users": lambda _o, _i: users,
                "Query.user": lambda _o, _i, id: next((u for u in users if u["id"] == id), None),
            },
        ),
        "products": Resolvers(
            records={"Product": products},
            fields={"Query.topProducts": lambda _o, _i, first: products[:first]},
        ),
        "inventory": Resolvers(
            fields={
                "Product.inStock": lambda p, _i: DATA["IN_STOCK"].get(p["upc"]),
                "Product.shippingEstimate": _shipping_estimate,
            }
        ),
        "reviews": Resolvers(
            records={"Review": reviews},
            fields={
                "Product.reviews": lambda p, _i: [r for r in reviews if r["upc"] == p["upc"]],
                "User.reviews": lambda _u, _i: DATA["USER_REVIEWS"],
                "Review.author": lambda _r, _i: {"__typename": "User", **DATA["AUTHOR"]},
                "Review.product": _product_of,
            },
        ),
    }
