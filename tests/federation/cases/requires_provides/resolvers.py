"""Data for the ``requires_provides`` case: @requires (nested, with arguments, through an interface, chained)
and @provides (nested, on interface and union fields).

Computed fields read their required data from the representation the gateway sent; when the data is missing
they raise, so a gateway that forgets a required field gets an error, not a plausible value.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.support.subgraph_schema import Resolvers

PRODUCTS: list[dict[str, Any]] = [
    {
        "id": "1",
        "name": "Table",
        "price": 900,
        "dimensions": {"weight": 30, "size": {"width": 20, "height": 10}},
        "media": {"__typename": "Photo", "id": "m1", "url": "https://img.example/table.png"},
    },
    {
        "id": "2",
        "name": "Film",
        "price": 20,
        "dimensions": {"weight": 1, "size": {"width": 2, "height": 3}},
        "media": {"__typename": "Video", "id": "m2", "seconds": 5400},
    },
    {
        "id": "3",
        "name": "Gift card",
        "price": 50,
        "dimensions": {"weight": 0, "size": {"width": 1, "height": 1}},
        "media": None,
    },
]

USERS: list[dict[str, Any]] = [
    {
        "id": "u1",
        "name": "Ada",
        "email": "ada@example.com",
        "address": {"city": "London", "street": "Baker St"},
    },
    {"id": "u2", "name": "Alan", "email": "alan@example.com", "address": None},
]


def _required(obj: dict[str, Any], *names: str) -> list[Any]:
    missing = [n for n in names if n not in obj]
    if missing:
        raise GraphQLError(f"required fields missing from the representation: {missing}")
    return [obj[n] for n in names]


def _shipping_cost(obj: dict[str, Any], _info: Any) -> int:
    price, dimensions = _required(obj, "price", "dimensions")
    size = dimensions["size"]
    return int(price // 100 + dimensions["weight"] * size["width"] * size["height"] // 100)


def _shipping_estimate(obj: dict[str, Any], _info: Any, zone: str) -> int:
    (dimensions,) = _required(obj, "dimensions")
    return int(dimensions["weight"] * (3 if zone == "US" else 1))


def _packaging(obj: dict[str, Any], _info: Any) -> str | None:
    (media,) = _required(obj, "media")
    if media is None:
        return None
    if "url" in media:
        return f"envelope for {media['url']}"
    return f"box for {media['seconds']} s of video"


def _total_cost(obj: dict[str, Any], _info: Any) -> int:
    price, shipping = _required(obj, "price", "shippingCost")
    return int(price + shipping)


def _author(user_id: str) -> dict[str, Any]:
    user = next(u for u in USERS if u["id"] == user_id)
    address = {"city": user["address"]["city"]} if user["address"] else None
    return {"__typename": "User", "id": user["id"], "name": user["name"], "address": address}


REVIEWS: list[dict[str, Any]] = [
    {"id": "r1", "body": "Solid.", "author": _author("u1")},
    {"id": "r2", "body": "Wobbly.", "author": _author("u2")},
    {"id": "r3", "body": "Great film.", "author": _author("u1")},
]


def build() -> dict[str, Resolvers]:
    return {
        "products": Resolvers(
            records={"Product": PRODUCTS}, fields={"Query.products": lambda _o, _i: PRODUCTS}
        ),
        "shipping": Resolvers(
            fields={
                "Product.shippingCost": _shipping_cost,
                "Product.shippingEstimate": _shipping_estimate,
                "Product.packaging": _packaging,
            }
        ),
        "tax": Resolvers(fields={"Product.totalCost": _total_cost}),
        "reviews": Resolvers(
            records={"Review": REVIEWS, "User": [{"id": u["id"]} for u in USERS]},
            fields={
                "Query.reviews": lambda _o, _i: REVIEWS,
                "Query.featured": lambda _o, _i: _author("u2"),
                "Query.authors": lambda _o, _i: [_author("u1"), {"__typename": "Bot", "model": "R2"}],
                "User.reviews": lambda user, _i: [r for r in REVIEWS if r["author"]["id"] == user["id"]],
            },
        ),
        "users": Resolvers(records={"User": USERS}),
    }
