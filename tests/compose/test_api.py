"""Direct API tests: error contents a subgraph team can act on, byte-identical output, rename handling."""

from __future__ import annotations

import pytest

from gateway.compose import SubgraphSource, compose
from tests.compose.helpers import case_names, load_case, load_expected

FED = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])\n'


def _compose(*sdls: tuple[str, str]):
    return compose([SubgraphSource(n, f"http://{n}", s) for n, s in sdls])


@pytest.mark.parametrize("case", [c for c in case_names() if load_expected(c)["supergraph"] is not None])
def test_byte_identical_to_apollo(case: str) -> None:
    result = compose([SubgraphSource(s["name"], s["url"], s["sdl"]) for s in load_case(case)])
    assert result.supergraph_sdl == load_expected(case)["supergraph"]


def test_field_sharing_error_is_actionable() -> None:
    a = FED + 'type Query { u: U } type U @key(fields: "id") { id: ID! n: String }'
    b = FED + 'type U @key(fields: "id") { id: ID! n: String }'
    result = _compose(("a", a), ("b", b))
    assert result.supergraph_sdl is None
    (err,) = result.errors
    assert err.code == "INVALID_FIELD_SHARING"
    assert err.coordinate == "U.n"
    assert err.subgraphs == ("a", "b")
    assert "@shareable" in err.message
    formatted = err.to_formatted()
    assert formatted["extensions"]["code"] == "INVALID_FIELD_SHARING"


def test_type_mismatch_names_both_types() -> None:
    a = FED + "type Query { c: Int @shareable }"
    b = FED + "type Query { c: [Int] @shareable }"
    (err,) = _compose(("a", a), ("b", b)).errors
    assert err.code == "FIELD_TYPE_MISMATCH"
    assert '"Int"' in err.message
    assert '"[Int]"' in err.message
    assert err.coordinate == "Query.c"


def test_renamed_key_is_still_a_key() -> None:
    a = (
        'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: [{name: '
        '"@key", as: "@k"}])\n'
        'type Query { p: P } type P @k(fields: "id") { id: ID! a: Int }'
    )
    b = FED + 'type P @key(fields: "id") { id: ID! b: Int }'
    sdl = _compose(("a", a), ("b", b)).supergraph_sdl
    assert sdl is not None
    assert '@join__type(graph: A, key: "id")' in sdl
    assert "@k(" not in sdl


def test_satisfiability_names_type_field_and_fix() -> None:
    (err,) = compose(
        [SubgraphSource(s["name"], s["url"], s["sdl"]) for s in load_case("satisfiability_no_key")]
    ).errors
    assert err.code == "SATISFIABILITY_ERROR"
    assert err.coordinate == "User.age"
    assert 'no @key defined in subgraph "b"' in err.message


def test_hints_reported_for_dropped_optional_argument() -> None:
    result = compose([SubgraphSource(s["name"], s["url"], s["sdl"]) for s in load_case("field_args")])
    assert result.ok
    assert [h.code for h in result.hints] == ["INCONSISTENT_ARGUMENT_PRESENCE"]
