"""Data for the ``provides_paths`` case: @provides on lists, nested, on interfaces, and partly provided.

Why: a gateway must use provided fields where the path allows it (no fetch to the owner) and must still fetch
the same fields from the owner on paths that do not provide them. The provided copies equal the owner's data,
so the answers are the same either way; the ``.requests.json`` files check the fetches.
"""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

USERS: list[dict[str, Any]] = [
    {"id": "u1", "name": "Ada", "email": "ada@example.com", "address": {"city": "London", "zip": "NW1"}},
    {"id": "u2", "name": "Alan", "email": "alan@example.com", "address": None},
    {
        "id": "u3",
        "name": "Grace",
        "email": "grace@example.com",
        "address": {"city": "Arlington", "zip": "22201"},
    },
]

GUESTS: list[dict[str, Any]] = [{"id": "g1", "nickname": "anon", "visits": 3}]


def _provided(user_id: str) -> dict[str, Any]:
    """What blog stores about a user: its copy of the name and city (the @provides data)."""
    user = next(u for u in USERS if u["id"] == user_id)
    address = {"city": user["address"]["city"]} if user["address"] else None
    return {"__typename": "User", "id": user_id, "name": user["name"], "address": address}


POSTS: list[dict[str, Any]] = [
    {
        "id": "p1",
        "title": "Engines",
        "author": _provided("u1"),
        "coauthors": [_provided("u2"), _provided("u3")],
        "editor": {"id": "u3"},
    },
    {"id": "p2", "title": "Machines", "author": _provided("u2"), "coauthors": [], "editor": None},
    {
        "id": "p3",
        "title": "Compilers",
        "author": _provided("u3"),
        "coauthors": [_provided("u1")],
        "editor": {"id": "u1"},
    },
]


def build() -> dict[str, Resolvers]:
    return {
        "accounts": Resolvers(
            records={"User": USERS, "Guest": GUESTS},
            fields={"Query.user": lambda _o, _i, id: next((u for u in USERS if u["id"] == id), None)},
        ),
        "blog": Resolvers(
            records={"Post": POSTS},
            fields={
                "Query.feed": lambda _o, _i: POSTS,
                "Query.staffPicks": lambda _o, _i: [_provided("u3"), _provided("u1")],
                "Query.people": lambda _o, _i: [
                    _provided("u2"),
                    {"__typename": "Guest", "id": "g1", "nickname": "anon"},
                ],
                "User.posts": lambda user, _i: [
                    p
                    for p in POSTS
                    if p["author"]["id"] == user["id"] or user["id"] in [c["id"] for c in p["coauthors"]]
                ],
            },
        ),
    }
