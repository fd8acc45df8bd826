"""Actual cost of an executed operation, measured on the response data with the estimate's rules.

Why: the estimate assumes list sizes; the response has the real ones. The same weights apply (field or type
``@cost``, 1 per composite value, 0 for scalars and enums, argument costs once per field), but a list costs
the sum of its items and ``null`` costs nothing, as Apollo Router's ``cost.actual`` does. Fragments on
abstract types are matched against ``__typename`` when the response carries it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    GraphQLField,
    GraphQLNamedType,
    GraphQLSchema,
    OperationDefinitionNode,
    get_named_type,
    is_abstract_type,
)

from gateway.demand.estimate import MUTATION_BASE_COST, arguments_cost, type_cost
from gateway.demand.model import CostModel
from gateway.demand.selections import collect_fields


class _Measurer:
    def __init__(
        self,
        schema: GraphQLSchema,
        model: CostModel,
        fragments: Mapping[str, Any],
        variables: Mapping[str, Any],
    ) -> None:
        self.schema = schema
        self.model = model
        self.fragments = fragments
        self.variables = variables

    def object(self, parent: GraphQLNamedType, selection_sets: list[Any], data: Mapping[str, Any]) -> float:
        runtime: GraphQLNamedType | None = None
        typename = data.get("__typename")
        if isinstance(typename, str):
            runtime = self.schema.get_type(typename)
        elif not is_abstract_type(parent):
            runtime = parent
        grouped = collect_fields(self.schema, parent, selection_sets, self.fragments, self.variables, runtime)
        total = 0.0
        counted: set[str] = set()
        for (_owner_name, key), (owner, nodes) in grouped.items():
            if key in counted or key not in data:
                continue
            counted.add(key)
            total += self.field(runtime or owner, owner, nodes, data[key])
        return total

    def field(
        self, runtime: GraphQLNamedType, owner: GraphQLNamedType, nodes: list[FieldNode], value: Any
    ) -> float:
        node = nodes[0]
        name = node.name.value
        if name.startswith("__"):
            return 0.0
        definition: GraphQLField | None = getattr(runtime, "fields", {}).get(name)
        if definition is None:
            definition = getattr(owner, "fields", {}).get(name)
            runtime = owner
        if definition is None:
            return 0.0
        named = get_named_type(definition.type)
        own = type_cost(self.model, runtime.name, name, named)
        sub_sets = [n.selection_set for n in nodes if n.selection_set is not None]
        total = self.value(named, own, sub_sets, value)
        return total + arguments_cost(self.model, runtime.name, definition, node, self.variables)

    def value(self, named: GraphQLNamedType, own: float, sub_sets: list[Any], value: Any) -> float:
        if value is None:
            return 0.0
        if isinstance(value, list):
            return sum(self.value(named, own, sub_sets, item) for item in value)
        if sub_sets and isinstance(value, Mapping):
            return own + self.object(named, sub_sets, value)
        return own


def actual_cost(
    schema: GraphQLSchema,
    model: CostModel,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, Any],
    variables: Mapping[str, Any],
    data: Mapping[str, Any] | None,
) -> float:
    """The cost of the response ``data`` for ``operation`` (0 when there is no data)."""
    if data is None:
        return 0.0
    root = schema.get_root_type(operation.operation)
    if root is None:
        return 0.0
    base = MUTATION_BASE_COST if operation.operation.value == "mutation" else 0.0
    return base + _Measurer(schema, model, fragments, variables).object(root, [operation.selection_set], data)
