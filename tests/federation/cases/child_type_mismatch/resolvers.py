"""Data for the ``child_type_mismatch`` case: @shareable fields whose type differs between subgraphs in ways
that compose (an interface or union in one subgraph, an implementing object in another; ``[User!]!`` vs
``[Account]``; ``User!`` vs ``Account``).

Why: the supergraph types these fields with the most general type and records the subgraph's own type in
``@join__field(type:)``. A fetch must be written against the type as that subgraph sees it: teams knows no
``Account`` (nor ``Bot``, nor ``Featured``), directory's ``Account`` has no ``handle``. Shared fields agree in
every subgraph (they only ever hold users), so any subgraph may answer them; bots appear only in fields that
accounts alone defines.
"""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

USERS: dict[str, dict[str, Any]] = {
    "u1": {
        "id": "u1",
        "handle": "ada",
        "email": "ada@example.com",
        "title": "CTO",
        "since": 2015,
        "team": "t1",
    },
    "u2": {
        "id": "u2",
        "handle": "bob",
        "email": "bob@example.com",
        "title": "Engineer",
        "since": 2019,
        "team": "t1",
    },
    "u3": {
        "id": "u3",
        "handle": "cy",
        "email": "cy@example.com",
        "title": "Designer",
        "since": 2021,
        "team": "t2",
    },
}
BOTS: dict[str, dict[str, Any]] = {
    "k1": {"id": "k1", "handle": "ci-bot", "model": "builder-9"},
    "k2": {"id": "k2", "handle": "lint-bot", "model": "checker-2"},
}
TEAMS: dict[str, dict[str, Any]] = {
    "t1": {"id": "t1", "name": "Platform", "lead": "u1", "members": ["u1", "u2"], "bots": ["k1", "k2"]},
    "t2": {"id": "t2", "name": "Design", "lead": "u3", "members": ["u3"], "bots": []},
}
OWNER = "u1"
STAFF = ["u2", "u1", "u3"]
FEATURED = "u2"
ACCOUNTS = ["u1", "k1", "u2", "k2", "u3"]


def _user(uid: str, fields: tuple[str, ...]) -> dict[str, Any]:
    return {"__typename": "User", **{k: USERS[uid][k] for k in fields}}


def _bot(bid: str) -> dict[str, Any]:
    return {"__typename": "Bot", **BOTS[bid]}


def _account(aid: str) -> dict[str, Any]:
    return _user(aid, ("id", "handle", "email")) if aid in USERS else _bot(aid)


def _accounts() -> Resolvers:
    def team(tid: str) -> dict[str, Any] | None:
        t = TEAMS.get(tid)
        if t is None:
            return None
        return {
            "id": t["id"],
            "lead": _account(t["lead"]),
            "members": [_account(m) for m in t["members"]],
            "bots": [_bot(b) for b in t["bots"]],
        }

    return Resolvers(
        records={
            "User": [_account(u) for u in USERS],
            "Bot": [_bot(b) for b in BOTS],
            "Team": [t for t in (team(tid) for tid in TEAMS) if t is not None],
        },
        fields={
            "Query.owner": lambda _o, _i: _account(OWNER),
            "Query.staff": lambda _o, _i: [_account(a) for a in STAFF],
            "Query.featured": lambda _o, _i: _account(FEATURED),
            "Query.accounts": lambda _o, _i: [_account(a) for a in ACCOUNTS],
            "Query.team": lambda _o, _i, id: team(id),
        },
    )


def _teams() -> Resolvers:
    def user(uid: str) -> dict[str, Any]:
        return {"id": uid, "title": USERS[uid]["title"], "team": {"id": USERS[uid]["team"]}}

    teams = [
        {
            "id": t["id"],
            "name": t["name"],
            "lead": user(t["lead"]),
            "members": [user(m) for m in t["members"]],
        }
        for t in TEAMS.values()
    ]
    by_id = {t["id"]: t for t in teams}
    return Resolvers(
        records={"User": [user(u) for u in USERS], "Team": teams},
        fields={
            "Query.owner": lambda _o, _i: user(OWNER),
            "Query.staff": lambda _o, _i: [user(u) for u in STAFF],
            "Query.featured": lambda _o, _i: user(FEATURED),
            "Query.teams": lambda _o, _i: teams,
            "User.team": lambda u, _i: by_id[u["team"]["id"]],
        },
    )


def _directory() -> Resolvers:
    return Resolvers(
        records={"User": [_user(u, ("id", "since")) for u in USERS]},
        fields={
            "Query.owner": lambda _o, _i: _user(OWNER, ("id", "since")),
            "Query.staff": lambda _o, _i: [_user(u, ("id", "since")) for u in STAFF],
        },
    )


def build() -> dict[str, Resolvers]:
    return {"accounts": _accounts(), "teams": _teams(), "directory": _directory()}
