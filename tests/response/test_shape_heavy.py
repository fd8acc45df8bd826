"""The benchmark's heavy query: shaping the merged tree (with planner extras) gives the reference response.

Why: this is the response both reference gateways return byte for byte; key order included.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from graphql import build_schema, parse, validate

from gateway.response import compile_projection, shape_response

DATA_DIR = Path(__file__).resolve().parents[2] / "bench" / "data"

# The API schema of the benchmark supergraph, written by hand (no join__/link machinery).
API_SDL = """
type Product { upc: String! weight: Int price: Int inStock: Boolean shippingEstimate: Int name: String
  reviews: [Review] }
type Query { me: User user(id: ID!): User users: [User] topProducts(first: Int = 5): [Product] }
type Review { id: ID! body: String product: Product author: User }
type User { id: ID! name: String username: String birthday: Int reviews: [Review] }
"""

pytestmark = pytest.mark.skipif(not (DATA_DIR / "heavy.graphql").exists(), reason="bench data not present")


def _with_extras(value: Any, counter: list[int]) -> Any:
    """Add what the planner merges in: __typename, internal aliases, fields the client did not ask for."""
    if isinstance(value, list):
        return [_with_extras(item, counter) for item in value]
    if isinstance(value, dict):
        counter[0] += 1
        out: dict[str, Any] = {"__fed_key_0": counter[0]}
        for key, item in reversed(list(value.items())):  # stored order differs from document order
            out[key] = _with_extras(item, counter)
        out["__typename"] = "Unchecked"  # concrete positions must not trust it
        out["birthday"] = 1
        return out
    return value


def test_heavy_response_is_reproduced_exactly():
    schema = build_schema(API_SDL)
    document = parse((DATA_DIR / "heavy.graphql").read_text())
    assert not validate(schema, document)
    expected = json.loads((DATA_DIR / "expected" / "heavy.json").read_text())
    projection = compile_projection(schema, document, None)
    merged = _with_extras(expected["data"], [0])
    errors: list[Any] = []
    shaped = shape_response(projection, merged, {}, errors)
    assert errors == []
    assert json.dumps({"data": shaped}, separators=(",", ":")) == json.dumps(expected, separators=(",", ":"))
