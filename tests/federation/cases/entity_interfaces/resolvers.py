"""Data for the ``entity_interfaces`` case: an entity interface owned by one subgraph, @interfaceObject
in two others.

Why: the @interfaceObject subgraphs only know ``Account``; the gateway must send them representations typed
``Account`` (not ``Person``/``Org``), must ask the owning subgraph for the concrete ``__typename`` when a
query needs it, and can go from one @interfaceObject subgraph to the other with the key alone.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.support.subgraph_schema import Resolvers

ACCOUNTS: list[dict[str, Any]] = [
    {"__typename": "Person", "id": "a1", "handle": "@ada", "firstName": "Ada"},
    {"__typename": "Person", "id": "a2", "handle": "@alan", "firstName": "Alan"},
    {"__typename": "Org", "id": "o1", "handle": "@acme", "members": [{"id": "a1"}, {"id": "a2"}]},
]

BILLING: list[dict[str, Any]] = [
    {"id": "a1", "plan": "FREE", "balance": 0},
    {"id": "a2", "plan": "PRO", "balance": -50},
    {"id": "o1", "plan": "ENTERPRISE", "balance": -1200},
]

ACTIVITY: list[dict[str, Any]] = [
    {"id": "a1", "lastSeen": "2026-01-02", "log": ["login", "post", "logout"]},
    {"id": "a2", "lastSeen": "2026-03-04", "log": ["login"]},
    {"id": "o1", "lastSeen": "2026-05-06", "log": ["invoice", "invoice", "audit"]},
]


def _members(org: dict[str, Any], _i: Any) -> list[dict[str, Any]]:
    ids = [m["id"] for m in org["members"]]
    return [a for a in ACCOUNTS if a["id"] in ids]


def _risk(account: dict[str, Any], _i: Any) -> str:
    if "balance" not in account:
        raise GraphQLError("balance missing from the representation")
    return "high" if account["balance"] < -100 else "low"


def _greeting(account: dict[str, Any], _i: Any) -> str:
    if "handle" not in account:
        raise GraphQLError("handle missing from the representation")
    return f"hello {account['handle']}"


def build() -> dict[str, Resolvers]:
    by_id = {a["id"]: a for a in ACCOUNTS}
    billing = [dict(b) for b in BILLING]

    def set_plan(_o: Any, _i: Any, id: str, plan: str) -> dict[str, Any] | None:
        record = next((b for b in billing if b["id"] == id), None)
        if record is not None:
            record["plan"] = plan
        return record

    return {
        "identity": Resolvers(
            records={"Account": ACCOUNTS},
            fields={
                "Query.account": lambda _o, _i, id: by_id.get(id),
                "Query.accounts": lambda _o, _i: ACCOUNTS,
                "Org.members": _members,
            },
        ),
        "billing": Resolvers(
            records={"Account": billing},
            fields={
                "Mutation.setPlan": set_plan,
                "Query.overdue": lambda _o, _i: sorted(
                    [b for b in billing if b["balance"] < 0], key=lambda b: b["balance"]
                ),
            },
        ),
        "activity": Resolvers(
            records={"Account": ACTIVITY},
            fields={
                "Query.recentlyActive": lambda _o, _i: [ACTIVITY[1], ACTIVITY[2]],
                "Account.events": lambda account, _i, limit: account["log"][:limit],
                "Account.risk": _risk,
                "Account.greeting": _greeting,
            },
        ),
    }
