"""Field collection for cost analysis: fragments inlined, ``@skip``/``@include`` applied, fields grouped.

Why: both the estimate (per operation) and the actual cost (per response) must see the same fields the
executor would run. Fields are grouped by (parent type, response key) so that a field selected twice through
fragments is counted once, with its sub-selections merged, as GraphQL execution does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from graphql import (
    BooleanValueNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLNamedType,
    GraphQLSchema,
    InlineFragmentNode,
    SelectionSetNode,
    VariableNode,
    is_abstract_type,
)


def is_included(node: Any, variables: Mapping[str, Any]) -> bool:
    """Evaluate ``@skip(if:)`` and ``@include(if:)`` on a selection."""
    for directive in node.directives or ():
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        value: Any = None
        for argument in directive.arguments or ():
            if argument.name.value == "if":
                literal = argument.value
                if isinstance(literal, BooleanValueNode):
                    value = literal.value
                elif isinstance(literal, VariableNode):
                    value = variables.get(literal.name.value)
        if name == "skip" and value is True:
            return False
        if name == "include" and value is False:
            return False
    return True


def _applies(
    schema: GraphQLSchema, condition: GraphQLNamedType | None, runtime: GraphQLNamedType | None
) -> bool:
    """Whether a fragment on ``condition`` applies to an object whose concrete type is ``runtime``."""
    if condition is None or runtime is None:
        return True
    if condition.name == runtime.name:
        return True
    if is_abstract_type(condition):
        return any(t.name == runtime.name for t in schema.get_possible_types(condition))  # type: ignore[arg-type]
    return False


def collect_fields(
    schema: GraphQLSchema,
    parent: GraphQLNamedType,
    selection_sets: Iterable[SelectionSetNode],
    fragments: Mapping[str, Any],
    variables: Mapping[str, Any],
    runtime: GraphQLNamedType | None = None,
) -> dict[tuple[str, str], tuple[GraphQLNamedType, list[FieldNode]]]:
    """Fields by (parent type name, response key) -> (parent type, the field nodes to merge).

    ``runtime`` is the concrete type of the object when known (actual cost): fragments that cannot apply to
    it are skipped. Without it (estimate) every fragment counts.
    """
    grouped: dict[tuple[str, str], tuple[GraphQLNamedType, list[FieldNode]]] = {}
    seen_fragments: set[str] = set()

    def visit(selection_set: SelectionSetNode, current: GraphQLNamedType) -> None:
        for selection in selection_set.selections:
            if not is_included(selection, variables):
                continue
            if isinstance(selection, FieldNode):
                key = selection.alias.value if selection.alias else selection.name.value
                owner = current
                entry = grouped.get((owner.name, key))
                if entry is None:
                    grouped[(owner.name, key)] = (owner, [selection])
                else:
                    entry[1].append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = (
                    schema.get_type(selection.type_condition.name.value) if selection.type_condition else None
                )
                if _applies(schema, condition, runtime):
                    visit(selection.selection_set, condition or current)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = fragments.get(name)
                if fragment is None or name in seen_fragments:
                    continue
                # A fragment spread twice at one level adds nothing new (its fields merge); visiting it
                # once keeps fragment bombs linear and stops cycles.
                seen_fragments.add(name)
                condition = schema.get_type(fragment.type_condition.name.value)
                if _applies(schema, condition, runtime):
                    visit(fragment.selection_set, condition or current)

    for selection_set in selection_sets:
        visit(selection_set, parent)
    return grouped
