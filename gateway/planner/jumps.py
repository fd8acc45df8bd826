"""Entity jumps: key and @requires fields collected in the current fetch, a dependent _entities fetch."""

from __future__ import annotations

from collections.abc import Sequence

from graphql import (
    GraphQLInterfaceType,
    GraphQLObjectType,
)

from gateway.planner.errors import PlanningError
from gateway.planner.operation import OpField, OpFragment, OpSelection, field_set_selections
from gateway.planner.selection import SelectionSet
from gateway.planner.state import Group, PlannerState, Requirement, merge_ops, wrap_conditions
from gateway.supergraph.model import KeyDef

_MAX_DEPTH = 64


class JumpsMixin(PlannerState):
    """Entity jumps: key and @requires fields collected in the current fetch, a dependent _entities fetch."""

    def _alias_internal(
        self, required: Sequence[OpSelection], client: Sequence[OpSelection] | None
    ) -> tuple[OpSelection, ...]:
        """Give planner-added fields an internal alias where the client uses the same response key for
        something else, so the client's data is never overwritten."""
        by_key: dict[str, list[OpField]] = {}

        def collect(sels: Sequence[OpSelection] | None) -> None:
            for s in sels or ():
                if isinstance(s, OpField):
                    by_key.setdefault(s.response_key, []).append(s)
                else:
                    collect(s.selections)

        collect(client)
        result: list[OpSelection] = []
        for sel in required:
            if isinstance(sel, OpFragment):
                result.append(
                    OpFragment(sel.type_condition, (), self._alias_internal(sel.selections, client))
                )
                continue
            same = by_key.get(sel.name, [])
            clash = any(f.name != sel.name or f.args_key() != sel.args_key() for f in same)
            alias = f"_fed_{sel.name}" if clash else None
            sub: tuple[OpSelection, ...] | None = None
            if sel.selections is not None:
                client_sub = (
                    [] if clash else [s for f in same if f.name == sel.name for s in (f.selections or ())]
                )
                sub = self._alias_internal(sel.selections, client_sub)
                if any(isinstance(s, OpFragment) for s in sub):
                    sub = (OpField("__typename", None, (), (), None), *sub)
            result.append(OpField(sel.name, alias, sel.arguments, (), sub))
        return tuple(result)

    def entity_jump(
        self,
        group: Group,
        target: SelectionSet,
        parent: str,
        runtime_types: Sequence[str],
        rep_type: str,
        graph2: str,
        key: KeyDef,
        path: tuple[str, ...],
        extra_requires: Sequence[OpSelection],
        conditions: tuple,  # type: ignore[type-arg]
        provided: Sequence[OpSelection] | None,
        level: Sequence[OpSelection] | None,
        contextual: bool = False,
    ) -> tuple[Group, SelectionSet]:
        """Make objects at ``path`` (of type ``parent`` in ``group``) available to ``graph2`` as
        representations; return the dependent group and its ``... on rep_type`` selection set."""
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise PlanningError(f"cannot plan: requirements of {parent} at {'.'.join(path)} never converge")
        try:
            required = self._alias_internal((*field_set_selections(key.selection), *extra_requires), level)
            touched: set[int] = set()
            self.touched.append(touched)
            try:
                target.add_field("__typename")
                self._touch(group)
                self.plan_selections(group, target, parent, required, path, provided, (), level)
            finally:
                self.touched.pop()
            if contextual:
                child = self._new_group(graph2, None, path, register=False)
                child.deps |= touched | {group.id}
            else:
                child = self._entity_group(graph2, path, touched | {group.id})
            for runtime in runtime_types:
                requirement = child.requirements.get(runtime)
                if requirement is None:
                    requirement = Requirement(rep_type, SelectionSet())
                    child.requirements[runtime] = requirement
                merge_ops(requirement.selection, required)
            child_target = wrap_conditions(child.selection.add_fragment(rep_type), conditions)
            return child, child_target
        finally:
            self.depth -= 1

    def plan_jump(
        self,
        group: Group,
        target: SelectionSet,
        parent: str,
        sel: OpField,
        path: tuple[str, ...],
        provided: Sequence[OpSelection] | None,
        conditions: tuple,  # type: ignore[type-arg]
        level: Sequence[OpSelection],
        same_graph: bool = False,
    ) -> None:
        name = sel.name
        options: list[tuple[tuple[int, int, int, int], str, str, KeyDef]] = []
        graph_order = {g: i for i, g in enumerate(self.sg.graphs)}
        for graph2 in self.sg.field_graphs(parent, name, self.labels):
            if (graph2 == group.graph) != same_graph:
                continue
            keys = self.sg.resolvable_keys(parent, graph2)
            if not keys:
                continue
            key = self._best_key(keys, group.graph, parent, provided)
            options.append(
                (self._score(group, parent, graph2, key, sel, path, provided), graph2, parent, key)
            )
        if not options:
            # a field contributed to an interface by an @interfaceObject (or an entity interface)
            gtype = self.sg.schema.get_type(parent)
            interfaces = (
                gtype.interfaces if isinstance(gtype, GraphQLObjectType | GraphQLInterfaceType) else ()
            )
            for iface in interfaces:
                for graph2 in self.sg.field_graphs(iface.name, name, self.labels):
                    if graph2 == group.graph:
                        continue
                    keys = self.sg.resolvable_keys(iface.name, graph2)
                    if not keys:
                        continue
                    key = self._best_key(keys, group.graph, parent, provided)
                    options.append(
                        (
                            self._score(group, parent, graph2, key, sel, path, provided),
                            graph2,
                            iface.name,
                            key,
                        )
                    )
        if not options:
            if self._refetch_from_ancestor(sel):
                return
            raise PlanningError(
                f"Cannot plan field '{parent}.{name}' from subgraph '{group.graph}': no other subgraph can "
                f"resolve it through an entity key of '{parent}'."
            )
        options.sort(key=lambda o: (o[0], graph_order[o[1]]))
        _, graph2, rep_type, key = options[0]
        extra: tuple[OpSelection, ...] = ()
        fielddef = self.sg.types[rep_type].fields.get(name)
        entry = fielddef.entry(graph2) if fielddef else None
        if entry is not None and entry.requires is not None:
            extra = field_set_selections(entry.requires)
        contextual = entry is not None and bool(entry.context_arguments)
        child, child_target = self.entity_jump(
            group,
            target,
            parent,
            # objects of an interface seen as an @interfaceObject may already carry their concrete
            # __typename (another fetch at the same path can resolve it first)
            (parent, *self.sg.possible_types(parent)) if self.sg.is_abstract(parent) else (parent,),
            rep_type,
            graph2,
            key,
            path,
            extra,
            conditions,
            provided,
            level,
            contextual=contextual,
        )
        if contextual:
            assert entry is not None
            sel = self._plan_contexts(child, group, target, parent, sel, path, provided, level, entry)
        self.satisfied.add((id(sel), child.id))
        self._keep.append(sel)
        self.plan_selections(child, child_target, rep_type, (sel,), path, None, conditions)

    def _refetch_from_ancestor(self, sel: OpField) -> bool:
        """A value type (no key) lacks ``sel`` in this subgraph: fetch the path from the nearest entity
        ancestor down to ``sel`` again from a subgraph that has it (shared value types, differing fields)."""
        frames = self.frames
        for index in range(len(frames) - 1, -1, -1):
            inner: tuple[OpSelection, ...] = (sel,)
            for frame in reversed(frames[index:]):
                selections: tuple[OpSelection, ...] = inner
                if frame.runtime is not None:
                    selections = (OpFragment(frame.runtime, (), inner),)
                field = frame.field
                inner = (OpField(field.name, field.alias, field.arguments, field.directives, selections),)
            top = frames[index]
            jumpable = any(
                graph != top.group.graph and self.sg.resolvable_keys(top.parent, graph)
                for graph in self.sg.field_graphs(top.parent, top.field.name, self.labels)
            )
            if not jumpable:
                continue
            saved = self.frames
            self.frames = frames[:index]
            try:
                synthesized = inner[0]
                assert isinstance(synthesized, OpField)
                self.plan_jump(
                    top.group,
                    top.target,
                    top.parent,
                    synthesized,
                    top.path,
                    top.provided,
                    top.conditions,
                    top.level,
                )
                return True
            except PlanningError:
                continue
            finally:
                self.frames = saved
        return False
