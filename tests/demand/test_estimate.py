"""Static cost estimation against the composed supergraph, one rule per case (expected values by hand)."""

from __future__ import annotations

import time

import pytest

from gateway.demand.estimate import CostError
from gateway.demand.model import ListSize
from tests.demand.support import estimate, supergraph


def test_directives_are_read_from_the_composed_supergraph() -> None:
    _sg, _schema, model = supergraph()
    assert model.type_weights == {"JSONBlob": 6.0, "Money": 4.0, "Status": 7.0}
    assert model.field_weights[("Product", "price")] == 2.0
    assert model.field_weights[("Query", "expensive")] == 20.0
    assert model.argument_weights[("Mutation", "addProduct", "name")] == 3.0
    assert model.input_field_weights[("ProductInput", "tags")] == 2.0
    assert model.list_sizes[("Query", "products")] == ListSize(None, ("first", "last"), (), False)
    assert model.list_sizes[("Query", "search")] == ListSize(None, ("first",), ("items",), True)
    assert model.list_sizes[("Product", "related")].assumed_size == 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # objects cost 1, scalars 0
        ('{ product(id: "1") { id name } }', 1),
        # @cost on a field replaces its type's weight (Money has 4, price has 2)
        ('{ product(id: "1") { price { amount } } }', 1 + 2),
        # @cost on an enum type
        ('{ product(id: "1") { status } }', 1 + 7),
        # @cost on a scalar field
        ("{ expensive }", 20),
        # a list of scalars costs 0 whatever its size
        ("{ tags }", 0),
        # __typename is free
        ('{ __typename product(id: "1") { __typename } }', 1),
        # slicing argument literal
        ("{ products(first: 3) { id } }", 3),
        # several slicing arguments (requireOneSlicingArgument: false): the largest
        ("{ products(first: 3, last: 5) { id } }", 5),
        # no slicing argument and no assumedSize: the configured list_size (10)
        ("{ products { id } }", 10),
        # assumedSize
        ("{ topProducts { id } }", 5),
        # nested lists multiply: 5 * (1 + 3 * 1)
        ("{ topProducts { related { id } } }", 20),
        # slicing argument default value (reviews(first: Int = 2)): 1 + 2 * (1 + stars 1)
        ('{ product(id: "1") { reviews { body stars } } }', 1 + 2 * 2),
        ('{ product(id: "1") { reviews(first: 6) { stars } } }', 1 + 6 * 2),
        # sizedFields: the size applies to `items`, `search` itself is one object
        ("{ search(first: 4) { total items { id } } }", 1 + 4 * 1),
        # requireOneSlicingArgument satisfied
        ("{ strict(first: 2) { id } }", 2),
        # mutations add 10; argument @cost adds its weight
        ('mutation { addProduct(name: "x") { id } }', 10 + 1 + 3),
        # input object argument: 1 + its fields; the list field with @cost(2): 2 + 2 per item; note: 0
        (
            'mutation { addProduct(name: "x", input: {tags: ["a"], note: "n"}) { id } }',
            10 + 1 + 3 + (1 + 2 + 2),
        ),
        (
            'mutation { addProduct(name: "x", input: {tags: ["a", "b", "c"]}) { id } }',
            10 + 1 + 3 + (1 + 2 + 3 * 2),
        ),
        ('mutation { addProduct(name: "x", input: null) { id } }', 10 + 1 + 3),
        # a field selected twice through fragments counts once
        (
            '{ product(id: "1") { ...A ...B } } '
            "fragment A on Product { price { amount } } fragment B on Product { price { amount } }",
            1 + 2,
        ),
        # @skip / @include with literals
        ("{ expensive @skip(if: true) tags }", 0),
        ("{ expensive @include(if: true) }", 20),
    ],
)
def test_rules(query: str, expected: float) -> None:
    assert estimate(query) == expected


def test_configured_default_list_size() -> None:
    assert estimate("{ products { id } }", list_size=25) == 25


@pytest.mark.parametrize(
    ("variables", "expected"),
    [({"n": 7}, 7), ({}, 10), ({"n": None}, 10)],
)
def test_slicing_argument_from_variables(variables: dict, expected: float) -> None:
    assert estimate("query($n: Int) { products(first: $n) { id } }", variables) == expected


def test_nested_lists_with_variables() -> None:
    query = "query($a: Int, $b: Int) { products(first: $a) { reviews(first: $b) { stars } } }"
    assert estimate(query, {"a": 3, "b": 4}) == 3 * (1 + 4 * (1 + 1))


def test_argument_cost_from_variables() -> None:
    query = 'mutation($in: ProductInput) { addProduct(name: "x", input: $in) { id } }'
    assert estimate(query, {"in": {"tags": ["a", "b"]}}) == 10 + 1 + 3 + (1 + 2 + 2 * 2)
    assert estimate(query, {}) == 10 + 1 + 3


def test_a_list_field_with_sized_fields_uses_its_size() -> None:
    # `search` is one object; its sized field `items` gets the slicing size
    assert estimate("{ search(first: 7) { items { id } } }") == 1 + 7


def test_skip_with_variable() -> None:
    query = "query($s: Boolean!) { expensive @skip(if: $s) }"
    assert estimate(query, {"s": True}) == 0
    assert estimate(query, {"s": False}) == 20


@pytest.mark.parametrize(
    "query",
    [
        "{ strict { id } }",  # no slicing argument, requireOneSlicingArgument defaults to true
        "{ search { items { id } } }",
        "query($n: Int) { strict(first: $n) { id } }",  # a null variable is no argument
    ],
)
def test_require_one_slicing_argument(query: str) -> None:
    with pytest.raises(CostError, match="Exactly one slicing argument is required, but found 0"):
        estimate(query, {"n": None})


def test_fragment_bombs_are_costed_in_linear_time() -> None:
    parts = ["fragment F0 on Product { id price { amount } }"]
    parts += [f"fragment F{i} on Product {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, 41)]
    query = '{ product(id: "1") { ...F40 } }\n' + "\n".join(parts)
    started = time.perf_counter()
    # the spreads merge into one `id` and one `price`: 1 + 2
    assert estimate(query) == 3
    assert time.perf_counter() - started < 1.0
