"""Shared schema and helpers for the response shaping tests."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLSchema, build_schema, parse, validate

from gateway.response import compile_projection, shape_response

SDL = """
scalar JSON

enum Color { RED GREEN BLUE }

interface Node { id: ID! }
interface Named { name: String }

type User implements Node & Named {
  id: ID!
  name: String
  age: Int
  score: Float
  active: Boolean
  color: Color
  favorite: Color!
  meta: JSON
  best: User!
  friends: [User!]
  tags: [String!]!
  pets: [Pet]
  pet: Pet
}

type Dog implements Named & Node {
  id: ID!
  name: String
  barks: Boolean!
  owner: User
}

type Cat implements Named {
  name: String!
  lives: Int!
}

union Pet = Dog | Cat

type Query {
  me: User
  mustMe: User!
  node(id: ID!): Node
  nodes: [Node]
  named: [Named!]
  pets: [Pet!]!
  pet: Pet
  mustPet: Pet!
  matrix: [[Int!]!]
  mustMatrix: [[Int]!]!
  numbers: [Int]
  colors: [Color!]
}
"""


SCHEMA: GraphQLSchema = build_schema(SDL)


def shape(
    query: str,
    data: dict[str, Any] | None,
    variables: dict[str, Any] | None = None,
    errors: list[Any] | None = None,
    operation_name: str | None = None,
) -> tuple[dict[str, Any] | None, list[Any]]:
    """Validate, compile and shape; returns (data, errors)."""
    document = parse(query)
    problems = validate(SCHEMA, document)
    assert not problems, problems
    projection = compile_projection(SCHEMA, document, operation_name)
    out_errors: list[Any] = list(errors or [])
    result = shape_response(projection, data, variables or {}, out_errors)
    return result, out_errors


def null_error(path: list[str | int], coordinate: str) -> dict[str, Any]:
    return {
        "message": f"Cannot return null for non-nullable field {coordinate}.",
        "path": path,
        "extensions": {"code": "INVALID_GRAPHQL_RESPONSE"},
    }
