"""Actual cost: the estimate's weights applied to the real response data."""

from __future__ import annotations

from typing import Any

from graphql import parse

from gateway.demand.actual import actual_cost
from gateway.planner.operation import find_operation, fragments_of
from tests.demand.support import supergraph


def actual(query: str, data: Any, variables: dict[str, Any] | None = None) -> float:
    _sg, schema, model = supergraph()
    document = parse(query)
    operation = find_operation(document, None)
    assert operation is not None
    return actual_cost(schema, model, operation, fragments_of(document), variables or {}, data)


def test_lists_cost_their_real_size() -> None:
    query = "{ products(first: 100) { id reviews { stars } } }"
    data = {
        "products": [
            {"id": "1", "reviews": [{"stars": 5}, {"stars": 4}]},
            {"id": "2", "reviews": []},
        ]
    }
    # 2 products (1 each) + 2 reviews (1 + stars 1 each)
    assert actual(query, data) == 2 + 2 * 2


def test_null_costs_nothing_and_weights_apply() -> None:
    query = '{ product(id: "1") { price { amount } status } expensive }'
    assert actual(query, {"product": None, "expensive": 3}) == 20
    assert (
        actual(query, {"product": {"price": {"amount": 1.0}, "status": "ACTIVE"}, "expensive": None})
        == 1 + 2 + 7
    )


def test_aliases_and_mutation_base_cost() -> None:
    query = 'mutation { a: addProduct(name: "x") { id } b: addProduct(name: "y") { id } }'
    assert actual(query, {"a": {"id": "1"}, "b": None}) == 10 + 1 + 3 + 3


def test_no_data_costs_nothing() -> None:
    assert actual("{ expensive }", None) == 0
