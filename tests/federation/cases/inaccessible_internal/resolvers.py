"""Data for the ``inaccessible_internal`` case: @inaccessible on a key field, enum value, input field,
argument, type, union member and interface implementation.

Why: clients must not see or use any of them (validation errors, introspection without them), while the
gateway keeps using the hidden key field to reach ``audit`` and to satisfy a @requires.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.support.subgraph_schema import Resolvers

USERS: list[dict[str, Any]] = [
    {"id": "1", "internalId": "int-9001", "name": "Ada", "role": "ADMIN"},
    {"id": "2", "internalId": "int-9002", "name": "Alan", "role": "MEMBER"},
    {"id": "3", "internalId": "int-9003", "name": "Grace", "role": "MEMBER"},
]

AUDIT: list[dict[str, Any]] = [
    {"internalId": "int-9001", "lastLogin": "2026-01-01", "risk": 1},
    {"internalId": "int-9002", "lastLogin": "2026-02-02", "risk": 7},
    {"internalId": "int-9003", "lastLogin": "2026-03-03", "risk": 3},
]


def _find(_o: Any, _i: Any, filter: dict[str, Any]) -> list[dict[str, Any]]:
    found = USERS
    if filter.get("nameContains"):
        found = [u for u in found if filter["nameContains"].lower() in u["name"].lower()]
    if filter.get("role"):
        found = [u for u in found if u["role"] == filter["role"]]
    return found


def _risk(user: dict[str, Any], _i: Any, includeHistory: bool | None = None) -> int:
    return int(user["risk"] * (10 if includeHistory else 1))


def _profile_url(user: dict[str, Any], _i: Any) -> str:
    if "internalId" not in user:
        raise GraphQLError("internalId missing from the representation")
    return f"https://intranet.example/{user['internalId']}"


def build() -> dict[str, Resolvers]:
    return {
        "users": Resolvers(
            records={"User": USERS},
            fields={"Query.users": lambda _o, _i: USERS, "Query.findUsers": _find},
        ),
        "audit": Resolvers(records={"User": AUDIT}, fields={"User.riskScore": _risk}),
        "feed": Resolvers(
            fields={
                "Query.feed": lambda _o, _i: [
                    {"__typename": "Post", "id": "p1", "title": "Hello"},
                    {"__typename": "Post", "id": "p2", "title": "Again"},
                ],
                "Query.contents": lambda _o, _i: [{"__typename": "Post", "id": "p1", "title": "Hello"}],
                "Query.mixedFeed": lambda _o, _i: [
                    {"__typename": "Post", "id": "p1", "title": "Hello"},
                    {"__typename": "SecretNote", "id": "n1", "text": "hidden"},
                ],
                "User.profileUrl": _profile_url,
            }
        ),
    }
