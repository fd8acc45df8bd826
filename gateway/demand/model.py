"""The cost directives of a supergraph (``@cost``, ``@listSize``) as plain lookup tables.

Why: cost is estimated on every request, but the directives only change with the schema. They are read once
per supergraph generation into dicts keyed by type and field name, so estimation never walks SDL directives.

A Fed 2 supergraph links the cost spec (``@link(url: "https://specs.apollo.dev/cost/v0.1")``) and applies the
directives directly (``@cost(weight: 5)``, ``@listSize(...)``, possibly renamed by the link's ``import``).
When a subgraph used names the supergraph cannot keep, composition writes
``@join__directive(graphs: [...], name: "cost", args: {weight: 5})`` instead; both forms are read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DirectiveNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldDefinitionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    ValueNode,
    value_from_ast_untyped,
)

from gateway.supergraph.model import Supergraph


@dataclass(frozen=True, slots=True)
class ListSize:
    """One ``@listSize`` application (IBM cost spec section 4)."""

    assumed_size: int | None = None
    slicing_arguments: tuple[str, ...] = ()
    sized_fields: tuple[str, ...] = ()
    require_one_slicing_argument: bool = True


@dataclass(frozen=True, slots=True)
class CostModel:
    """Weights and list sizes by schema coordinate; absent means 'use the spec default'."""

    type_weights: dict[str, float] = field(default_factory=dict)
    field_weights: dict[tuple[str, str], float] = field(default_factory=dict)
    argument_weights: dict[tuple[str, str, str], float] = field(default_factory=dict)
    input_field_weights: dict[tuple[str, str], float] = field(default_factory=dict)
    list_sizes: dict[tuple[str, str], ListSize] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not (
            self.type_weights
            or self.field_weights
            or self.argument_weights
            or self.input_field_weights
            or self.list_sizes
        )


_TYPE_NODES = (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
)


def _arguments(directive: DirectiveNode) -> dict[str, Any]:
    return {arg.name.value: value_from_ast_untyped(arg.value) for arg in directive.arguments or ()}


def _join_directive_arguments(value: ValueNode | None) -> dict[str, Any]:
    raw = value_from_ast_untyped(value) if value is not None else None
    return raw if isinstance(raw, dict) else {}


class _Reader:
    """Finds cost directives under their local names (and inside ``@join__directive``)."""

    def __init__(self, supergraph: Supergraph) -> None:
        links = supergraph.links
        cost_spec = links.get("cost")
        join = links.get("join")
        self.cost_name = cost_spec.directive("cost") if cost_spec else "cost"
        self.list_size_name = cost_spec.directive("listSize") if cost_spec else "listSize"
        self.join_directive = join.directive("directive") if join else "join__directive"

    def find(self, directives: Any) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        """(``@cost`` arguments, ``@listSize`` arguments) of one definition, when present."""
        cost: dict[str, Any] | None = None
        list_size: dict[str, Any] | None = None
        for directive in directives or ():
            name = directive.name.value
            if name == self.cost_name:
                cost = _arguments(directive)
            elif name == self.list_size_name:
                list_size = _arguments(directive)
            elif name == self.join_directive:
                args = _arguments(directive)
                inner = args.get("name")
                values = args.get("args") if isinstance(args.get("args"), dict) else {}
                if inner in ("cost", "federation__cost"):
                    cost = values
                elif inner in ("listSize", "federation__listSize"):
                    list_size = values
        return cost, list_size


def _weight(arguments: dict[str, Any] | None) -> float | None:
    if arguments is None:
        return None
    weight = arguments.get("weight")
    try:
        return float(weight) if weight is not None else None
    except (TypeError, ValueError):
        return None


def _strings(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list):
        return tuple(item for item in value if isinstance(item, str))
    return ()


def _list_size(arguments: dict[str, Any]) -> ListSize:
    assumed = arguments.get("assumedSize")
    require_one = arguments.get("requireOneSlicingArgument")
    return ListSize(
        assumed_size=int(assumed) if isinstance(assumed, int | float) else None,
        slicing_arguments=_strings(arguments.get("slicingArguments")),
        sized_fields=_strings(arguments.get("sizedFields")),
        require_one_slicing_argument=True if require_one is None else bool(require_one),
    )


def build_cost_model(supergraph: Supergraph) -> CostModel:
    """Read every ``@cost`` / ``@listSize`` of the supergraph (once per schema generation)."""
    reader = _Reader(supergraph)
    model = CostModel()
    for definition in supergraph.document.definitions:
        if not isinstance(definition, _TYPE_NODES):
            continue
        type_name = definition.name.value
        cost, _ = reader.find(definition.directives)
        weight = _weight(cost)
        if weight is not None:
            model.type_weights[type_name] = weight
        for member in getattr(definition, "fields", None) or ():
            if isinstance(member, FieldDefinitionNode):
                _read_field(reader, model, type_name, member)
            elif isinstance(member, InputValueDefinitionNode):
                weight = _weight(reader.find(member.directives)[0])
                if weight is not None:
                    model.input_field_weights[(type_name, member.name.value)] = weight
    return model


def _read_field(reader: _Reader, model: CostModel, type_name: str, member: FieldDefinitionNode) -> None:
    field_name = member.name.value
    cost, list_size = reader.find(member.directives)
    weight = _weight(cost)
    if weight is not None:
        model.field_weights[(type_name, field_name)] = weight
    if list_size is not None:
        model.list_sizes[(type_name, field_name)] = _list_size(list_size)
    for argument in member.arguments or ():
        weight = _weight(reader.find(argument.directives)[0])
        if weight is not None:
            model.argument_weights[(type_name, field_name, argument.name.value)] = weight
