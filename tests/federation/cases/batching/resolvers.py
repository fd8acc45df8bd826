"""Data for the ``batching`` case: 30 products, 2 reviews each, written by 5 users (many duplicates).

A gateway must batch each plan step into one ``_entities`` request and send each distinct representation once.
"""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

PRODUCTS: list[dict[str, Any]] = [{"upc": f"u{n:02d}", "name": f"Product {n}"} for n in range(1, 31)]
USERS: list[dict[str, Any]] = [{"id": f"user{n}", "name": f"User {n}"} for n in range(1, 6)]


def _reviews(product: dict[str, Any], _info: Any) -> list[dict[str, Any]]:
    n = int(product["upc"][1:])
    return [
        {
            "id": f"{product['upc']}-{k}",
            "body": f"Review {k} of {n}",
            "author": {"id": f"user{(n + k) % 5 + 1}"},
        }
        for k in (1, 2)
    ]


def build() -> dict[str, Resolvers]:
    return {
        "products": Resolvers(
            records={"Product": PRODUCTS},
            fields={
                "Query.topProducts": lambda _o, _i, first: PRODUCTS[:first],
                "Query.repeated": lambda _o, _i: [p for _ in range(3) for p in PRODUCTS[:3]],
            },
        ),
        "reviews": Resolvers(fields={"Product.reviews": _reviews}),
        "users": Resolvers(records={"User": USERS}),
        "inventory": Resolvers(fields={"Product.inStock": lambda p, _i: int(p["upc"][1:]) % 3 != 0}),
    }
