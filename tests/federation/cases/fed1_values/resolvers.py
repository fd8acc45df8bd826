"""Data for the ``fed1_values`` case: a Federation 1 graph (``@apollo/federation`` 0.x, join v0.1).

Why: Federation 1 value types (``Plan``, ``Region``) are defined identically in several services and resolved
by whichever service returns them; ``@provides`` and ``@requires`` use ``extend type`` with ``@external``.
The provided usernames equal the owner's, so answers agree; the request checks show the provide is used.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.support.subgraph_schema import Resolvers

USERS: list[dict[str, Any]] = [
    {"id": "u1", "name": "Ada Lovelace", "username": "ada", "plan": {"code": "PRO", "seats": 5}},
    {"id": "u2", "name": "Alan Turing", "username": "alan", "plan": None},
]

SHOWS: list[dict[str, Any]] = [
    {
        "id": "sh1",
        "title": "Engines",
        "host": "u1",
        "region": "EU",
        "tags": [{"label": "history"}, {"label": "math"}],
    },
    {"id": "sh2", "title": "Codes", "host": "u2", "region": "US", "tags": []},
    {"id": "sh3", "title": "Looms", "host": "u1", "region": None, "tags": None},
]

INVOICES = {
    "u1": [{"id": "i1", "amount": 50, "region": "EU"}, {"id": "i2", "amount": 70, "region": "US"}],
    "u2": [],
}


def _show_view(show: dict[str, Any]) -> dict[str, Any]:
    """The shows service's copy: the host with its provided username."""
    host = next(u for u in USERS if u["id"] == show["host"])
    cast = [{"id": u["id"], "username": u["username"]} for u in USERS if u["id"] != show["host"]]
    return {**show, "host": {"id": host["id"], "username": host["username"]}, "cast": [*cast, None]}


def _blurb(show: dict[str, Any], _i: Any) -> str:
    if "title" not in show:
        raise GraphQLError("title missing from the representation")
    return f"{show['title']}: a show"


def build() -> dict[str, Resolvers]:
    shows = [_show_view(s) for s in SHOWS]
    return {
        "accounts": Resolvers(
            records={"User": USERS},
            fields={
                "Query.me": lambda _o, _i: USERS[0],
                "Query.user": lambda _o, _i, id: next((u for u in USERS if u["id"] == id), None),
            },
        ),
        "shows": Resolvers(
            records={"Show": shows},
            fields={
                "Query.shows": lambda _o, _i: shows,
                "Query.show": lambda _o, _i, id: next((s for s in shows if s["id"] == id), None),
                "User.hosted": lambda user, _i: [s for s in shows if s["host"]["id"] == user["id"]],
            },
        ),
        "billing": Resolvers(
            fields={
                "Query.plans": lambda _o, _i: [{"code": "FREE", "seats": 1}, {"code": "PRO", "seats": 5}],
                "User.invoices": lambda user, _i: INVOICES.get(user["id"]),
            }
        ),
        "ratings": Resolvers(fields={"Show.blurb": _blurb}),
    }
