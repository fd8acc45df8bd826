"""Static cost of an operation before execution (IBM cost spec, Apollo Router's ``static_estimated``).

Rules, per field (recursively):

  cost = instances * (type cost + cost of the sub-selections) + cost of the arguments given

* type cost: the field's ``@cost(weight)`` if it has one, else the ``@cost`` of its named type, else 1 for
  composite types (object, interface, union) and 0 for scalars and enums;
* instances: 1 for a non-list field; for a list field the value of its slicing argument (the largest when
  several are given; literal, variable or the argument's default), else ``@listSize(assumedSize)``, else the
  configured ``list_size``. A field named in its parent's ``@listSize(sizedFields)`` gets the parent's size;
* arguments (Apollo's scoring, also for variables): a scalar argument costs its ``@cost`` (0 by default), an
  input object its ``@cost`` (1 by default) plus its fields, a list its ``@cost`` plus its items;
* ``@listSize(requireOneSlicingArgument: true)`` (the default) with a slicing argument list: exactly one of
  them must have a value (given or default), else the operation is refused (``COST_QUERY_PARSE_FAILURE``);
* the operation: a mutation adds 10 (Apollo: the base cost of the mutation operation type), queries 0;
* ``__typename`` and introspection fields cost 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphql import (
    FieldNode,
    GraphQLArgument,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLNamedType,
    GraphQLSchema,
    IntValueNode,
    NullValueNode,
    OperationDefinitionNode,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_list_type,
    value_from_ast_untyped,
)
from graphql.pyutils import Undefined

from gateway.demand.model import CostModel, ListSize
from gateway.demand.selections import collect_fields

MUTATION_BASE_COST = 10.0
# (names of the child fields sized by the parent's @listSize(sizedFields), their size) or None.
Sized = tuple[tuple[str, ...], int] | None


class CostError(Exception):
    """The operation cannot be costed (for example a ``requireOneSlicingArgument`` violation)."""


def _int_value(node: ValueNode | None, variables: Mapping[str, Any]) -> int | None:
    if node is None or isinstance(node, NullValueNode):
        return None
    if isinstance(node, IntValueNode):
        return int(node.value)
    if isinstance(node, VariableNode):
        value = variables.get(node.name.value)
        return value if isinstance(value, int) and not isinstance(value, bool) else None
    return None


def _default_int(argument: GraphQLArgument) -> int | None:
    """An integer default of an argument (graphql-core keeps SDL defaults as literals)."""
    default: Any = argument.default_value
    if default is Undefined:
        holder = getattr(argument, "default", None)
        if holder is not None:
            default = holder.value
            if default is Undefined and isinstance(holder.literal, IntValueNode):
                default = int(holder.literal.value)
    return default if isinstance(default, int) and not isinstance(default, bool) else None


def _given(field_node: FieldNode) -> dict[str, ValueNode]:
    return {argument.name.value: argument.value for argument in field_node.arguments or ()}


def slicing_size(
    list_size: ListSize,
    definition: GraphQLField,
    field_node: FieldNode,
    variables: Mapping[str, Any],
    where: str,
) -> int | None:
    """The size announced by the slicing arguments (the largest), or None when none has a value.

    As in Apollo Router: an argument's schema default counts, a value given in the operation (literal or
    variable) replaces it, and ``requireOneSlicingArgument`` counts the arguments that ended up with a value.
    """
    given = _given(field_node)
    sizes: dict[str, int] = {}
    for name in list_size.slicing_arguments:
        argument: GraphQLArgument | None = definition.args.get(name)
        default = _default_int(argument) if argument is not None else None
        if default is not None:
            sizes[name] = default
        value = _int_value(given.get(name), variables)
        if value is not None:
            sizes[name] = value
    if list_size.require_one_slicing_argument and list_size.slicing_arguments and len(sizes) != 1:
        raise CostError(
            f"Exactly one slicing argument is required, but found {len(sizes)} "
            f"(on {where}: {', '.join(list_size.slicing_arguments)})"
        )
    return max(max(sizes.values()), 0) if sizes else None


def _weight_or(weight: float | None, default: float) -> float:
    return default if weight is None else weight


def _input_value_cost(model: CostModel, value: Any, weight: float | None, input_type: Any) -> float:
    """Apollo's argument scoring on a Python value (variables, or literals converted to values).

    An input object costs its ``@cost`` (1 by default) plus its fields; a list costs its ``@cost`` (0 by
    default) plus its items; any other non-null value costs its ``@cost`` (0 by default).
    """
    if value is None or value is Undefined:
        return 0.0
    named = get_named_type(input_type)
    if isinstance(value, Mapping) and isinstance(named, GraphQLInputObjectType):
        total = _weight_or(weight, 1.0)
        for name, inner in value.items():
            field_def = named.fields.get(name)
            if field_def is not None:
                inner_weight = model.input_field_weights.get((named.name, name))
                total += _input_value_cost(model, inner, inner_weight, field_def.type)
        return total
    if isinstance(value, list):
        return _weight_or(weight, 0.0) + sum(
            _input_value_cost(model, item, weight, input_type) for item in value
        )
    return _weight_or(weight, 0.0)


def arguments_cost(
    model: CostModel,
    parent: str,
    definition: GraphQLField,
    field_node: FieldNode,
    variables: Mapping[str, Any],
) -> float:
    """Cost of the arguments a field was given (``@cost`` on arguments, input types and input fields)."""
    total = 0.0
    for argument in field_node.arguments or ():
        name = argument.name.value
        argument_def = definition.args.get(name)
        if argument_def is None:
            continue
        weight = model.argument_weights.get((parent, field_node.name.value, name))
        value = value_from_ast_untyped(argument.value, dict(variables))
        total += _input_value_cost(model, value, weight, argument_def.type)
    return total


def type_cost(model: CostModel, parent: str, field_name: str, named: GraphQLNamedType) -> float:
    """The per-instance cost of a field's value, before its sub-selections."""
    weight = model.field_weights.get((parent, field_name))
    if weight is not None:
        return weight
    weight = model.type_weights.get(named.name)
    if weight is not None:
        return weight
    return 1.0 if is_composite_type(named) else 0.0


class Estimator:
    """Estimates one operation; holds the schema, the cost model and the request's variables."""

    def __init__(
        self,
        schema: GraphQLSchema,
        model: CostModel,
        fragments: Mapping[str, Any],
        variables: Mapping[str, Any],
        default_list_size: int,
    ) -> None:
        self.schema = schema
        self.model = model
        self.fragments = fragments
        self.variables = variables
        self.default_list_size = default_list_size

    def operation(self, operation: OperationDefinitionNode) -> float:
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return 0.0
        base = MUTATION_BASE_COST if operation.operation.value == "mutation" else 0.0
        return base + self.selections(root, [operation.selection_set], None)

    def selections(self, parent: GraphQLNamedType, selection_sets: list[Any], sized: Sized) -> float:
        """Sum of the costs of the fields selected on ``parent``."""
        total = 0.0
        grouped = collect_fields(self.schema, parent, selection_sets, self.fragments, self.variables)
        for owner, nodes in grouped.values():
            total += self.field(owner, nodes, sized)
        return total

    def field(self, owner: GraphQLNamedType, nodes: list[FieldNode], sized: Sized) -> float:
        """Cost of one field (its merged nodes) with its sub-selections."""
        node = nodes[0]
        name = node.name.value
        if name.startswith("__"):
            return 0.0
        definition: GraphQLField | None = getattr(owner, "fields", {}).get(name)
        if definition is None:
            return 0.0
        named = get_named_type(definition.type)
        is_list = is_list_type(get_nullable_type(definition.type))
        list_size = self.model.list_sizes.get((owner.name, name))
        size: int | None = None
        if list_size is not None:
            size = slicing_size(list_size, definition, node, self.variables, f"{owner.name}.{name}")
            if size is None:
                size = list_size.assumed_size
        if size is None:
            size = self.default_list_size
        child_sized: Sized = None
        if list_size is not None and list_size.sized_fields:
            # The size also applies to the named child lists (a connection's `edges`/`nodes`).
            child_sized = (list_size.sized_fields, size)
        instances = float(size) if is_list else 1.0
        if sized is not None and is_list and name in sized[0]:
            instances = float(sized[1])
        own = type_cost(self.model, owner.name, name, named)
        children = 0.0
        sub_sets = [n.selection_set for n in nodes if n.selection_set is not None]
        if sub_sets:
            children = self.selections(named, sub_sets, child_sized)
        args = arguments_cost(self.model, owner.name, definition, node, self.variables)
        return instances * (own + children) + args


def estimate_cost(
    schema: GraphQLSchema,
    model: CostModel,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, Any],
    variables: Mapping[str, Any],
    default_list_size: int,
) -> float:
    """The estimated cost of ``operation`` with these variables; raises ``CostError``."""
    return Estimator(schema, model, fragments, variables, default_list_size).operation(operation)
