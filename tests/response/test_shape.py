"""Unit tests of response shaping: selection, fragments, directives, leaves and null propagation."""

from __future__ import annotations

import json

import pytest
from graphql import parse

from gateway.errors import ClientError
from gateway.response import compile_projection, shape_response
from tests.response.helpers import SCHEMA, null_error, shape

# ---- selection, aliases, ordering ----------


def test_aliases_document_order_and_extra_keys_dropped():
    data = {
        "me": {
            "__fed_key_0": "x",
            "__typename": "User",
            "id": "1",
            "second": "Ann",
            "first": "Ann",
            "age": 30,
            "secret": "dropped",
        },
        "extraRoot": 1,
    }
    result, errors = shape("{ me { first: name age id second: name } }", data)
    assert errors == []
    assert result == {"me": {"first": "Ann", "age": 30, "id": "1", "second": "Ann"}}
    assert list(result["me"]) == ["first", "age", "id", "second"]
    assert list(result) == ["me"]


def test_missing_nullable_fields_become_null():
    result, errors = shape("{ me { id name age } pet { __typename } }", {"me": {"id": "1"}})
    assert errors == []
    assert result == {"me": {"id": "1", "name": None, "age": None}, "pet": None}


def test_fields_merged_from_fragments_in_first_appearance_order():
    query = """
    query {
      me {
        name
        ...A
        friends { id }
        ... on User { age friends { name } }
      }
    }
    fragment A on User { id friends { age } name }
    """
    data = {
        "me": {
            "id": "1",
            "name": "Ann",
            "age": 3,
            "friends": [{"id": "2", "name": "Bob", "age": 4, "color": "RED"}],
        }
    }
    result, errors = shape(query, data)
    assert errors == []
    assert json.dumps(result) == json.dumps(
        {"me": {"name": "Ann", "id": "1", "friends": [{"age": 4, "id": "2", "name": "Bob"}], "age": 3}}
    )


def test_repeated_fragment_spread_is_collected_once():
    query = "{ me { ...F ...F id } } fragment F on User { id name }"
    result, errors = shape(query, {"me": {"id": "1", "name": "A"}})
    assert errors == []
    assert json.dumps(result) == json.dumps({"me": {"id": "1", "name": "A"}})


# ---- abstract types ----------


def test_interface_fragments_apply_by_runtime_type():
    query = """
    {
      nodes {
        __typename
        id
        ... on Named { name }
        ... on User { age }
        ... on Dog { barks }
      }
    }
    """
    data = {
        "nodes": [
            {"__typename": "User", "id": "1", "name": "Ann", "age": 5, "barks": True},
            {"__typename": "Dog", "id": "2", "name": "Rex", "barks": True, "age": 9},
            None,
        ]
    }
    result, errors = shape(query, data)
    assert errors == []
    assert json.dumps(result) == json.dumps(
        {
            "nodes": [
                {"__typename": "User", "id": "1", "name": "Ann", "age": 5},
                {"__typename": "Dog", "id": "2", "name": "Rex", "barks": True},
                None,
            ]
        }
    )


def test_union_fragments_and_nested_interface_fragments():
    query = """
    {
      pets {
        ... on Named { name }
        ... on Dog { barks owner { ... on Node { id } ... on Named { name } } }
        ... on Cat { lives }
        ...DogId
      }
    }
    fragment DogId on Node { id }
    """
    data = {
        "pets": [
            {"__typename": "Cat", "name": "Tom", "lives": 9, "id": "c1"},
            {
                "__typename": "Dog",
                "name": "Rex",
                "barks": False,
                "id": "d1",
                "owner": {"id": "u1", "name": "A"},
            },
        ]
    }
    result, errors = shape(query, data)
    assert errors == []
    assert json.dumps(result) == json.dumps(
        {
            "pets": [
                {"name": "Tom", "lives": 9},
                {"name": "Rex", "barks": False, "owner": {"id": "u1", "name": "A"}, "id": "d1"},
            ]
        }
    )


def test_fragment_for_another_member_is_not_applied_even_when_fields_exist():
    query = "{ pets { ... on Dog { name } } named { ... on User { name } ... on Cat { lives } } }"
    data = {
        "pets": [{"__typename": "Cat", "name": "Tom"}, {"__typename": "Dog", "name": "Rex"}],
        "named": [{"__typename": "Dog", "name": "Rex", "lives": 1}, {"__typename": "User", "name": "Ann"}],
    }
    result, errors = shape(query, data)
    assert errors == []
    assert result == {"pets": [{}, {"name": "Rex"}], "named": [{}, {"name": "Ann"}]}


def test_same_key_from_different_fragments_on_abstract_type_merges_sub_selections():
    query = """
    {
      nodes {
        ... on User { friends { id } }
        ... on Node { ... on User { friends { name } } }
      }
    }
    """
    data = {"nodes": [{"__typename": "User", "friends": [{"id": "2", "name": "B", "age": 1}]}]}
    result, errors = shape(query, data)
    assert errors == []
    assert json.dumps(result) == json.dumps({"nodes": [{"friends": [{"id": "2", "name": "B"}]}]})


def test_typename_uses_runtime_type_at_abstract_and_static_type_at_concrete_positions():
    query = "{ __typename me { __typename t: __typename } pet { __typename } }"
    data = {"me": {"__typename": "Wrong"}, "pet": {"__typename": "Cat", "name": "Tom"}}
    result, errors = shape(query, data)
    assert errors == []
    assert result == {
        "__typename": "Query",
        "me": {"__typename": "User", "t": "User"},
        "pet": {"__typename": "Cat"},
    }


def test_missing_typename_at_abstract_position_is_null():
    result, errors = shape("{ pet { ... on Cat { name } } }", {"pet": {"name": "Tom"}})
    assert errors == []
    assert result == {"pet": None}


def test_missing_typename_at_non_null_abstract_position_propagates():
    result, errors = shape("{ me { id } mustPet { __typename } }", {"me": {"id": "1"}, "mustPet": {}})
    assert result is None
    assert errors == [null_error(["mustPet"], "Query.mustPet")]


def test_typename_not_possible_in_api_schema_is_null_with_an_error():
    # An @inaccessible type (absent from the API schema) or a type outside the union: a field error, so the
    # client can tell why the value is null.
    data = {"pets": [{"__typename": "Secret"}], "pet": {"__typename": "User", "id": "1"}}
    result, errors = shape("{ pet { __typename } pets { __typename } }", data)
    assert result is None  # pets is [Pet!]!: the null item reaches the root
    assert [(e["path"], e["extensions"]["code"]) for e in errors] == [
        (["pet"], "INVALID_GRAPHQL_RESPONSE"),
        (["pets", 0], "INVALID_GRAPHQL_RESPONSE"),
    ]
    assert 'Invalid __typename "Secret"' in errors[1]["message"]

    result, errors = shape("{ pet { __typename } }", data)
    assert result == {"pet": None}
    assert len(errors) == 1


def test_covariant_non_null_field_uses_the_runtime_type_definition():
    # Named.name is nullable but Cat.name is String!.
    data = {"named": [{"__typename": "Cat", "name": None}]}
    result, errors = shape("{ named { name } }", data)
    # The Cat becomes null; named items are non-null so `named` is null.
    assert result == {"named": None}
    assert errors == [null_error(["named", 0, "name"], "Cat.name")]


# ---- @skip / @include ----------


def test_skip_and_include_with_literals():
    query = """
    {
      me {
        id @skip(if: true)
        name @include(if: false)
        age @include(if: true)
        ... on User @skip(if: true) { score }
        ...F @include(if: false)
        ...G @skip(if: false)
      }
    }
    fragment F on User { color }
    fragment G on User { active }
    """
    data = {"me": {"id": "1", "name": "A", "age": 2, "score": 1.5, "color": "RED", "active": True}}
    result, errors = shape(query, data)
    assert errors == []
    assert json.dumps(result) == json.dumps({"me": {"age": 2, "active": True}})


QUERY_WITH_VARIABLES = """
query Q($a: Boolean!, $b: Boolean = false) {
  me {
    id @skip(if: $a)
    name @include(if: $a)
    ... on User @include(if: $b) { age }
    ...F @skip(if: $b)
    id2: id @skip(if: $a) @include(if: $b)
  }
}
fragment F on User { color }
"""


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({"a": True, "b": False}, {"name": "A", "color": "RED"}),
        ({"a": False, "b": False}, {"id": "1", "color": "RED"}),
        ({"a": False, "b": True}, {"id": "1", "age": 2, "id2": "1"}),
        ({"a": True, "b": True}, {"name": "A", "age": 2}),
    ],
)
def test_skip_and_include_with_variables(variables, expected):
    data = {"me": {"id": "1", "id2": "1", "name": "A", "age": 2, "color": "RED"}}
    result, errors = shape(QUERY_WITH_VARIABLES, data, variables)
    assert errors == []
    assert json.dumps(result) == json.dumps({"me": expected})


def test_one_projection_serves_different_variable_values():
    projection = compile_projection(SCHEMA, parse(QUERY_WITH_VARIABLES), "Q")
    data = {"me": {"id": "1", "id2": "1", "name": "A", "age": 2, "color": "RED"}}
    for _ in range(2):  # second round hits the per-signature caches
        assert shape_response(projection, data, {"a": True, "b": False}, []) == {
            "me": {"name": "A", "color": "RED"}
        }
        assert shape_response(projection, data, {"a": False, "b": True}, []) == {
            "me": {"id": "1", "age": 2, "id2": "1"}
        }


def test_skip_with_variables_at_abstract_positions():
    query = """
    query ($x: Boolean!) {
      pets { ... on Cat { name @include(if: $x) lives } ... on Dog @include(if: $x) { barks } }
    }
    """
    data = {"pets": [{"__typename": "Cat", "name": "Tom", "lives": 9}, {"__typename": "Dog", "barks": True}]}
    result, _ = shape(query, data, {"x": False})
    assert result == {"pets": [{"lives": 9}, {}]}
    result, _ = shape(query, data, {"x": True})
    assert result == {"pets": [{"name": "Tom", "lives": 9}, {"barks": True}]}


# ---- null propagation ----------


def test_non_null_field_null_makes_parent_null():
    result, errors = shape("{ me { id best { id name } } }", {"me": {"id": "1", "best": None}})
    assert result == {"me": None}
    assert errors == [null_error(["me", "best"], "User.best")]


def test_nested_non_null_chain_reaches_root():
    data = {"mustMe": {"id": "1", "best": {"id": None}}}
    result, errors = shape("{ mustMe { id best { id } } }", data)
    assert result is None
    assert errors == [null_error(["mustMe", "best", "id"], "User.id")]


def test_non_null_list_item_nulls_nullable_list():
    data = {"me": {"id": "1", "friends": [{"id": "2"}, {"id": None}, {"id": "4"}], "tags": []}}
    result, errors = shape("{ me { friends { id } tags } }", data)
    # friends: [User!] -> the item with a null id is null -> the nullable list becomes null.
    assert result == {"me": {"friends": None, "tags": []}}
    assert errors == [null_error(["me", "friends", 1, "id"], "User.id")]


def test_non_null_list_null_item_propagates_past_non_null_list():
    data = {"me": {"tags": ["a", None]}}
    result, errors = shape("{ me { tags } }", data)
    # tags: [String!]! -> null item -> list null -> non-null -> me null.
    assert result == {"me": None}
    assert errors == [null_error(["me", "tags", 1], "User.tags")]


def test_nested_lists():
    result, errors = shape("{ matrix numbers }", {"matrix": [[1, 2], [3]], "numbers": [1, None, 3]})
    assert errors == []
    assert result == {"matrix": [[1, 2], [3]], "numbers": [1, None, 3]}

    # [[Int!]!]: a null inner item makes the inner list null, which is non-null -> outer list null.
    result, errors = shape("{ matrix }", {"matrix": [[1], [2, None]]})
    assert result == {"matrix": None}
    assert errors == [null_error(["matrix", 1, 1], "Query.matrix")]

    # [[Int]!]!: a null inner list reaches the root.
    result, errors = shape("{ numbers mustMatrix }", {"numbers": [], "mustMatrix": [[None], None]})
    assert result is None
    assert errors == [null_error(["mustMatrix", 1], "Query.mustMatrix")]


def test_missing_non_null_root_field_nulls_data():
    result, errors = shape("{ me { id } mustMe { id } }", {"me": {"id": "1"}})
    assert result is None
    assert errors == [null_error(["mustMe"], "Query.mustMe")]


def test_null_data_stays_null():
    result, errors = shape("{ me { id } }", None)
    assert result is None
    assert errors == []


def test_only_first_propagating_error_of_an_object_is_reported():
    # Once a non-null field nulls its object the remaining fields are not completed (as graphql-js does).
    result, errors = shape("{ me { best { id } favorite } }", {"me": {"best": None, "favorite": None}})
    assert result == {"me": None}
    assert errors == [null_error(["me", "best"], "User.best")]


# ---- upstream error suppression ----------


@pytest.mark.parametrize(
    "upstream_path",
    [
        ["me", "best"],  # equal
        ["me", "best", "name"],  # below the null field
        ["me"],  # above it
        [],  # the whole response
    ],
)
def test_upstream_error_covering_the_path_suppresses_the_null_error(upstream_path):
    upstream = {"message": "boom", "path": upstream_path, "extensions": {"code": "DOWNSTREAM_SERVICE_ERROR"}}
    result, errors = shape("{ me { id best { id } } }", {"me": {"id": "1"}}, errors=[upstream])
    assert result == {"me": None}
    assert errors == [upstream]


@pytest.mark.parametrize("upstream_path", [["me", "bestie"], ["mustMe"], ["me", "friends", 0], None])
def test_unrelated_upstream_error_does_not_suppress(upstream_path):
    upstream: dict = {"message": "boom"}
    if upstream_path is not None:
        upstream["path"] = upstream_path
    # an explicit null from a subgraph is not explained by an error elsewhere
    result, errors = shape("{ me { id best { id } } }", {"me": {"id": "1", "best": None}}, errors=[upstream])
    assert result == {"me": None}
    assert errors == [upstream, null_error(["me", "best"], "User.best")]


@pytest.mark.parametrize("upstream_path", [["me", "bestie"], None])
def test_missing_value_is_explained_by_any_upstream_error(upstream_path):
    # a field no fetch returned (its fetch failed) is explained by that fetch's error, whatever its path
    upstream: dict = {"message": "HTTP fetch failed"}
    if upstream_path is not None:
        upstream["path"] = upstream_path
    result, errors = shape("{ me { id best { id } } }", {"me": {"id": "1"}}, errors=[upstream])
    assert result == {"me": None}
    assert errors == [upstream]


def test_missing_value_without_upstream_errors_is_reported():
    result, errors = shape("{ me { id best { id } } }", {"me": {"id": "1"}})
    assert result == {"me": None}
    assert errors == [null_error(["me", "best"], "User.best")]


def test_upstream_error_with_list_index_path():
    upstream = {"message": "entity fetch failed", "path": ["me", "friends", 1]}
    data = {"me": {"friends": [{"id": "1"}, {"name": "no id"}]}}
    result, errors = shape("{ me { friends { id } } }", data, errors=[upstream])
    assert result == {"me": {"friends": None}}
    assert errors == [upstream]


# ---- leaves ----------


def test_builtin_scalars_are_serialized():
    data = {"me": {"id": 7, "name": 5, "age": 3, "score": 2, "active": True}}
    result, errors = shape("{ me { id name age score active } }", data)
    assert errors == []
    assert result == {"me": {"id": "7", "name": "5", "age": 3, "score": 2, "active": True}}


def test_integral_floats_print_like_javascript() -> None:
    data = {"me": {"score": 2.0}, "numbers": None}
    result, errors = shape("{ me { score } }", data)
    assert errors == []
    assert json.dumps(result) == '{"me": {"score": 2}}'
    result, _ = shape("{ me { score } }", {"me": {"score": 2.5}})
    assert json.dumps(result) == '{"me": {"score": 2.5}}'


def test_int_bounds_are_32_bit():
    query = "{ me { age } numbers }"
    data = {"me": {"age": 2**31 - 1}, "numbers": [-(2**31), 2**31 - 1, -(2**31) - 1]}
    result, errors = shape(query, data)
    assert result == {"me": {"age": 2**31 - 1}, "numbers": [-(2**31), 2**31 - 1, None]}
    assert [e["path"] for e in errors] == [["numbers", 2]]


def test_items_without_typename_in_nullable_abstract_list_are_null():
    data = {"nodes": [{"id": "1"}, {"__typename": "User", "id": "2"}, {"__typename": 5}]}
    result, errors = shape("{ nodes { id } }", data)
    assert errors == []
    assert result == {"nodes": [None, {"id": "2"}, None]}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("age", 2**31),
        ("age", "abc"),
        ("age", 1.5),
        ("score", "x"),
        ("active", "yes"),
        ("name", {"a": 1}),
        ("name", [1]),
    ],
)
def test_unserializable_leaf_is_null_with_error(field, value):
    result, errors = shape(f"{{ me {{ {field} }} }}", {"me": {field: value}})
    assert result == {"me": {field: None}}
    assert len(errors) == 1
    assert errors[0]["path"] == ["me", field]
    assert errors[0]["extensions"] == {"code": "INVALID_GRAPHQL_RESPONSE"}
    assert "cannot represent" in errors[0]["message"]


def test_unserializable_value_at_non_null_position_propagates_with_one_error():
    result, errors = shape("{ me { best { id } } }", {"me": {"best": {"id": False}}})
    assert result == {"me": None}
    assert len(errors) == 1
    assert errors[0]["path"] == ["me", "best", "id"]
    assert errors[0]["message"] == "ID cannot represent value: False"


def test_enum_values_are_checked_against_the_api_enum():
    data = {"me": {"color": "PURPLE", "favorite": "GREEN"}, "colors": ["RED", "BLUE"]}
    result, errors = shape("{ me { color favorite } colors }", data)
    assert result == {"me": {"color": None, "favorite": "GREEN"}, "colors": ["RED", "BLUE"]}
    assert errors == [
        {
            "message": 'Enum "Color" cannot represent value: "PURPLE"',
            "path": ["me", "color"],
            "extensions": {"code": "INVALID_GRAPHQL_RESPONSE"},
        }
    ]


def test_invalid_enum_at_non_null_positions_propagates():
    result, errors = shape("{ me { favorite } colors }", {"me": {"favorite": 3}, "colors": ["RED", "NOPE"]})
    assert result == {"me": None, "colors": None}
    assert [e["message"] for e in errors] == [
        'Enum "Color" cannot represent value: 3',
        'Enum "Color" cannot represent value: "NOPE"',
    ]
    assert [e["path"] for e in errors] == [["me", "favorite"], ["colors", 1]]


def test_custom_scalars_pass_through_unchanged():
    meta = {"nested": [1, {"x": None}], "n": 1.5}
    result, errors = shape("{ me { meta } }", {"me": {"meta": meta}})
    assert errors == []
    assert result == {"me": {"meta": meta}}


# ---- wrong shapes ----------


@pytest.mark.parametrize(
    ("query", "data", "expected", "path"),
    [
        ("{ me { id } }", {"me": [{"id": "1"}]}, {"me": None}, ["me"]),
        ("{ me { id } }", {"me": "1"}, {"me": None}, ["me"]),
        ("{ numbers }", {"numbers": {"0": 1}}, {"numbers": None}, ["numbers"]),
        ("{ numbers }", {"numbers": 1}, {"numbers": None}, ["numbers"]),
        ("{ pet { __typename } }", {"pet": ["Cat"]}, {"pet": None}, ["pet"]),
        (
            "{ me { friends { id } } }",
            {"me": {"friends": [1]}},
            {"me": {"friends": None}},
            ["me", "friends", 0],
        ),
    ],
)
def test_wrong_shape_is_null_with_error(query, data, expected, path):
    result, errors = shape(query, data)
    assert result == expected
    assert len(errors) == 1
    assert errors[0]["path"] == path
    assert errors[0]["extensions"] == {"code": "INVALID_GRAPHQL_RESPONSE"}


def test_wrong_shape_at_non_null_position_propagates():
    result, errors = shape("{ mustMe { id } }", {"mustMe": []})
    assert result is None
    assert len(errors) == 1
    assert errors[0]["path"] == ["mustMe"]


# ---- introspection ----------


def test_introspection_fields_are_copied_verbatim():
    schema_value = {"queryType": {"name": "Query"}, "types": [{"name": "User", "anything": 1}]}
    type_value = {"name": "User", "kind": "OBJECT"}
    query = '{ __schema { queryType { name } } t: __type(name: "User") { name kind } me { id } }'
    data = {"__schema": schema_value, "t": type_value, "me": {"id": "1"}}
    result, errors = shape(query, data)
    assert errors == []
    assert result == {"__schema": schema_value, "t": type_value, "me": {"id": "1"}}
    assert result["__schema"] is schema_value


# ---- operation selection ----------


def test_operation_is_selected_by_name():
    query = "query A { me { id } } query B { me { name } }"
    result, _ = shape(query, {"me": {"id": "1", "name": "N"}}, operation_name="B")
    assert result == {"me": {"name": "N"}}


@pytest.mark.parametrize(
    ("query", "name"), [("query A { me { id } } query B { me { id } }", None), ("{ me { id } }", "X")]
)
def test_unresolvable_operation_raises(query, name):
    with pytest.raises(ClientError) as info:
        compile_projection(SCHEMA, parse(query), name)
    assert info.value.code == "OPERATION_RESOLUTION_FAILURE"


def test_projection_is_reusable_and_does_not_mutate_input():
    projection = compile_projection(SCHEMA, parse("{ me { id friends { id } } }"), None)
    data = {"me": {"id": "1", "friends": [{"id": "2", "x": 1}], "y": 2}}
    snapshot = json.dumps(data)
    first = shape_response(projection, data, {}, [])
    second = shape_response(projection, data, {}, [])
    assert first == second == {"me": {"id": "1", "friends": [{"id": "2"}]}}
    assert json.dumps(data) == snapshot


def test_interface_name_as_runtime_type_shapes_interface_fields_only() -> None:
    # an @interfaceObject subgraph answers __typename with the interface name when no subgraph can tell the
    # concrete type: interface fields are shaped, fragments on implementations do not apply
    data = {"node": {"__typename": "Node", "id": "7", "name": "x"}}
    result, errors = shape('{ node(id: "7") { id ... on Node { id } ... on User { name } } }', data)
    assert errors == []
    assert result == {"node": {"id": "7"}}
