"""Differential tests: shaping must agree with graphql-core's own execution on random merged data.

Why: graphql-core implements the spec's CollectFields, fragment matching, ``@skip``/``@include`` and null
propagation. Executing the same operation with resolvers that read the merged tree by response key gives the
spec's answer for that data; shape_response must produce the same ``data`` and the same error paths.
Random data (seeded) with nulls, missing keys and extra keys at every level exercises the combinations that
hand-written cases miss.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    InlineFragmentNode,
    SelectionSetNode,
    execute,
    get_named_type,
    parse,
    validate,
)

from gateway.response import compile_projection, shape_response
from tests.response.helpers import SCHEMA

QUERIES = [
    """
    query ($a: Boolean!, $b: Boolean!) {
      me { ...U best { ...U best { id } } friends { ...U pet { ...P } } }
      mustMe { id tags b2: best { name @skip(if: $a) } }
      named { __typename name ... on Cat { lives } ... on Node { id } }
      pets { ...P }
    }
    fragment U on User { id name tags color favorite nick: name ... on Named { name } age @include(if: $b) }
    fragment P on Pet {
      __typename
      ... on Dog { id barks owner { id ...U @skip(if: $b) } }
      ... on Cat @include(if: $a) { catName: name lives }
      ... on Named { name }
    }
    """,
    """
    query ($a: Boolean!, $b: Boolean!) {
      matrix
      mustMatrix @include(if: $a)
      numbers
      colors
      nodes { __typename id ... on User { friends { id best { id } } pets { ... on Dog { owner { age } } } } }
      mustPet { ... on Cat { lives name } ... on Dog { barks } t: __typename }
      pet @skip(if: $b) { ... on Named { n: name } }
    }
    """,
]

_POSSIBLE = {
    name: [t.name for t in SCHEMA.get_possible_types(SCHEMA.get_type(name))]  # type: ignore[arg-type]
    for name in ("Node", "Named", "Pet")
}


class _Generator:
    """Random merged data: every selected field, even in non-matching fragments, gets a value."""

    def __init__(self, document: Any, rng: random.Random) -> None:
        self.rng = rng
        self.fragments = {d.name.value: d for d in document.definitions if hasattr(d, "type_condition")}

    def value(self, type_: Any, selection_set: SelectionSetNode | None, depth: int) -> Any:
        rng = self.rng
        if rng.random() < 0.08:
            return None
        if isinstance(type_, GraphQLNonNull):
            type_ = type_.of_type
        if isinstance(type_, GraphQLList):
            return [self.value(type_.of_type, selection_set, depth) for _ in range(rng.randint(0, 3))]
        if isinstance(type_, GraphQLScalarType):
            return {
                "ID": lambda: rng.choice(["1", "2", 3]),
                "String": lambda: rng.choice(["a", "b", 7]),
                "Int": lambda: rng.randint(-5, 5),
                "Float": lambda: rng.choice([1.5, 2]),
                "Boolean": lambda: rng.random() < 0.5,
            }[type_.name]()
        if isinstance(type_, GraphQLEnumType):
            return rng.choice(list(type_.values))
        runtime_name = (
            type_.name if isinstance(type_, GraphQLObjectType) else rng.choice(_POSSIBLE[type_.name])
        )
        obj: dict[str, Any] = {"__typename": runtime_name, "__fed_key_0": "extra"}
        if depth < 5 and selection_set is not None:
            self.fill(obj, type_.name, selection_set, depth)
        return obj

    def fill(self, obj: dict[str, Any], parent: str, selection_set: SelectionSetNode, depth: int) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                name = selection.name.value
                if name == "__typename" or self.rng.random() < 0.04:
                    continue  # stored __typename stays; sometimes a key is simply missing
                field = SCHEMA.get_type(parent).fields[name]  # type: ignore[union-attr]
                key = selection.alias.value if selection.alias else name
                obj[key] = self.value(field.type, selection.selection_set, depth + 1)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition.name.value if selection.type_condition else parent
                self.fill(obj, condition, selection.selection_set, depth)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                self.fill(obj, fragment.type_condition.name.value, fragment.selection_set, depth)


def _resolve(source: Any, info: Any, **_: Any) -> Any:
    return source.get(info.path.key) if isinstance(source, dict) else None


def _resolve_type(value: Any, info: Any, abstract: Any) -> str | None:
    return value.get("__typename")


@pytest.mark.parametrize("query_index", range(len(QUERIES)))
def test_matches_graphql_core_execution_on_random_data(query_index):
    document = parse(QUERIES[query_index])
    assert not validate(SCHEMA, document)
    projection = compile_projection(SCHEMA, document, None)
    query_type = SCHEMA.query_type
    assert query_type is not None
    rng = random.Random(1234 + query_index)
    generator = _Generator(document, rng)
    nulled_roots = 0
    error_count = 0
    for _ in range(300):
        data: dict[str, Any] = {"__typename": "Query"}
        generator.fill(data, "Query", document.definitions[0].selection_set, 0)  # type: ignore[attr-defined]
        variables = {"a": rng.random() < 0.5, "b": rng.random() < 0.5}

        expected = execute(
            SCHEMA,
            document,
            root_value=data,
            variable_values=variables,
            field_resolver=_resolve,
            type_resolver=_resolve_type,
        )
        assert not hasattr(expected, "__await__")
        errors: list[Any] = []
        shaped = shape_response(projection, data, variables, errors)

        assert json.dumps(shaped) == json.dumps(expected.data), json.dumps(data)
        expected_errors = [(list(e.path or []), e.message) for e in expected.errors or []]
        assert [(e["path"], e["message"]) for e in errors] == expected_errors
        nulled_roots += shaped is None
        error_count += len(errors)
    # The random data must really exercise propagation, not just the happy path.
    assert error_count > 50
    assert 0 < nulled_roots < 300


def test_oracle_generator_is_not_trivial():
    """Guard: generated data reaches the nested fields the queries select."""
    document = parse(QUERIES[0])
    data: dict[str, Any] = {}
    _Generator(document, random.Random(5)).fill(data, "Query", document.definitions[0].selection_set, 0)  # type: ignore[attr-defined]
    assert {"me", "mustMe", "named", "pets"} <= set(data)
    assert get_named_type(SCHEMA.query_type.fields["me"].type).name == "User"  # type: ignore[union-attr]
