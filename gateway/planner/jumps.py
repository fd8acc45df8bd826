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
from gateway.planner.state import Frame, Group, PlannerState, Requirement, merge_ops, wrap_conditions
from gateway.supergraph.model import KeyDef

_MAX_DEPTH = 64


class JumpsMixin(PlannerState):
    """Entity jumps: key and @requires fields collected in the current fetch, a dependent _entities fetch."""

    def _alias_internal(
        self,
        required: Sequence[OpSelection],
        client: Sequence[OpSelection] | None,
        path: tuple[str, ...] = (),
    ) -> tuple[OpSelection, ...]:
        """Give planner-added fields an internal alias where the client, or another planner-added field at
        the same response path (whatever fetch it lands in), uses the same response key for something else:
        another field, or the same field with other arguments (two subgraphs requiring ``weight(unit: KG)``
        and ``weight(unit: G)``). Every fetch merges into one response tree, so a response key must mean one
        thing per path across the whole plan; each representation then reads exactly what it required."""
        by_key: dict[str, list[OpField]] = {}

        def collect(sels: Sequence[OpSelection] | None) -> None:
            for s in sels or ():
                if isinstance(s, OpField):
                    by_key.setdefault(s.response_key, []).append(s)
                else:
                    collect(s.selections)

        collect(client)
        taken = self.internal_keys.setdefault(path, {})
        result: list[OpSelection] = []
        for sel in required:
            if isinstance(sel, OpFragment):
                result.append(
                    OpFragment(sel.type_condition, (), self._alias_internal(sel.selections, client, path))
                )
                continue
            same = by_key.get(sel.name, [])
            args = sel.args_key()
            clash = any(f.name != sel.name or f.args_key() != args for f in same)
            alias = _free_key(sel, args, clash, by_key, taken)
            key = alias or sel.name
            taken[key] = (sel.name, args)
            sub: tuple[OpSelection, ...] | None = None
            if sel.selections is not None:
                client_sub = (
                    [] if alias else [s for f in same if f.name == sel.name for s in (f.selections or ())]
                )
                sub = self._alias_internal(sel.selections, client_sub, (*path, key))
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
            required = self._alias_internal(
                (*field_set_selections(key.selection), *extra_requires), level, path
            )
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
        prefer: str | None = None,
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
        # A key this subgraph cannot give (not even through other jumps on the same entity) is useless:
        # the field is then asked again through the parent entity ("parent entity call").
        usable = [
            o
            for o in options
            if o[0][0] == 0
            or self._key_reachable(group.graph, parent, field_set_selections(o[3].selection), provided)
        ]
        if not usable:
            if self._refetch_from_ancestor(sel):
                return
            if not options:
                raise PlanningError(
                    f"Cannot plan field '{parent}.{name}' from subgraph '{group.graph}': no other subgraph "
                    f"can resolve it through an entity key of '{parent}'."
                )
            usable = options
        if prefer is not None and any(o[1] == prefer for o in usable):
            usable = [o for o in usable if o[1] == prefer]
        options = sorted(usable, key=lambda o: (o[0], graph_order[o[1]]))
        _, graph2, rep_type, key = options[0]
        extra: tuple[OpSelection, ...] = ()
        fielddef = self.sg.types[rep_type].fields.get(name)
        entry = fielddef.entry(graph2) if fielddef else None
        if entry is not None and entry.requires is not None:
            extra = field_set_selections(entry.requires)
        contextual = entry is not None and bool(entry.context_arguments)
        if (
            not same_graph
            and not contextual
            and not extra
            and not self.by_key.get((graph2, path))
            and self._join_ancestor_fetch(group, sel, graph2)
        ):
            return
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

    def _synthesize(self, frames: Sequence[Frame], sel: OpField) -> OpField:
        """The single path from the field of ``frames[0]`` down to ``sel`` (type conditions included)."""
        inner: tuple[OpSelection, ...] = (sel,)
        for frame in reversed(frames):
            selections: tuple[OpSelection, ...] = inner
            if frame.runtime is not None:
                selections = (OpFragment(frame.runtime, (), inner),)
            field = frame.field
            inner = (OpField(field.name, field.alias, field.arguments, field.directives, selections),)
        synthesized = inner[0]
        assert isinstance(synthesized, OpField)
        return synthesized

    def _join_ancestor_fetch(self, group: Group, sel: OpField, graph2: str) -> bool:
        """Rather than a new fetch to ``graph2`` at this path, ask ``graph2`` for the path down to ``sel`` in
        a fetch it already has at an ancestor entity of the same fetch (one request instead of two: a
        provided child's unprovided leaf, a child whose type differs per subgraph)."""
        frames = self.frames
        for index in range(len(frames) - 1, -1, -1):
            frame = frames[index]
            if frame.group is not group:
                return False
            if not self.by_key.get((graph2, frame.path)):
                continue
            if not self.sg.resolvable_keys(frame.parent, graph2):
                continue
            if not self._chain_resolvable(graph2, frame.parent, _chain(frames[index:], sel)):
                continue
            synthesized = self._synthesize(frames[index:], sel)
            saved = self.frames
            self.frames = frames[:index]
            try:
                self.plan_jump(
                    frame.group,
                    frame.target,
                    frame.parent,
                    synthesized,
                    frame.path,
                    frame.provided,
                    frame.conditions,
                    frame.level,
                    prefer=graph2,
                )
            finally:
                self.frames = saved
            return True
        return False

    def _refetch_from_ancestor(self, sel: OpField) -> bool:
        """A value type (no key) lacks ``sel`` in this subgraph: fetch the path from the nearest entity
        ancestor down to ``sel`` again from a subgraph that has it (shared value types, differing fields)."""
        frames = self.frames
        for index in range(len(frames) - 1, -1, -1):
            synthesized = self._synthesize(frames[index:], sel)
            top = frames[index]
            if index == 0 and self._refetch_root(top, synthesized, _chain(frames, sel)):
                return True
            jumpable = any(
                graph != top.group.graph and self.sg.resolvable_keys(top.parent, graph)
                for graph in self.sg.field_graphs(top.parent, top.field.name, self.labels)
            )
            if not jumpable:
                continue
            saved = self.frames
            self.frames = frames[:index]
            try:
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

    def _refetch_root(
        self, top: Frame, synthesized: OpField, chain: list[tuple[str | None, OpField]]
    ) -> bool:
        """A shared query root field whose value type lacks fields in this subgraph: ask the same root field
        again, for the missing part only, from another subgraph that defines it (the root is reachable from
        every subgraph, so it acts as the entity ancestor). Never for mutations: they would run twice."""
        root = self.sg.root_types.get("query")
        if top.parent != root or top.group.root_kind != "query":
            return False
        graphs = [
            g for g in self.sg.field_graphs(top.parent, top.field.name, self.labels) if g != top.group.graph
        ]
        # candidates must resolve the whole chain down to the missing field itself (so each re-fetch makes
        # progress); what they lack below it is re-fetched the same way from there
        complete = [g for g in graphs if self._chain_resolvable(g, top.parent, chain)]
        if not complete:
            return False
        cost = {g: self._unresolved(g, top.parent, (synthesized,), 8) for g in complete}
        least = min(cost.values())
        complete = [g for g in complete if cost[g] == least]
        graph = min(complete, key=lambda g: 0 if g in self.root_groups else 1)
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise PlanningError(f"cannot plan: root field '{top.field.name}' never converges")
        saved = self.frames
        self.frames = []
        try:
            group = self.root_groups.get(graph) or self._new_group(graph, "query", ())
            self.root_groups[graph] = group
            target = wrap_conditions(group.selection, top.conditions)
            self.plan_selections(group, target, top.parent, (synthesized,), (), None, (), top.level)
        finally:
            self.frames = saved
            self.depth -= 1
        return True

    def _chain_resolvable(self, graph: str, parent: str, chain: list[tuple[str | None, OpField]]) -> bool:
        """Every field of a synthesized single-path selection is resolvable in ``graph``."""
        type_name = parent
        for runtime, fld in chain:
            if runtime is not None:
                type_name = runtime
            if fld.name == "__typename":
                continue
            if not self.sg.field_resolvable_in(type_name, fld.name, graph, self.labels):
                return False
            fielddef = self.sg.types[type_name].fields.get(fld.name)
            if fielddef is None:
                return False
            type_name = fielddef.type_in(graph)
        return True


def _chain(frames: Sequence[Frame], sel: OpField) -> list[tuple[str | None, OpField]]:
    """The fields of the path from ``frames[0]``'s field down to ``sel``, each with the runtime type it is
    selected under (the type condition ``_synthesize`` wraps it in, None for none)."""
    runtimes = [None, *(frame.runtime for frame in frames)]
    fields = [*(frame.field for frame in frames), sel]
    return list(zip(runtimes, fields, strict=True))


def _free_key(
    sel: OpField,
    args: str,
    clash: bool,
    client: dict[str, list[OpField]],
    taken: dict[str, tuple[str, str]],
) -> str | None:
    """The alias for a planner-added field (None: its own name): the first of ``name``, ``_fed_name``,
    ``_fed_name_2``, ... that no client field uses otherwise and that no other planner-added field at this
    path holds with another meaning."""
    if not clash and taken.get(sel.name, (sel.name, args)) == (sel.name, args):
        return None
    index = 1
    while True:
        key = f"_fed_{sel.name}" if index == 1 else f"_fed_{sel.name}_{index}"
        index += 1
        if key in client:
            continue
        if taken.get(key, (sel.name, args)) == (sel.name, args):
            return key
