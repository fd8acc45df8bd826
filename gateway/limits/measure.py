"""Measures an operation's shape: depth, height, aliases and root fields, fragments expanded.

Why memoised per fragment: a "fragment bomb" (fragments that spread each other several times) expands
exponentially; each fragment's numbers are computed once and combined, so measuring stays linear in the
document size whatever the expansion is. The numbers depend only on the document, so the plugin computes
them once per prepared operation.

Definitions (Apollo Router's ``limits``):
  depth        the deepest field nesting; a root field has depth 1
  height       the number of distinct fields, by (parent type condition, field name); aliases of one
               field count once
  aliases      the number of aliased fields, with fragments expanded at every spread
  root fields  the number of fields selected on the root type, aliases and fragments included
  selections   the number of field selections with every fragment spread expanded where it is spread
               (Apollo Router's ``max_recursive_selections``): the work a naive expansion would do
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)


@dataclass(frozen=True, slots=True)
class OperationShape:
    """The measured numbers of one operation."""

    depth: int
    height: int
    aliases: int
    root_fields: int
    selections: int = 0


@dataclass(frozen=True, slots=True)
class _Summary:
    depth: int
    fields: frozenset[tuple[str, str]]
    aliases: int
    fields_here: int  # fields at this level (fragments expanded), for root fields
    selections: int  # field selections below and at this level, fragments expanded


class _Measurer:
    def __init__(self, schema: GraphQLSchema | None, fragments: Mapping[str, Any]) -> None:
        self.schema = schema
        self.fragments = fragments
        self.memo: dict[str, _Summary] = {}
        self.active: set[str] = set()

    def selection_set(self, selection_set: SelectionSetNode, parent: str) -> _Summary:
        depth = 0
        fields: set[tuple[str, str]] = set()
        aliases = 0
        here = 0
        selections = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                here += 1
                selections += 1
                if selection.alias is not None:
                    aliases += 1
                fields.add((parent, selection.name.value))
                child_depth = 0
                if selection.selection_set is not None:
                    inner = self.selection_set(
                        selection.selection_set, self._child(parent, selection.name.value)
                    )
                    child_depth = inner.depth
                    fields.update(inner.fields)
                    aliases += inner.aliases
                    selections += inner.selections
                depth = max(depth, 1 + child_depth)
            else:
                inner = self._fragment(selection, parent)
                if inner is None:
                    continue
                depth = max(depth, inner.depth)
                fields.update(inner.fields)
                aliases += inner.aliases
                here += inner.fields_here
                selections += inner.selections
        return _Summary(depth, frozenset(fields), aliases, here, selections)

    def _child(self, parent: str, name: str) -> str:
        """The named type of ``parent.name`` (a path when the schema does not know it)."""
        parent_type = self.schema.get_type(parent) if self.schema is not None else None
        definition = getattr(parent_type, "fields", {}).get(name) if parent_type is not None else None
        if definition is None:
            return f"{parent}.{name}"
        return get_named_type(definition.type).name

    def _fragment(self, selection: Any, parent: str) -> _Summary | None:
        if isinstance(selection, InlineFragmentNode):
            condition = selection.type_condition.name.value if selection.type_condition else parent
            return self.selection_set(selection.selection_set, condition)
        if isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            cached = self.memo.get(name)
            if cached is not None:
                return cached
            fragment = self.fragments.get(name)
            if fragment is None or name in self.active:
                return None  # unknown or cyclic: validation refuses these already
            self.active.add(name)
            summary = self.selection_set(fragment.selection_set, fragment.type_condition.name.value)
            self.active.discard(name)
            self.memo[name] = summary
            return summary
        return None


def measure_operation(
    operation: OperationDefinitionNode, fragments: Mapping[str, Any], schema: GraphQLSchema | None = None
) -> OperationShape:
    """Depth, height, aliases and root fields of ``operation`` (``schema`` names the parent types)."""
    root_type = schema.get_root_type(operation.operation) if schema is not None else None
    root = root_type.name if root_type is not None else operation.operation.value
    summary = _Measurer(schema, fragments).selection_set(operation.selection_set, root)
    return OperationShape(
        summary.depth, len(summary.fields), summary.aliases, summary.fields_here, summary.selections
    )
