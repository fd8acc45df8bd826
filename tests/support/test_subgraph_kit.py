"""Tests of the subgraph kit itself: schema building, entity resolution, request log, faults, processes.

The federation suite trusts these helpers to behave like real subgraphs, so they are tested against real HTTP
on 127.0.0.1 like everything else.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import aiohttp
import pytest
from graphql import GraphQLError

from tests.support.kit_thread import SubgraphKitThread
from tests.support.ports import free_port
from tests.support.processes import ProcessStartError, line_printed, start_process, wait_until
from tests.support.subgraph_kit import Fault, SubgraphKit, SubgraphSpec, running_subgraphs
from tests.support.subgraph_schema import Resolvers, build_subgraph_schema, parse_field_set

FED2 = """
extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable", "@external"])

type Query {
  users: [User!]!
  fail: String
  strict: String!
}

type User @key(fields: "id") @key(fields: "email org { id }") {
  id: ID!
  email: String
  org: Org
  name: String
}

type Org @shareable {
  id: ID!
}

interface Node @key(fields: "id") {
  id: ID!
}

type Book implements Node @key(fields: "id") {
  id: ID!
  title: String
}

type Media @key(fields: "id", resolvable: true) {
  id: ID!
  stars: Int
}

type Computed @key(fields: "sku") {
  sku: String!
  price: Int @external
  double: Int
}
"""

ENTITIES_QUERY = """
query($r: [_Any!]!) {
  _entities(representations: $r) {
    __typename
    ... on User { name }
    ... on Book { title }
    ... on Media { stars }
    ... on Computed { double }
  }
}
"""


def _resolvers() -> Resolvers:
    def fail(_o: Any, _i: Any) -> str:
        raise GraphQLError("nope", extensions={"code": "NOPE"})

    return Resolvers(
        records={
            "User": [
                {"id": "1", "email": "a@x", "org": {"id": "o1"}, "name": "Ada"},
                {"id": "2", "email": "a@x", "org": {"id": "o2"}, "name": "Alan"},
            ],
            "Node": [{"__typename": "Book", "id": "b1", "title": "Dune"}],
            "Media": [{"id": "m1", "stars": 4}],
        },
        fields={
            "Query.users": lambda _o, _i: [{"id": "1", "name": "Ada"}],
            "Query.fail": fail,
            "Query.strict": lambda _o, _i: None,
            "Computed.double": lambda obj, _i: obj["price"] * 2,
        },
    )


async def _post(session: aiohttp.ClientSession, url: str, body: dict[str, Any]) -> tuple[int, Any]:
    async with session.post(url, json=body, headers={"x-test": "yes"}) as response:
        text = await response.text()
        try:
            return response.status, json.loads(text)
        except ValueError:
            return response.status, text


def test_parse_field_set_nested() -> None:
    assert parse_field_set("id org { id name }") == {"id": None, "org": {"id": None, "name": None}}


def test_schema_has_federation_fields_and_entity_union() -> None:
    built = build_subgraph_schema(FED2, _resolvers())
    query = built.schema.query_type
    assert query is not None
    assert {"_entities", "_service"} <= set(query.fields)
    entity = built.schema.type_map["_Entity"]
    members = sorted(t.name for t in entity.types)  # type: ignore[attr-defined]
    assert members == ["Book", "Computed", "Media", "User"]
    assert built.keys["User"] == [{"id": None}, {"email": None, "org": {"id": None}}]


def test_schema_without_entities_has_no_entities_field() -> None:
    sdl = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@shareable"])\n'
    sdl += "type Query { hello: String @shareable }"
    built = build_subgraph_schema(sdl, Resolvers(fields={"Query.hello": lambda _o, _i: "hi"}))
    assert built.schema.query_type is not None
    assert "_entities" not in built.schema.query_type.fields
    assert "_Entity" not in built.schema.type_map


def test_unknown_resolver_coordinate_is_rejected() -> None:
    with pytest.raises(ValueError, match=r"User\.nope"):
        build_subgraph_schema(FED2, Resolvers(fields={"User.nope": lambda _o, _i: None}))


async def test_entities_by_every_kind_of_key() -> None:
    representations = [
        {"__typename": "User", "id": "2"},
        {"__typename": "User", "email": "a@x", "org": {"id": "o1"}},
        {"__typename": "User", "id": None},
        {"__typename": "User", "id": "404"},
        {"__typename": "Node", "id": "b1"},
        {"__typename": "Book", "id": "b1"},
        {"__typename": "Media", "id": "m1"},
        {"__typename": "Computed", "sku": "s", "price": 21},
    ]
    async with (
        running_subgraphs([SubgraphSpec("a", FED2, _resolvers())]) as kit,
        aiohttp.ClientSession() as s,
    ):
        status, body = await _post(
            s, kit.url("a"), {"query": ENTITIES_QUERY, "variables": {"r": representations}}
        )
    assert status == 200
    assert body == {
        "data": {
            "_entities": [
                {"__typename": "User", "name": "Alan"},
                {"__typename": "User", "name": "Ada"},
                None,
                None,
                {"__typename": "Book", "title": "Dune"},
                {"__typename": "Book", "title": "Dune"},
                {"__typename": "Media", "stars": 4},
                {"__typename": "Computed", "double": 42},
            ]
        }
    }


async def test_service_sdl_errors_and_request_log() -> None:
    async with (
        running_subgraphs([SubgraphSpec("a", FED2, _resolvers())]) as kit,
        aiohttp.ClientSession() as s,
    ):
        _, sdl = await _post(s, kit.url("a"), {"query": "{ _service { sdl } }"})
        _, failed = await _post(s, kit.url("a"), {"query": "{ fail users { id } }"})
        _, strict = await _post(s, kit.url("a"), {"query": "{ strict }"})
        status, invalid = await _post(s, kit.url("a"), {"query": "{ nope }"})
        await _post(
            s,
            kit.url("a"),
            {"query": ENTITIES_QUERY, "variables": {"r": [{"__typename": "User", "id": "1"}]}},
        )
        assert sdl == {"data": {"_service": {"sdl": FED2}}}
        assert failed["data"] == {"fail": None, "users": [{"id": "1"}]}
        assert failed["errors"][0]["path"] == ["fail"]
        assert failed["errors"][0]["extensions"] == {"code": "NOPE"}
        assert strict["data"] is None
        assert strict["errors"][0]["path"] == ["strict"]
        assert status == 200
        assert "data" not in invalid
        assert invalid["errors"]
        assert len(kit.requests("a")) == 5
        assert kit.requests()[0].headers["x-test"] == "yes"
        (entity_request,) = kit.entity_requests("a")
        assert entity_request.representations == [{"__typename": "User", "id": "1"}]
        kit.clear_log()
        assert kit.requests() == []


async def test_federation_1_sdl_with_type_extensions() -> None:
    sdl = """
    extend type Query { me: User }
    type User @key(fields: "id") { id: ID! name: String }
    extend type Product @key(fields: "upc") { upc: String! @external inStock: Boolean }
    """
    resolvers = Resolvers(
        records={"User": [{"id": "1", "name": "Ada"}]},
        fields={
            "Query.me": lambda _o, _i: {"id": "1", "name": "Ada"},
            "Product.inStock": lambda p, _i: p["upc"] == "1",
        },
    )
    query = (
        "query($r: [_Any!]!) { me { name } "
        "_entities(representations: $r) { ... on Product { upc inStock } } }"
    )
    async with running_subgraphs([SubgraphSpec("fed1", sdl, resolvers)]) as kit, aiohttp.ClientSession() as s:
        _, body = await _post(
            s, kit.url("fed1"), {"query": query, "variables": {"r": [{"__typename": "Product", "upc": "1"}]}}
        )
    assert body == {"data": {"me": {"name": "Ada"}, "_entities": [{"upc": "1", "inStock": True}]}}


async def test_faults() -> None:
    spec = SubgraphSpec("a", FED2, _resolvers())
    users = {"query": "{ users { id } }"}
    entities = {"query": ENTITIES_QUERY, "variables": {"r": [{"__typename": "User", "id": "1"}]}}
    kit = SubgraphKit()
    await kit.start([spec])
    url = kit.url("a")
    try:
        async with aiohttp.ClientSession() as s:
            await kit.set_fault("a", Fault("http_500"))
            assert (await _post(s, url, users))[0] == 500
            await kit.set_fault("a", Fault("malformed_json"))
            async with s.post(url, json=users) as response:
                assert response.status == 200
                with pytest.raises(json.JSONDecodeError):
                    json.loads(await response.text())
            await kit.set_fault("a", Fault("graphql_error"))
            status, body = await _post(s, url, users)
            assert status == 200
            assert body["data"] is None
            assert "path" not in body["errors"][0]
            await kit.set_fault("a", Fault("close"))
            with pytest.raises(aiohttp.ClientError):
                await _post(s, url, users)
            await kit.set_fault("a", Fault("http_500", only_entities=True))
            assert (await _post(s, url, users))[0] == 200
            assert (await _post(s, url, entities))[0] == 500
            await kit.set_fault("a", Fault("delay", delay_seconds=0.2))
            started = time.monotonic()
            assert (await _post(s, url, users))[0] == 200
            assert time.monotonic() - started >= 0.2
            await kit.set_fault("a", Fault("down"))
            with pytest.raises(aiohttp.ClientConnectionError):
                await _post(s, url, users)
            await kit.clear_faults()
            assert kit.url("a") == url
            assert await _post(s, url, users) == (200, {"data": {"users": [{"id": "1"}]}})
    finally:
        await kit.close()


async def test_resilience_faults_first_k_requests_and_hang_release() -> None:
    spec = SubgraphSpec("a", FED2, _resolvers())
    users = {"query": "{ users { id } }"}
    entities = {
        "query": ENTITIES_QUERY,
        "variables": {"r": [{"__typename": "User", "id": "1"}, {"__typename": "User", "id": "2"}]},
    }
    kit = SubgraphKit()
    await kit.start([spec])
    url = kit.url("a")
    try:
        async with aiohttp.ClientSession() as s:
            await kit.set_fault("a", Fault("http_503", retry_after="1", times=2))
            for _ in range(2):
                async with s.post(url, json=users) as response:
                    assert response.status == 503
                    assert response.headers["Retry-After"] == "1"
            assert await _post(s, url, users) == (200, {"data": {"users": [{"id": "1"}]}})
            assert kit.fault_hits("a") == 2
            assert [r.fault for r in kit.requests("a")] == ["http_503", "http_503", None]
            assert kit.requests("a")[0].received_at <= kit.requests("a")[2].received_at
            await kit.set_fault("a", Fault("http_429"))
            async with s.post(url, json=users) as response:
                assert response.status == 429
                assert "Retry-After" not in response.headers
            await kit.set_fault("a", Fault("garbage"))
            async with s.post(url, json=users) as response:
                assert response.status == 200
                assert (await response.text()).startswith("<html>")
            await kit.set_fault("a", Fault("wrong_shape"))
            status, body = await _post(s, url, users)
            assert status == 200
            assert "data" not in body
            assert "errors" not in body
            await kit.set_fault("a", Fault("entities_wrong_length"))
            assert (await _post(s, url, users))[1] == {"data": {"users": [{"id": "1"}]}}
            assert (await _post(s, url, entities))[1] == {
                "data": {"_entities": [{"__typename": "User", "name": "Ada"}]}
            }
            await kit.set_fault("a", Fault("reset_mid_body"))
            async with s.post(url, json=users) as response:
                assert response.status == 200
                with pytest.raises(aiohttp.ClientPayloadError):
                    await response.read()
            await kit.set_fault("a", Fault("hang"))
            with pytest.raises(TimeoutError):
                async with asyncio.timeout(0.2):
                    await _post(s, url, users)
            pending = asyncio.ensure_future(_post(s, url, users))
            await asyncio.sleep(0.1)
            assert not pending.done()
            await kit.set_fault("a", None)  # releases the hanging request, which is then answered normally
            assert await asyncio.wait_for(pending, 2) == (200, {"data": {"users": [{"id": "1"}]}})
    finally:
        await kit.close()


def test_kit_thread_serves_synchronous_callers() -> None:
    import urllib.request

    with SubgraphKitThread([SubgraphSpec("a", FED2, _resolvers())]) as kit:
        request = urllib.request.Request(
            kit.urls["a"], data=json.dumps({"query": "{ users { name } }"}).encode(), method="POST"
        )
        request.add_header("content-type", "application/json")
        with urllib.request.urlopen(request, timeout=5) as response:
            assert json.loads(response.read()) == {"data": {"users": [{"name": "Ada"}]}}
        assert len(kit.requests("a")) == 1
        kit.set_fault("a", Fault("http_500"))
        kit.clear_faults()


def test_process_runner_waits_and_stops() -> None:
    script = "import sys, time; print('READY', flush=True); time.sleep(60)"
    process = start_process([sys.executable, "-c", script])
    try:
        wait_until(process, line_printed(process, "READY"), timeout=10, what="sleeper")
        assert process.alive()
    finally:
        process.stop()
    assert not process.alive()


def test_process_runner_reports_early_exit_with_output() -> None:
    process = start_process([sys.executable, "-c", "print('bad config'); raise SystemExit(3)"])
    try:
        with pytest.raises(ProcessStartError, match="bad config"):
            wait_until(process, lambda: False, timeout=10, what="failing")
    finally:
        process.stop()


async def test_free_port_is_bindable() -> None:
    port = free_port()
    server = await asyncio.start_server(lambda _r, _w: None, "127.0.0.1", port)
    server.close()
    await server.wait_closed()


def test_renamed_imports_and_namespace_prefix() -> None:
    sdl = """
    extend schema @link(
      url: "https://specs.apollo.dev/federation/v2.3", as: "fed", import: [{name: "@key", as: "@primaryKey"}]
    )
    type Query { t: T }
    type T @primaryKey(fields: "id") { id: ID! x: Int @fed__shareable }
    """
    built = build_subgraph_schema(sdl, Resolvers(records={"T": [{"id": "1", "x": 7}]}))
    assert built.entity_types == ["T"]
    assert built.keys == {"T": [{"id": None}]}
    assert "primaryKey" in {d.name for d in built.schema.directives}
