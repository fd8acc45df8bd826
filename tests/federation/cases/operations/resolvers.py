"""Data for the ``operations`` case: fragments, aliases, directives, variables, introspection and mutations.

The two subgraphs share one event log (they run in one process), so mutations across subgraphs show the order
a gateway executed them in: each returns the log after its own append. ``resetLog`` first makes it repeatable.
"""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

USERS: list[dict[str, Any]] = [
    {"id": "1", "name": "Ada", "friends": [{"id": "2"}, {"id": "3"}], "role": "ADMIN"},
    {"id": "2", "name": "Alan", "friends": [{"id": "1"}], "role": "MEMBER"},
    {"id": "3", "name": "Grace", "friends": [], "role": "MEMBER"},
]

POSTS: list[dict[str, Any]] = [
    {"id": "p1", "title": "Engines", "author": {"id": "1"}, "tags": ["math", "history", "code"]},
    {"id": "p2", "title": "Machines", "author": {"id": "2"}, "tags": ["ai"]},
    {"id": "p3", "title": "Compilers", "author": {"id": "3"}, "tags": ["code", "navy"]},
    {"id": "p4", "title": "Notes", "author": {"id": "1"}, "tags": []},
]


def _user(user_id: str) -> dict[str, Any] | None:
    return next((u for u in USERS if u["id"] == user_id), None)


def build() -> dict[str, Resolvers]:
    log: list[str] = []

    def reset(_o: Any, _i: Any) -> bool:
        log.clear()
        return True

    def add(prefix: str) -> Any:
        def resolve(_o: Any, _i: Any, text: str) -> list[str]:
            log.append(f"{prefix}:{text}")
            return list(log)

        return resolve

    def posts_of(user: dict[str, Any], _i: Any, first: int | None = None) -> list[dict[str, Any]]:
        mine = [p for p in POSTS if p["author"]["id"] == user["id"]]
        return mine if first is None else mine[:first]

    return {
        "users": Resolvers(
            records={"User": USERS},
            fields={
                "Query.me": lambda _o, _i: _user("1"),
                "Query.users": lambda _o, _i: [_user(u["id"]) for u in USERS],
                "Query.user": lambda _o, _i, id: _user(id),
                "Query.greeting": lambda _o, _i, name, punctuation: f"Hello, {name}{punctuation}",
                "User.friends": lambda user, _i: [_user(f["id"]) for f in user["friends"]],
                "Mutation.resetLog": reset,
                "Mutation.addUserNote": add("users"),
            },
        ),
        "posts": Resolvers(
            records={"Post": POSTS},
            fields={
                "Query.posts": lambda _o, _i, first: POSTS[:first] if first is not None else POSTS,
                "Post.tags": lambda post, _i, limit=None: (
                    post["tags"][:limit] if limit is not None else post["tags"]
                ),
                "User.posts": posts_of,
                "Mutation.addPostNote": add("posts"),
            },
        ),
    }
