"""Data for the ``retail_chains`` case: a retail graph (products, reviews, users, inventory).

Why: entity chains that leave and come back to a subgraph (users -> reviews -> products -> reviews -> users
-> inventory), lists of lists of entities, null items in entity lists, null and empty lists, and the same
entity reached through many paths are where merging results by path goes wrong.
"""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

PRODUCTS: list[dict[str, Any]] = [
    {"upc": "p1", "name": "Table", "price": 900},
    {"upc": "p2", "name": "Chair", "price": 120},
    {"upc": "p3", "name": "Lamp", "price": 45},
    {"upc": "p4", "name": "Rug", "price": 300},
]

REVIEWS: list[dict[str, Any]] = [
    {"id": "r1", "body": "Sturdy.", "author": {"id": "u1"}, "product": {"upc": "p1"}},
    {"id": "r2", "body": "Too big.", "author": {"id": "u2"}, "product": {"upc": "p1"}},
    {"id": "r3", "body": "Bright.", "author": {"id": "u1"}, "product": {"upc": "p3"}},
    {"id": "r4", "body": "Comfy.", "author": {"id": "u3"}, "product": {"upc": "p2"}},
]

USERS: list[dict[str, Any]] = [
    {
        "id": "u1",
        "username": "ada",
        "friends": [{"id": "u2"}, None, {"id": "u3"}],
        "favoriteProducts": [{"upc": "p2"}, {"upc": "p1"}],
    },
    {"id": "u2", "username": "alan", "friends": [], "favoriteProducts": None},
    {"id": "u3", "username": "grace", "friends": [{"id": "u1"}, {"id": "u4"}], "favoriteProducts": []},
    {"id": "u4", "username": "edsger", "friends": [None], "favoriteProducts": [{"upc": "p4"}]},
]

INVENTORY: list[dict[str, Any]] = [
    {
        "upc": "p1",
        "inStock": True,
        "bundles": [[{"upc": "p1"}, {"upc": "p2"}], [{"upc": "p1"}, {"upc": "p3"}]],
    },
    {"upc": "p2", "inStock": False, "bundles": []},
    {"upc": "p3", "inStock": True, "bundles": [[], [{"upc": "p4"}]]},
    {"upc": "p4", "inStock": False, "bundles": [[{"upc": "p4"}]]},
]


def _by_id(records: list[dict[str, Any]], key: str) -> dict[str, dict[str, Any]]:
    return {r[key]: r for r in records}


def _products() -> Resolvers:
    by_upc = _by_id(PRODUCTS, "upc")
    return Resolvers(
        records={"Product": PRODUCTS},
        fields={
            "Query.products": lambda _o, _i: PRODUCTS,
            "Query.product": lambda _o, _i, upc: by_upc.get(upc),
            "Query.topProducts": lambda _o, _i, first: [PRODUCTS[0], None, PRODUCTS[2], PRODUCTS[1]][:first],
            "Query.productGrid": lambda _o, _i: [
                [PRODUCTS[0], PRODUCTS[1]],
                [],
                None,
                [PRODUCTS[2], PRODUCTS[0]],
            ],
        },
    )


def _reviews() -> Resolvers:
    def of_product(product: dict[str, Any], _i: Any) -> list[dict[str, Any]]:
        return [r for r in REVIEWS if r["product"]["upc"] == product["upc"]]

    def top_review(product: dict[str, Any], info: Any) -> dict[str, Any] | None:
        found = of_product(product, info)
        return found[0] if found else None

    return Resolvers(
        records={"Review": REVIEWS},
        fields={
            "Query.latestReviews": lambda _o, _i: list(reversed(REVIEWS)),
            "User.reviews": lambda user, _i: [r for r in REVIEWS if r["author"]["id"] == user["id"]],
            "Product.reviews": of_product,
            "Product.topReview": top_review,
        },
    )


def _users() -> Resolvers:
    by_id = _by_id(USERS, "id")

    def friends(user: dict[str, Any], _i: Any) -> list[dict[str, Any] | None]:
        return [by_id[f["id"]] if f else None for f in by_id[user["id"]]["friends"]]

    return Resolvers(
        records={"User": USERS},
        fields={
            "Query.me": lambda _o, _i: USERS[0],
            "Query.users": lambda _o, _i: USERS,
            "User.friends": friends,
        },
    )


def _inventory() -> Resolvers:
    by_upc = _by_id(INVENTORY, "upc")

    def bundles(product: dict[str, Any], _i: Any) -> list[list[dict[str, Any]]]:
        return [[by_upc[p["upc"]] for p in group] for group in by_upc[product["upc"]]["bundles"]]

    return Resolvers(records={"Product": INVENTORY}, fields={"Product.bundles": bundles})


def build() -> dict[str, Resolvers]:
    return {
        "products": _products(),
        "reviews": _reviews(),
        "users": _users(),
        "inventory": _inventory(),
    }
