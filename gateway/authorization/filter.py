"""Removes unauthorized selections from an operation, the way Apollo Router does before planning.

Why rewrite the operation instead of nulling fields after execution: the planner then never sees the removed
branches, so no subgraph request is sent for them and their cost is never paid. The rewrite depends only on
the operation and on *which clauses are denied*, so it is cached per (operation, denied set) and planned once
per outcome.

Choices (documented in docs/auth.md):
- fragment spreads are inlined in the filtered operation (a fragment's filtering is the same everywhere, but
  its error paths are not);
- when removing fields empties a selection set, the parent field is removed too and reported instead of its
  children (the parent is what becomes null); an emptied root keeps only ``__typename`` (answered locally);
- error paths are response keys from the root without list indices.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLOutputType,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
)

from gateway.authorization.rules import Clause, SchemaRules

_TYPENAME_ONLY = SelectionSetNode(selections=(FieldNode(name=NameNode(value="__typename")),))


@dataclass(frozen=True, slots=True)
class Removed:
    """One removed selection: its response path, its schema coordinate, and how to null it afterwards.

    ``types`` holds the declared type of each field on the path (for null propagation when the planner still
    fetched the value, e.g. an entity key); ``narrowed`` is True when a type condition on the path means other
    runtime types may share the path, so the value must not be nulled blindly.
    """

    path: tuple[str, ...]
    coordinate: str
    types: tuple[GraphQLOutputType, ...]
    narrowed: bool


@dataclass(frozen=True, slots=True)
class Filtered:
    """The operation to plan and what was removed from it."""

    operation: OperationDefinitionNode
    removed: tuple[Removed, ...]


def _field_keys(
    selection_set: SelectionSetNode, fragments: dict[str, FragmentDefinitionNode], seen: set[str]
) -> list[str]:
    """Response keys a fragment contributes at its own level (for reporting a denied type condition)."""
    keys: list[str] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value == "__typename":
                continue  # never guarded: answered whatever the type condition
            key = selection.alias.value if selection.alias else selection.name.value
            if key not in seen:
                seen.add(key)
                keys.append(key)
        elif isinstance(selection, InlineFragmentNode):
            keys.extend(_field_keys(selection.selection_set, fragments, seen))
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                keys.extend(_field_keys(fragment.selection_set, fragments, seen))
    return keys


class _Walker:
    """One pass over an operation: collects the clauses used (``denied is None``) or filters."""

    def __init__(
        self,
        rules: SchemaRules,
        fragments: dict[str, FragmentDefinitionNode],
        denied: frozenset[Clause] | None,
    ) -> None:
        self.rules = rules
        self.fragments = fragments
        self.denied = denied
        self.used: set[Clause] = set()

    def _blocked(self, clauses: frozenset[Clause]) -> bool:
        if self.denied is None:
            self.used.update(clauses)
            return False
        return bool(clauses & self.denied)

    def walk(
        self,
        selection_set: SelectionSetNode,
        scope: GraphQLNamedType,
        path: tuple[str, ...],
        types: tuple[GraphQLOutputType, ...],
        narrowed: bool,
        removed: list[Removed],
    ) -> SelectionSetNode | None:
        """The filtered selection set (``None`` when nothing is left); appends removals to ``removed``."""
        kept: list[SelectionNode] = []
        changed = False
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                result = self._field(selection, scope, path, types, narrowed, removed)
            else:
                result = self._fragment(selection, scope, path, types, narrowed, removed)
            if result is not selection:
                changed = True
            if result is not None:
                kept.append(result)
        if not kept:
            return None
        return SelectionSetNode(selections=tuple(kept)) if changed else selection_set

    def _field(
        self,
        node: FieldNode,
        scope: GraphQLNamedType,
        path: tuple[str, ...],
        types: tuple[GraphQLOutputType, ...],
        narrowed: bool,
        removed: list[Removed],
    ) -> FieldNode | None:
        name = node.name.value
        if name.startswith("__") or not isinstance(scope, GraphQLObjectType | GraphQLInterfaceType):
            return node  # __typename / introspection: never guarded
        fielddef = scope.fields.get(name)
        if fielddef is None:
            return node
        key = node.alias.value if node.alias else name
        here = (*path, key)
        here_types = (*types, fielddef.type)
        coordinate = f"{scope.name}.{name}"
        if self._blocked(self.rules.for_field(scope, name)):
            removed.append(Removed(here, coordinate, here_types, narrowed))
            return None
        if node.selection_set is None:
            return node
        inner_removed: list[Removed] = []
        inner = self.walk(
            node.selection_set, get_named_type(fielddef.type), here, here_types, narrowed, inner_removed
        )
        if inner is None:
            removed.append(Removed(here, coordinate, here_types, narrowed))
            return None
        removed.extend(inner_removed)
        if inner is node.selection_set:
            return node
        return FieldNode(
            alias=node.alias,
            name=node.name,
            arguments=node.arguments,
            directives=node.directives,
            selection_set=inner,
        )

    def _fragment(
        self,
        node: SelectionNode,
        scope: GraphQLNamedType,
        path: tuple[str, ...],
        types: tuple[GraphQLOutputType, ...],
        narrowed: bool,
        removed: list[Removed],
    ) -> SelectionNode | None:
        if isinstance(node, FragmentSpreadNode):
            fragment = self.fragments.get(node.name.value)
            if fragment is None:
                return node
            condition: NamedTypeNode | None = fragment.type_condition
            selection_set = fragment.selection_set
        else:
            assert isinstance(node, InlineFragmentNode)
            condition = node.type_condition
            selection_set = node.selection_set
        target = scope
        if condition is not None:
            found = self.rules.schema.get_type(condition.name.value)
            if found is not None:
                target = found
        inner_narrowed = narrowed or target.name != scope.name
        if self._blocked(self.rules.for_type(target.name)):
            for key in _field_keys(selection_set, self.fragments, set()):
                removed.append(Removed((*path, key), target.name, types, True))
            return None
        inner = self.walk(selection_set, target, path, types, inner_narrowed, removed)
        if inner is None:
            return None
        if inner is selection_set:
            return node  # unchanged (a fragment filters the same everywhere, so its spread stays valid)
        return InlineFragmentNode(type_condition=condition, directives=node.directives, selection_set=inner)


def clauses_used(
    rules: SchemaRules, operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> frozenset[Clause]:
    """Every clause that guards some selection of the operation (what a request must evaluate)."""
    root = rules.schema.get_root_type(operation.operation)
    if root is None or rules.empty:
        return frozenset()
    walker = _Walker(rules, fragments, None)
    walker.walk(operation.selection_set, root, (), (), False, [])
    return frozenset(walker.used)


def filter_operation(
    rules: SchemaRules,
    operation: OperationDefinitionNode,
    fragments: dict[str, FragmentDefinitionNode],
    denied: frozenset[Clause],
) -> Filtered:
    """The operation without the selections guarded by a denied clause."""
    root = rules.schema.get_root_type(operation.operation)
    assert root is not None
    removed: list[Removed] = []
    walker = _Walker(rules, fragments, denied)
    selection_set = walker.walk(operation.selection_set, root, (), (), False, removed)
    if selection_set is None:
        selection_set = _TYPENAME_ONLY
    filtered = OperationDefinitionNode(
        operation=operation.operation,
        name=operation.name,
        variable_definitions=operation.variable_definitions,
        directives=operation.directives,
        selection_set=selection_set,
    )
    unique: dict[tuple[str, ...], Removed] = {}
    for entry in removed:
        unique.setdefault(entry.path, entry)
    return Filtered(filtered, tuple(unique.values()))
