"""Data for the ``errors`` case: subgraph GraphQL errors at the root and in ``_entities``.

Also non-null violations; transport faults are injected per query through ``<NN-name>.faults.json``.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.support.subgraph_schema import Resolvers

PRODUCTS: list[dict[str, Any]] = [
    {"id": "1", "name": "Lamp"},
    {"id": "2", "name": "Desk"},
    {"id": "3", "name": "Rug"},
]


def _boom(_o: Any, _i: Any) -> str:
    raise GraphQLError("boom at the root", extensions={"code": "BOOM"})


def _reviews(product: dict[str, Any], _i: Any) -> list[dict[str, Any]]:
    if product["id"] == "2":
        raise GraphQLError("reviews are unavailable for product 2", extensions={"code": "REVIEWS_DOWN"})
    return [{"body": f"Nice {product['id']}"}]


def _rating(product: dict[str, Any], _i: Any) -> int | None:
    return None if product["id"] == "3" else int(product["id"]) + 2


def build() -> dict[str, Resolvers]:
    return {
        "products": Resolvers(
            records={"Product": PRODUCTS},
            fields={
                "Query.products": lambda _o, _i: PRODUCTS,
                "Query.boom": _boom,
                "Query.strict": lambda _o, _i: None,
            },
        ),
        "reviews": Resolvers(fields={"Product.reviews": _reviews, "Product.rating": _rating}),
        "inventory": Resolvers(fields={"Product.inStock": lambda p, _i: p["id"] != "2"}),
    }
