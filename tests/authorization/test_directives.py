"""End-to-end authorization: real subgraphs, the real gateway app, tokens from the test secret.

Every test checks the client's answer *and* what the subgraphs received, since "no subgraph request for an
unauthorized branch" is half of the contract.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from tests.authorization import policies
from tests.authorization.harness import SUPERGRAPH, Gateway, running_gateway, token

CODE = "UNAUTHORIZED_FIELD_OR_TYPE"


def _paths(body: dict[str, Any]) -> list[list[Any]]:
    return [e["path"] for e in body.get("errors", []) if e["extensions"]["code"] == CODE]


@pytest.fixture
async def gw(aiohttp_client: Any):
    policies.CALLS.clear()
    async with running_gateway(aiohttp_client) as gateway:
        yield gateway


async def test_anonymous_loses_authenticated_field_and_no_subgraph_sees_it(gw: Gateway) -> None:
    status, body = await gw.query("{ publicInfo me { name } }")
    assert status == 200
    assert body["data"] == {"publicInfo": "hello", "me": None}
    assert body["errors"] == [
        {"message": "Unauthorized field or type", "path": ["me"], "extensions": {"code": CODE}}
    ]
    queries = gw.subgraph_queries("accounts")
    assert len(queries) == 1
    assert "me" not in queries[0]
    assert "publicInfo" in queries[0]


async def test_authenticated_caller_sees_authenticated_field(gw: Gateway) -> None:
    status, body = await gw.query("{ publicInfo me { name } }", bearer=token())
    assert status == 200
    assert body == {"data": {"publicInfo": "hello", "me": {"name": "Ada"}}}


async def test_fully_unauthorized_operation_sends_no_subgraph_request(gw: Gateway) -> None:
    _status, body = await gw.query("{ me { name } adminStats { count } }")
    assert body["data"] == {"me": None, "adminStats": None}
    assert sorted(_paths(body)) == [["adminStats"], ["me"]]
    assert gw.kit.requests() == []


@pytest.mark.parametrize(
    ("scope", "email_visible"),
    [(None, False), ("read:email", True), ("admin", True), ("read:pii", False), ("other admin", True)],
)
async def test_requires_scopes_outer_list_is_or(gw: Gateway, scope: str | None, email_visible: bool) -> None:
    claims = {} if scope is None else {"scope": scope}
    _status, body = await gw.query('{ user(id: "u1") { name email } }', bearer=token(**claims))
    user = body["data"]["user"]
    assert user["name"] == "Ada"
    assert user["email"] == ("ada@example.com" if email_visible else None)
    assert _paths(body) == ([] if email_visible else [["user", "email"]])
    if not email_visible:
        assert all("email" not in q for q in gw.subgraph_queries("accounts"))


@pytest.mark.parametrize(
    ("claims", "visible"),
    [
        ({"scope": "read:pii"}, False),
        ({"scope": "read:email"}, False),
        ({"scope": "read:pii read:email"}, True),
        ({"scp": ["read:pii", "read:email"]}, True),
        ({"scope": ["read:email", "read:pii"]}, True),
    ],
)
async def test_requires_scopes_inner_list_is_and(gw: Gateway, claims: dict[str, Any], visible: bool) -> None:
    _status, body = await gw.query('{ user(id: "u1") { ssn } }', bearer=token(**claims))
    assert body["data"]["user"] == ({"ssn": "123-45"} if visible else None)
    assert _paths(body) == ([] if visible else [["user"]])  # emptied selection: the parent is removed


async def test_sync_policy_decides_from_claims(gw: Gateway) -> None:
    _s, denied = await gw.query('{ user(id: "u1") { name internalNote } }', bearer=token())
    assert denied["data"]["user"] == {"name": "Ada", "internalNote": None}
    assert _paths(denied) == [["user", "internalNote"]]
    _s, allowed = await gw.query('{ user(id: "u1") { name internalNote } }', bearer=token(staff=True))
    assert allowed == {"data": {"user": {"name": "Ada", "internalNote": "staff only"}}}


async def test_async_policy_receives_the_request(gw: Gateway) -> None:
    query = '{ user(id: "u1") { asyncNote } }'
    _s, allowed = await gw.query(query, bearer=token())
    assert allowed == {"data": {"user": {"asyncNote": "async ok"}}}
    _s, denied = await gw.query(query, bearer=token(), headers={"x-deny-async": "1"})
    assert _paths(denied) == [["user"]]
    _s, anonymous = await gw.query(query)
    assert _paths(anonymous) == [["user"]]


async def test_raising_and_unknown_policies_deny_and_are_logged(
    gw: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="gateway.authorization"):
        _s, body = await gw.query(
            '{ user(id: "u1") { name brokenNote unknownNote } }', bearer=token(staff=True)
        )
    assert body["data"]["user"] == {"name": "Ada", "brokenNote": None, "unknownNote": None}
    assert sorted(_paths(body)) == [["user", "brokenNote"], ["user", "unknownNote"]]
    text = caplog.text
    assert "'raises' raised" in text
    assert "policy backend down" in text
    assert "'not_configured'" in text


async def test_policy_alternatives_and_each_policy_evaluated_once(gw: Gateway) -> None:
    # eitherNote: [["raises"], ["is_staff", "async_allow"]] ; internalNote: [["is_staff"]]
    query = '{ user(id: "u1") { eitherNote internalNote } a: user(id: "u1") { internalNote } }'
    _s, body = await gw.query(query, bearer=token(staff=True))
    assert body == {
        "data": {
            "user": {"eitherNote": "either", "internalNote": "staff only"},
            "a": {"internalNote": "staff only"},
        }
    }
    assert policies.CALLS.count("is_staff") == 1
    assert policies.CALLS.count("raises") <= 1
    policies.CALLS.clear()
    _s, denied = await gw.query('{ user(id: "u1") { eitherNote } }', bearer=token())
    assert _paths(denied) == [["user"]]


async def test_interface_marked_by_composition_guards_the_abstract_field(gw: Gateway) -> None:
    # Apollo's composition copies @authenticated from Document onto the Node interface it implements, so
    # Query.node (returning Node) is guarded whatever the selection.
    assert "interface Node\n  @join__type(graph: ACCOUNTS)\n  @authenticated" in SUPERGRAPH
    _s, body = await gw.query('{ node(id: "u1") { ... on User { name } } }')
    assert body["data"] == {"node": None}
    assert _paths(body) == [["node"]]
    assert gw.kit.requests() == []
    _s, body = await gw.query('{ node(id: "d1") { id } }', bearer=token())
    assert body == {"data": {"node": {"id": "d1"}}}


async def test_interface_field_needs_every_implementation_allowed(aiohttp_client: Any) -> None:
    # Without the interface-level directive, the rule "every possible type must allow it" still applies.
    unmarked = SUPERGRAPH.replace(
        "interface Node\n  @join__type(graph: ACCOUNTS)\n  @authenticated",
        "interface Node\n  @join__type(graph: ACCOUNTS)",
    )
    assert unmarked != SUPERGRAPH
    async with running_gateway(aiohttp_client, supergraph=unmarked) as gw:
        _s, body = await gw.query('{ node(id: "u1") { id } }')
        assert body["data"] == {"node": None}
        assert _paths(body) == [["node"]]
        assert gw.kit.requests() == []
        _s, body = await gw.query('{ node(id: "u1") { ... on User { id name } } }')
        assert body == {"data": {"node": {"id": "u1", "name": "Ada"}}}
        _s, body = await gw.query('{ node(id: "d1") { __typename ... on Document { title } } }')
        assert body["data"] == {"node": {"__typename": "Document", "title": None}}
        assert _paths(body) == [["node", "title"]]
        _s, body = await gw.query('{ node(id: "d1") { id } }', bearer=token())
        assert body == {"data": {"node": {"id": "d1"}}}


async def test_union_member_type_guard(gw: Gateway) -> None:
    query = "{ search { __typename ... on User { name } ... on Document { title } } }"
    _s, anonymous = await gw.query(query)
    assert anonymous["data"] == {
        "search": [{"__typename": "User", "name": "Ada"}, {"__typename": "Document", "title": None}]
    }
    assert _paths(anonymous) == [["search", "title"]]
    assert all("title" not in q for q in gw.subgraph_queries("accounts"))
    _s, signed = await gw.query(query, bearer=token())
    assert signed == {
        "data": {
            "search": [
                {"__typename": "User", "name": "Ada"},
                {"__typename": "Document", "title": "Secret plan"},
            ]
        }
    }


async def test_named_fragments_are_filtered_with_paths(gw: Gateway) -> None:
    query = """
      query Q { user(id: "u1") { ...Info } me { ...Info } }
      fragment Info on User { name email }
    """
    _s, body = await gw.query(query, bearer=token())
    assert body["data"] == {"user": {"name": "Ada", "email": None}, "me": {"name": "Ada", "email": None}}
    assert sorted(_paths(body)) == [["me", "email"], ["user", "email"]]


async def test_unauthorized_entity_branch_sends_no_subgraph_request(gw: Gateway) -> None:
    _s, body = await gw.query('{ user(id: "u1") { name balance } }', bearer=token())
    assert body["data"] == {"user": {"name": "Ada", "balance": None}}
    assert gw.kit.requests("billing") == []
    gw.kit.clear_log()
    _s, body = await gw.query('{ user(id: "u1") { name balance } }', bearer=token(scope="billing"))
    assert body == {"data": {"user": {"name": "Ada", "balance": 100}}}
    assert len(gw.kit.entity_requests("billing")) == 1


async def test_unauthorized_key_field_is_null_but_the_join_still_works(gw: Gateway) -> None:
    _s, body = await gw.query("{ accounts { number owner limit } }")
    assert body["data"] == {"accounts": [{"number": None, "owner": "Ada", "limit": 500}]}
    assert _paths(body) == [["accounts", "number"]]
    representations = [r for req in gw.kit.entity_requests("billing") for r in req.representations]
    assert representations == [{"__typename": "Account", "number": "A-1"}]
    _s, body = await gw.query("{ accounts { number limit } }", bearer=token(scope="read:account_number"))
    assert body == {"data": {"accounts": [{"number": "A-1", "limit": 500}]}}


async def test_plans_are_cached_per_authorization_outcome(gw: Gateway) -> None:
    query = '{ user(id: "u1") { name email } }'
    await gw.query(query)
    await gw.query(query, bearer=token(scope="read:email"))
    await gw.query(query)
    await gw.query(query, bearer=token(scope="admin"))
    snapshot = gw.pipeline.snapshot
    assert snapshot is not None
    prepared = snapshot.operations.get((query, None))
    assert prepared is not None
    assert not isinstance(prepared, Exception)
    assert len(prepared.plans) == 2  # one plan per outcome, reused across principals with the same outcome
    queries = gw.subgraph_queries("accounts")
    assert ["email" in q for q in queries] == [False, True, False, True]
    _s, body = await gw.query(query)
    assert body["data"]["user"]["email"] is None  # the anonymous plan is not the scoped one


async def test_mutation_free_introspection_and_typename_untouched(gw: Gateway) -> None:
    _s, body = await gw.query("{ __typename me { __typename } }")
    assert body["data"] == {"__typename": "Query", "me": None}
    assert _paths(body) == [["me"]]


async def test_reject_mode_rejects_the_whole_operation(aiohttp_client: Any) -> None:
    async with running_gateway(aiohttp_client, "  reject_unauthorized: true") as gw:
        status, body = await gw.query("{ publicInfo me { name } }")
        assert status == 200  # Apollo's answer under application/json: errors, no data
        assert "data" not in body
        assert _paths(body) == [["me"]]
        assert gw.kit.requests() == []
        status, body = await gw.query(
            "{ publicInfo me { name } }", headers={"accept": "application/graphql-response+json"}
        )
        assert status == 400
        assert "data" not in body
        status, body = await gw.query("{ publicInfo me { name } }", bearer=token())
        assert body == {"data": {"publicInfo": "hello", "me": {"name": "Ada"}}}


async def test_dry_run_reports_without_filtering(
    aiohttp_client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    async with running_gateway(aiohttp_client, "  dry_run: true") as gw:
        with caplog.at_level(logging.WARNING, logger="gateway.authorization"):
            status, body = await gw.query('{ me { name } user(id: "u1") { email } }')
        assert status == 200
        assert body["data"] == {"me": {"name": "Ada"}, "user": {"email": "ada@example.com"}}
        assert "errors" not in body
        assert body["extensions"]["authorization"] == {
            "dryRun": True,
            "unauthorizedPaths": [["me"], ["user"]],
        }
        assert "dry run" in caplog.text


async def test_disabled_authorization_enforces_nothing(aiohttp_client: Any) -> None:
    async with running_gateway(aiohttp_client, "  enabled: false") as gw:
        _s, body = await gw.query("{ me { name } }")
        assert body == {"data": {"me": {"name": "Ada"}}}


async def test_enum_and_scalar_type_directives_guard_fields_returning_them(gw: Gateway) -> None:
    query = '{ user(id: "u1") { name tier apiToken } }'
    _s, anonymous = await gw.query(query)
    assert anonymous["data"] == {"user": {"name": "Ada", "tier": None, "apiToken": None}}
    assert sorted(_paths(anonymous)) == [["user", "apiToken"], ["user", "tier"]]
    _s, signed = await gw.query(query, bearer=token())
    assert signed["data"] == {"user": {"name": "Ada", "tier": "PRO", "apiToken": None}}
    assert _paths(signed) == [["user", "apiToken"]]
    _s, admin = await gw.query(query, bearer=token(scope="admin"))
    assert admin == {"data": {"user": {"name": "Ada", "tier": "PRO", "apiToken": "tok-123"}}}


async def test_variables_only_used_in_removed_fields(gw: Gateway) -> None:
    response = await gw.client.post(
        "/graphql",
        json={"query": "query Q($id: ID!) { publicInfo node(id: $id) { id } }", "variables": {"id": "u1"}},
        headers={"accept": "application/json"},
    )
    body = await response.json()
    assert response.status == 200
    assert body["data"] == {"publicInfo": "hello", "node": None}
    assert _paths(body) == [["node"]]
    assert len(body["errors"]) == 1  # the subgraph did not complain about an unused variable


async def test_unauthorized_mutation_field_is_never_sent(gw: Gateway) -> None:
    _s, body = await gw.query('mutation { rename(name: "Eve") { name } }')
    assert body["data"] == {"rename": None}
    assert _paths(body) == [["rename"]]
    assert gw.kit.requests() == []
    _s, body = await gw.query('mutation { ping rename(name: "Eve") { name } }')
    assert body["data"] == {"ping": "pong", "rename": None}
    assert all("rename" not in q for q in gw.subgraph_queries("accounts"))
    _s, body = await gw.query('mutation { rename(name: "Eve") { name } }', bearer=token())
    assert body == {"data": {"rename": {"name": "Eve"}}}
