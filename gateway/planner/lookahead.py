"""Look-ahead questions about what a subgraph can resolve: answered without planning anything.

Why: root and jump choices compare candidate subgraphs by how much of a selection each can complete; these
checks are read-only so they can be asked freely while the plan is being built.
"""

from __future__ import annotations

from collections.abc import Sequence

from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
)

from gateway.planner.operation import OpField, OpFragment, OpSelection, field_set_selections
from gateway.planner.state import Group, PlannerState
from gateway.supergraph.model import KeyDef


class LookaheadMixin(PlannerState):
    """Look-ahead questions about what a subgraph can resolve: answered without planning anything."""

    def _provided(self, provided: Sequence[OpSelection] | None, parent: str, name: str) -> OpField | None:
        if not provided:
            return None
        for sel in provided:
            if isinstance(sel, OpField):
                if sel.name == name:
                    return sel
            elif sel.type_condition is None or self.sg.implements(parent, sel.type_condition):
                found = self._provided(sel.selections, parent, name)
                if found is not None:
                    return found
        return None

    def _resolvable(self, graph: str, parent: str, name: str, provided: Sequence[OpSelection] | None) -> bool:
        if name == "__typename":
            return True
        if self.sg.field_resolvable_in(parent, name, graph, self.labels):
            return True
        return self._provided(provided, parent, name) is not None and self.sg.field_defined_in(
            parent, name, graph
        )

    def _applies(self, type_condition: str | None, runtime: str) -> bool:
        return (
            type_condition is None or type_condition == runtime or self.sg.implements(runtime, type_condition)
        )

    def _unresolved(
        self, graph: str, parent: str, selections: Sequence[OpSelection] | None, budget: int = 3
    ) -> int:
        """How many fields of the selection the subgraph cannot resolve (a cheap look-ahead cost)."""
        if not selections or budget == 0:
            return 0
        count = 0
        for sel in selections:
            if isinstance(sel, OpFragment):
                runtime = sel.type_condition or parent
                if not self.sg.is_abstract(parent):
                    # on an object, a fragment on one of its interfaces reads the object's own fields, and a
                    # fragment on another object never applies
                    if not self._applies(runtime, parent):
                        continue
                    runtime = parent
                if self.sg.types.get(runtime) is not None:
                    count += self._unresolved(graph, runtime, sel.selections, budget)
                continue
            if sel.name == "__typename":
                continue
            fielddef = self.sg.types[parent].fields.get(sel.name) if parent in self.sg.types else None
            if fielddef is None:
                continue
            if not self.sg.field_resolvable_in(parent, sel.name, graph, self.labels):
                count += 1
            elif sel.selections:
                count += self._unresolved(graph, fielddef.type_in(graph), sel.selections, budget - 1)
        return count

    def _locally_resolvable(
        self,
        graph: str,
        parent: str,
        selections: Sequence[OpSelection],
        provided: Sequence[OpSelection] | None,
    ) -> bool:
        for sel in selections:
            if isinstance(sel, OpFragment):
                if not self._locally_resolvable(
                    graph, sel.type_condition or parent, sel.selections, provided
                ):
                    return False
                continue
            if not self._resolvable(graph, parent, sel.name, provided):
                return False
            if sel.selections:
                fielddef = self.sg.types[parent].fields[sel.name]
                sub_provided = self._provided(provided, parent, sel.name)
                if not self._locally_resolvable(
                    graph,
                    fielddef.type_in(graph),
                    sel.selections,
                    sub_provided.selections if sub_provided else None,
                ):
                    return False
        return True

    def _best_key(
        self, keys: Sequence[KeyDef], from_graph: str, parent: str, provided: Sequence[OpSelection] | None
    ) -> KeyDef:
        for key in keys:
            if self._locally_resolvable(from_graph, parent, field_set_selections(key.selection), provided):
                return key
        for key in keys:
            if self._key_reachable(from_graph, parent, field_set_selections(key.selection), provided):
                return key
        return keys[0]

    def _key_reachable(
        self,
        graph: str,
        parent: str,
        selections: Sequence[OpSelection],
        provided: Sequence[OpSelection] | None,
        depth: int = 3,
    ) -> bool:
        """Can objects of ``parent`` in ``graph`` be given these key fields: each field either resolvable
        here, or fetched whole by a jump on another key of the same entity that is itself reachable (the
        compound key ``sku region`` known only to a third subgraph)? A key whose fields can only come from a
        jump on that very key can never be built: the caller then goes back to the parent entity."""
        if self._locally_resolvable(graph, parent, selections, provided):
            return True
        if depth == 0:
            return False
        for sel in selections:
            if isinstance(sel, OpFragment):
                return False
            if self._locally_resolvable(graph, parent, (sel,), provided):
                continue
            if not any(
                other != graph
                and self._locally_resolvable(other, parent, (sel,), None)
                and self._key_reachable(graph, parent, field_set_selections(k.selection), provided, depth - 1)
                for other in self.sg.field_graphs(parent, sel.name, self.labels)
                for k in self.sg.resolvable_keys(parent, other)
            ):
                return False
        return True

    def _plannable(
        self,
        graph: str,
        type_name: str,
        selections: Sequence[OpSelection],
        provided: Sequence[OpSelection] | None,
        budget: int,
    ) -> bool:
        """Can this selection be completed starting in ``graph`` (locally or through entity jumps)?"""
        if budget == 0:
            return True
        typedef = self.sg.types.get(type_name)
        if typedef is None:
            return True
        if typedef.kind in ("interface", "union") and not self.sg.is_interface_object(type_name, graph):
            return all(
                self._plannable(graph, runtime, selections, provided, budget)
                for runtime in self.sg.possible_types_in_graph(type_name, graph)
            )
        for sel in selections:
            if isinstance(sel, OpFragment):
                if self._applies(sel.type_condition, type_name) and not self._plannable(
                    graph, type_name, sel.selections, provided, budget
                ):
                    return False
                continue
            if sel.name == "__typename":
                continue
            fielddef = typedef.fields.get(sel.name)
            if fielddef is None:
                continue
            provided_field = self._provided(provided, type_name, sel.name)
            if self.sg.field_resolvable_in(type_name, sel.name, graph, self.labels) or (
                provided_field is not None and self.sg.field_defined_in(type_name, sel.name, graph)
            ):
                if sel.selections and not self._plannable(
                    graph,
                    fielddef.type_in(graph),
                    sel.selections,
                    provided_field.selections if provided_field else None,
                    budget - 1,
                ):
                    return False
                continue
            # needs a jump: some subgraph resolving it must accept this type as an entity
            if not any(
                self.sg.resolvable_keys(type_name, g)
                for g in self.sg.field_graphs(type_name, sel.name, self.labels)
            ) and not self._via_interface(type_name, sel.name):
                return False
        return True

    def _via_interface(self, type_name: str, field_name: str) -> bool:
        gtype = self.sg.schema.get_type(type_name)
        interfaces = gtype.interfaces if isinstance(gtype, GraphQLObjectType | GraphQLInterfaceType) else ()
        return any(
            self.sg.resolvable_keys(iface.name, g)
            for iface in interfaces
            for g in self.sg.field_graphs(iface.name, field_name, self.labels)
        )

    def _score(
        self,
        group: Group,
        parent: str,
        graph2: str,
        key: KeyDef,
        sel: OpField,
        path: tuple[str, ...],
        provided: Sequence[OpSelection] | None,
    ) -> tuple[int, int, int, int]:
        local_key = self._locally_resolvable(
            group.graph, parent, field_set_selections(key.selection), provided
        )
        fielddef = self.sg.types[parent].fields.get(sel.name)
        entry = fielddef.entry(graph2) if fielddef else None
        has_requires = int(entry is not None and entry.requires is not None)
        existing = int(not self.by_key.get((graph2, path)))
        unresolved = self._unresolved(graph2, fielddef.type_name, sel.selections) if fielddef else 0
        return (0 if local_key else 1, has_requires, unresolved, existing)
