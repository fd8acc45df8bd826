"""Data for the ``operations_advanced`` case: operation features at entity boundaries.

Why: fragments, aliases, directives and variables are rewritten by the planner into several subgraph
operations; these queries reuse fragments at several levels, alias the same field with different arguments
(and over a key field's name), put @skip/@include on entity-owned fields and fragments, and use variables only
in nested entity fetches (including one that is not provided, so the argument default must apply).
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.support.subgraph_schema import Resolvers

USERS: list[dict[str, Any]] = [
    {"id": "u1", "name": "Ada", "karma": 42},
    {"id": "u2", "name": "Alan", "karma": 7},
    {"id": "u3", "name": "Grace", "karma": 99},
]

POSTS: list[dict[str, Any]] = [
    {
        "id": "p1",
        "title": "Engines",
        "author": {"id": "u1"},
        "comments": [
            {"id": "c1", "text": "Neat", "by": {"id": "u2"}},
            {"id": "c2", "text": "More!", "by": {"id": "u3"}},
        ],
    },
    {"id": "p2", "title": "Machines", "author": {"id": "u2"}, "comments": []},
    {
        "id": "p3",
        "title": "Compilers",
        "author": {"id": "u3"},
        "comments": [{"id": "c3", "text": "Yes", "by": {"id": "u1"}}],
    },
]

VIEWS_PER_DAY = {"p1": 10, "p2": 3, "p3": 25}


def _handle(user: dict[str, Any], _i: Any, upper: bool) -> str:
    handle = "@" + user["name"].lower()
    return handle.upper() if upper else handle


def _karma(user: dict[str, Any], _i: Any, scale: int | None) -> int:
    if scale is None:
        raise GraphQLError("karma got scale: null (an unset variable must not be sent as null)")
    return int(user["karma"] * scale)


def build() -> dict[str, Resolvers]:
    return {
        "posts": Resolvers(
            records={"Post": POSTS},
            fields={
                "Query.posts": lambda _o, _i, first: POSTS[:first],
                "Post.comments": lambda post, _i, limit=None: post["comments"][:limit],
            },
        ),
        "users": Resolvers(
            records={"User": USERS},
            fields={
                "Query.me": lambda _o, _i: USERS[0],
                "User.handle": _handle,
                "User.avatar": lambda user, _i, size: f"https://img.example/{user['id']}-{size}.png",
            },
        ),
        "stats": Resolvers(
            records={"User": USERS},
            fields={
                "Post.views": lambda post, _i, days: VIEWS_PER_DAY[post["id"]] * days,
                "User.karma": _karma,
            },
        ),
    }
