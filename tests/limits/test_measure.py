"""Operation shape measurement: depth, height, aliases, root fields, through fragments."""

from __future__ import annotations

import time

from graphql import parse

from gateway.limits.measure import OperationShape, measure_operation
from gateway.limits.tokens import exceeds_token_limit
from gateway.planner.operation import find_operation, fragments_of
from tests.demand.support import supergraph


def measure(query: str) -> OperationShape:
    _sg, schema, _model = supergraph()
    document = parse(query)
    operation = find_operation(document, None)
    assert operation is not None
    return measure_operation(operation, fragments_of(document), schema)


def test_simple_shape() -> None:
    shape = measure('{ product(id: "1") { id price { amount } } expensive }')
    assert shape == OperationShape(depth=3, height=5, aliases=0, root_fields=2, selections=5)


def test_aliases_of_one_field_count_once_in_height() -> None:
    shape = measure("{ a: expensive b: expensive c: expensive }")
    assert shape == OperationShape(depth=1, height=1, aliases=3, root_fields=3, selections=3)


def test_fragments_are_expanded() -> None:
    query = """
    { ...Roots product(id: "1") { ...Deep } }
    fragment Roots on Query { x: expensive tags }
    fragment Deep on Product { related { related { id } } }
    """
    shape = measure(query)
    # product > related > related > id
    assert shape.depth == 4
    assert shape.root_fields == 3
    assert shape.aliases == 1
    # Query.expensive, Query.tags, Query.product, Product.related, Product.id (related is a Product too)
    assert shape.height == 5


def test_fragment_bomb_is_measured_in_linear_time() -> None:
    # Each level spreads the previous one twice: 2**30 expanded aliases, measured from 31 fragments.
    parts = ["fragment F0 on Query { a: expensive }"]
    for level in range(1, 31):
        parts.append(f"fragment F{level} on Query {{ ...F{level - 1} ...F{level - 1} }}")
    query = "{ ...F30 }\n" + "\n".join(parts)
    started = time.perf_counter()
    shape = measure(query)
    assert time.perf_counter() - started < 1.0
    assert shape.aliases == 2**30
    assert shape.root_fields == 2**30
    assert shape.selections == 2**30


def test_nested_fragment_bomb_counts_expanded_selections() -> None:
    parts = ["fragment F0 on Product { id name }"]
    for level in range(1, 31):
        parts.append(f"fragment F{level} on Product {{ ...F{level - 1} ...F{level - 1} }}")
    shape = measure('{ product(id: "1") { ...F30 } }\n' + "\n".join(parts))
    # depth, height and aliases stay tiny: only the expanded selection count shows the bomb
    assert (shape.depth, shape.height, shape.aliases, shape.root_fields) == (2, 3, 0, 1)
    assert shape.selections == 1 + 2 * 2**30


def test_token_counting_matches_graphql_core() -> None:
    query = "{ " + " ".join(f"f{i}" for i in range(100)) + " }"  # 102 tokens
    assert not exceeds_token_limit(query, 102)
    assert exceeds_token_limit(query, 101)
    assert not exceeds_token_limit("{ a }", 3)  # shorter than the limit: never lexed
