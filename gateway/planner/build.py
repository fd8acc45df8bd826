"""Build a query plan: pure, synchronous, deterministic.

How it works (the classic "fetch group" planner, extended for Federation 2):

* Root fields are assigned to a subgraph that can resolve them (among several for ``@shareable`` root
  fields, the one that can resolve most of the field's selection); all root fields of a query assigned to the
  same subgraph share one fetch. Mutation root fields run one after another in document order; consecutive
  fields on the same subgraph share a fetch.
* Inside a fetch, selections are walked against the subgraph's view of the schema. A field the subgraph
  cannot resolve (not defined there, ``@external`` and not ``@provides``d, overridden away) becomes an entity
  jump: the current fetch selects ``__typename`` and a ``@key`` of the parent type at that path, and a
  dependent ``_entities`` fetch on a subgraph that can resolve the field receives those representations.
  ``@requires`` fields are planned the same way as key fields: as internal selections at the parent level,
  possibly causing further jumps; the dependent fetch waits for every fetch that contributes to its
  representations.
* Abstract types are split per runtime type the subgraph can return (``... on T``), so each concrete type
  can jump independently; ``__typename`` is always selected at abstract positions.
* ``@interfaceObject``: a subgraph that sees an interface as an object answers the interface's own fields;
  concrete type conditions and ``__typename`` are resolved by a jump to a subgraph that has the interface as
  an entity interface; a concrete type's field contributed only by an interface object is fetched by sending
  a representation whose ``__typename`` is the interface.
* Entity fetches at the same path on the same subgraph are merged unless that would create a cycle.

The result is a DAG of fetches; independent fetches run in parallel.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from graphql import (
    ArgumentNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    NameNode,
    OperationDefinitionNode,
    VariableNode,
    print_ast,
)

from gateway.planner.nodes import (
    ContextInput,
    EntityRequirement,
    FetchNode,
    FetchRef,
    ParallelNode,
    PlanNode,
    QueryPlan,
    RepField,
    RepSpec,
    SequenceNode,
    flat_reads,
)
from gateway.planner.operation import (
    OpField,
    OpFragment,
    OpSelection,
    field_set_selections,
    fragments_of,
    normalize_selections,
)
from gateway.planner.selection import FieldItem, FragmentItem, SelectionSet
from gateway.supergraph.model import FieldInGraph, KeyDef, Supergraph

_MAX_DEPTH = 64
_INTROSPECTION_ROOT_FIELDS = frozenset({"__schema", "__type"})


class PlanningError(Exception):
    """The operation cannot be planned against this supergraph (deterministic, safe to cache)."""


@dataclass(slots=True)
class _Requirement:
    rep_type: str
    selection: SelectionSet


@dataclass(slots=True)
class _Group:
    id: int
    graph: str
    root_kind: str | None  # "query"/"mutation" for root fetches, None for entity fetches
    path: tuple[str, ...]
    selection: SelectionSet = field(default_factory=SelectionSet)
    requirements: dict[str, _Requirement] = field(default_factory=dict)
    deps: set[int] = field(default_factory=set)
    # @fromContext inputs: (variable, ancestor depth, selection, type); such groups are never merged.
    contexts: list[tuple[str, int, SelectionSet, str]] = field(default_factory=list)


@dataclass(slots=True)
class _Frame:
    """A field the walk descended into locally: where a value type's missing fields can be re-fetched from."""

    group: _Group
    target: SelectionSet
    parent: str
    path: tuple[str, ...]
    provided: Sequence[OpSelection] | None
    conditions: tuple  # type: ignore[type-arg]
    level: Sequence[OpSelection]
    field: OpField
    runtime: str | None = None


def _wrap(target: SelectionSet, conditions: tuple) -> SelectionSet:  # type: ignore[type-arg]
    for directive in conditions:
        target = target.add_fragment(None, (directive,))
    return target


def _merge_ops(target: SelectionSet, selections: Sequence[OpSelection]) -> None:
    for sel in selections:
        if isinstance(sel, OpFragment):
            _merge_ops(target.add_fragment(sel.type_condition), sel.selections)
        else:
            item = target.add_field(sel.name, sel.alias, sel.arguments, (), sel.selections is not None)
            if item.sub is not None and sel.selections is not None:
                _merge_ops(item.sub, sel.selections)


class _Planner:
    def __init__(self, supergraph: Supergraph, labels: frozenset[str]) -> None:
        self.sg = supergraph
        self.labels = labels
        self.groups: list[_Group] = []
        self.by_key: dict[tuple[str, tuple[str, ...]], list[_Group]] = {}
        self.root_groups: dict[str, _Group] = {}
        self.touched: list[set[int]] = []
        self.depth = 0
        self.frames: list[_Frame] = []
        # (field id, group id): fields whose @requires/@fromContext inputs are already arranged in that group
        self.satisfied: set[tuple[int, int]] = set()
        self._keep: list[OpField] = []  # keeps synthesized fields alive so their ids stay unique
        self.context_counter = 0

    # ---- groups ---------------------------------------------------------------------------------

    def _new_group(
        self, graph: str, root_kind: str | None, path: tuple[str, ...], register: bool = True
    ) -> _Group:
        group = _Group(len(self.groups), graph, root_kind, path)
        self.groups.append(group)
        if root_kind is None and register:
            self.by_key.setdefault((graph, path), []).append(group)
        return group

    def _touch(self, group: _Group) -> None:
        for touched in self.touched:
            touched.add(group.id)

    def _depends_on(self, start: int, target: int) -> bool:
        seen: set[int] = set()
        stack = [start]
        while stack:
            current = stack.pop()
            if current == target:
                return True
            if current in seen:
                continue
            seen.add(current)
            stack.extend(self.groups[current].deps)
        return False

    def _entity_group(self, graph: str, path: tuple[str, ...], deps: set[int]) -> _Group:
        for candidate in self.by_key.get((graph, path), ()):
            if candidate.id in deps:
                continue
            if any(self._depends_on(d, candidate.id) for d in deps):
                continue
            candidate.deps |= deps
            return candidate
        group = self._new_group(graph, None, path)
        group.deps |= deps
        return group

    # ---- resolvability ----------------------------------------------------------------------------

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
                count += self._unresolved(graph, fielddef.type_name, sel.selections, budget - 1)
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
                    fielddef.type_name,
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
        return keys[0]

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
                    fielddef.type_name,
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

    # ---- walking ------------------------------------------------------------------------------------

    def plan_selections(
        self,
        group: _Group,
        target: SelectionSet,
        parent: str,
        selections: Sequence[OpSelection],
        path: tuple[str, ...],
        provided: Sequence[OpSelection] | None,
        conditions: tuple = (),  # type: ignore[type-arg]
        level: Sequence[OpSelection] | None = None,
    ) -> None:
        level = selections if level is None else level
        for sel in selections:
            if isinstance(sel, OpFragment):
                if not self._applies(sel.type_condition, parent):
                    continue
                if sel.directives:
                    sub = target.add_fragment(None, sel.directives)
                    self.plan_selections(
                        group, sub, parent, sel.selections, path, provided, conditions + sel.directives, level
                    )
                else:
                    self.plan_selections(
                        group, target, parent, sel.selections, path, provided, conditions, level
                    )
                continue
            self.plan_field(group, target, parent, sel, path, provided, conditions, level)

    def plan_field(
        self,
        group: _Group,
        target: SelectionSet,
        parent: str,
        sel: OpField,
        path: tuple[str, ...],
        provided: Sequence[OpSelection] | None,
        conditions: tuple,  # type: ignore[type-arg]
        level: Sequence[OpSelection],
    ) -> None:
        name = sel.name
        if name == "__typename":
            target.add_field("__typename", sel.alias, (), sel.directives)
            self._touch(group)
            return
        typedef = self.sg.types.get(parent)
        fielddef = typedef.fields.get(name) if typedef else None
        if fielddef is None:
            raise PlanningError(f"Cannot query field '{name}' on type '{parent}'.")
        graph = group.graph
        provided_field = self._provided(provided, parent, name)
        local = self.sg.field_resolvable_in(parent, name, graph, self.labels) or (
            provided_field is not None and self.sg.field_defined_in(parent, name, graph)
        )
        composite = self.sg.is_composite(fielddef.type_name)
        entry = fielddef.entry(graph)
        child_provided: Sequence[OpSelection] | None = None
        if entry is not None and entry.provides is not None:
            child_provided = field_set_selections(entry.provides)
        elif provided_field is not None and provided_field.selections:
            child_provided = provided_field.selections
        # A field whose selection cannot be completed from here (a value type with fields this subgraph
        # lacks and no key to jump from) must come whole from a subgraph that can complete it.
        if (
            local
            and composite
            and sel.selections
            and not self._plannable(graph, fielddef.type_name, sel.selections, child_provided, 8)
            and any(
                g != graph
                and self.sg.resolvable_keys(parent, g)
                and self._plannable(g, fielddef.type_name, sel.selections, None, 8)
                for g in self.sg.field_graphs(parent, name, self.labels)
            )
        ):
            local = False
        # @fromContext: values differ per object; @requires: the required fields are external here. Either
        # way the field is fetched through _entities, even from the same subgraph, with the representations
        # (or variables) carrying what it needs.
        if (
            local
            and (id(sel), group.id) not in self.satisfied
            and entry is not None
            and (entry.context_arguments or entry.requires is not None)
        ):
            self.plan_jump(group, target, parent, sel, path, provided, conditions, level, same_graph=True)
            return
        if local:
            item = target.add_field(name, sel.alias, sel.arguments, sel.directives, composite)
            self._touch(group)
            if composite:
                assert item.sub is not None
                child_path = (*path, sel.response_key, *("@",) * fielddef.list_depth)
                self.frames.append(_Frame(group, target, parent, path, provided, conditions, level, sel))
                try:
                    self.plan_composite(
                        group,
                        item.sub,
                        fielddef.type_name,
                        sel.selections or (),
                        child_path,
                        child_provided,
                        # conditions above this field still decide whether deeper fetches are needed: the same
                        # objects may also be selected unconditionally elsewhere
                        conditions + sel.directives,
                    )
                finally:
                    self.frames.pop()
            return
        self.plan_jump(group, target, parent, sel, path, provided, conditions, level)

    def plan_composite(
        self,
        group: _Group,
        target: SelectionSet,
        type_name: str,
        selections: Sequence[OpSelection],
        path: tuple[str, ...],
        provided: Sequence[OpSelection] | None,
        conditions: tuple = (),  # type: ignore[type-arg]
    ) -> None:
        if not self.sg.is_abstract(type_name):
            self.plan_selections(group, target, type_name, selections, path, provided, conditions)
        elif self.sg.is_interface_object(type_name, group.graph):
            self.plan_interface_object(group, target, type_name, selections, path, provided, conditions)
        else:
            self.plan_abstract(group, target, type_name, selections, path, provided, conditions)

    def plan_abstract(
        self,
        group: _Group,
        target: SelectionSet,
        abstract: str,
        selections: Sequence[OpSelection],
        path: tuple[str, ...],
        provided: Sequence[OpSelection] | None,
        conditions: tuple = (),  # type: ignore[type-arg]
    ) -> None:
        target.add_field("__typename")
        self._touch(group)
        for runtime in self.sg.possible_types_in_graph(abstract, group.graph):
            if not self._any_applies(selections, runtime):
                continue
            sub = target.add_fragment(runtime)
            frame = self.frames[-1] if self.frames else None
            previous = frame.runtime if frame else None
            if frame is not None:
                frame.runtime = runtime
            try:
                self.plan_selections(group, sub, runtime, selections, path, provided, conditions)
            finally:
                if frame is not None:
                    frame.runtime = previous

    def _any_applies(self, selections: Sequence[OpSelection], runtime: str) -> bool:
        for sel in selections:
            if isinstance(sel, OpField):
                if sel.name != "__typename" or sel.alias or sel.directives:
                    return True
            elif self._applies(sel.type_condition, runtime) and self._any_applies(sel.selections, runtime):
                return True
        return False

    def _concrete_only(self, selections: Sequence[OpSelection], abstract: str) -> tuple[OpSelection, ...]:
        """The parts of a selection on an interface that need the concrete type (``__typename``, fragments
        on implementations)."""
        result: list[OpSelection] = []
        for sel in selections:
            if isinstance(sel, OpField):
                if sel.name == "__typename":
                    result.append(sel)
            elif sel.type_condition in (None, abstract):
                inner = self._concrete_only(sel.selections, abstract)
                if inner:
                    result.append(OpFragment(sel.type_condition, sel.directives, inner))
            else:
                result.append(sel)
        return tuple(result)

    def plan_interface_object(
        self,
        group: _Group,
        target: SelectionSet,
        interface: str,
        selections: Sequence[OpSelection],
        path: tuple[str, ...],
        provided: Sequence[OpSelection] | None,
        conditions: tuple = (),  # type: ignore[type-arg]
    ) -> None:
        target.add_field("__typename")
        self._touch(group)
        self.plan_selections(group, target, interface, selections, path, provided, conditions)
        concrete = self._concrete_only(selections, interface)
        if not concrete:
            return
        option = self._interface_entity_graph(interface, group.graph, provided)
        if option is None:
            return  # nobody knows the implementations: the interface name stays the runtime type
        graph2, key = option
        runtime_types = (interface, *self.sg.possible_types(interface))
        child, child_target = self.entity_jump(
            group,
            target,
            interface,
            runtime_types,
            interface,
            graph2,
            key,
            path,
            (),
            conditions,
            provided,
            selections,
        )
        self.plan_abstract(child, child_target, interface, concrete, path, None, conditions)

    def _interface_entity_graph(
        self, interface: str, from_graph: str, provided: Sequence[OpSelection] | None
    ) -> tuple[str, KeyDef] | None:
        for graph in self.sg.graphs:
            if graph == from_graph or not self.sg.type_in_graph(interface, graph):
                continue
            if self.sg.is_interface_object(interface, graph):
                continue
            keys = self.sg.resolvable_keys(interface, graph)
            if keys:
                return graph, self._best_key(keys, from_graph, interface, provided)
        return None

    # ---- jumps ----------------------------------------------------------------------------------------

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
        group: _Group,
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
    ) -> tuple[_Group, SelectionSet]:
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
                    requirement = _Requirement(rep_type, SelectionSet())
                    child.requirements[runtime] = requirement
                _merge_ops(requirement.selection, required)
            child_target = _wrap(child.selection.add_fragment(rep_type), conditions)
            return child, child_target
        finally:
            self.depth -= 1

    def plan_jump(
        self,
        group: _Group,
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

    def _plan_contexts(
        self,
        child: _Group,
        group: _Group,
        target: SelectionSet,
        parent: str,
        sel: OpField,
        path: tuple[str, ...],
        provided: Sequence[OpSelection] | None,
        level: Sequence[OpSelection],
        entry: FieldInGraph,
    ) -> OpField:
        """Fetch each @fromContext value on its ancestor and pass it to the field as a variable."""
        arguments = list(sel.arguments)
        for argument in entry.context_arguments:
            source = self._context_source(argument.context, group, target, parent, path, provided, level)
            if source is None:
                raise PlanningError(
                    f"Cannot plan field '{parent}.{sel.name}': "
                    f"no ancestor provides context '{argument.context}'."
                )
            s_group, s_target, s_type, s_path, s_provided, s_level = source
            required = self._alias_internal(field_set_selections(argument.selection), s_level)
            touched: set[int] = set()
            self.touched.append(touched)
            try:
                self.plan_selections(s_group, s_target, s_type, required, s_path, s_provided)
            finally:
                self.touched.pop()
            child.deps |= touched
            variable = f"ctxArg_{self.context_counter}"
            self.context_counter += 1
            spec = SelectionSet()
            _merge_ops(spec, required)
            child.contexts.append((variable, len(s_path), spec, argument.type))
            arguments.append(
                ArgumentNode(
                    name=NameNode(value=argument.name), value=VariableNode(name=NameNode(value=variable))
                )
            )
        return OpField(sel.name, sel.alias, tuple(arguments), sel.directives, sel.selections)

    def _context_source(
        self,
        context: str,
        group: _Group,
        target: SelectionSet,
        parent: str,
        path: tuple[str, ...],
        provided: Sequence[OpSelection] | None,
        level: Sequence[OpSelection],
    ) -> (
        tuple[_Group, SelectionSet, str, tuple[str, ...], Sequence[OpSelection] | None, Sequence[OpSelection]]
        | None
    ):
        """The nearest object (this one or an ancestor) whose type carries ``@context(name: context)``."""
        if self._has_context(parent, context):
            return group, target, parent, path, provided, level
        for frame in reversed(self.frames):
            if self._has_context(frame.parent, context):
                return frame.group, frame.target, frame.parent, frame.path, frame.provided, frame.level
        return None

    def _has_context(self, type_name: str, context: str) -> bool:
        if context in self.sg.contexts.get(type_name, ()):
            return True
        gtype = self.sg.schema.get_type(type_name)
        interfaces = gtype.interfaces if isinstance(gtype, GraphQLObjectType | GraphQLInterfaceType) else ()
        return any(context in self.sg.contexts.get(i.name, ()) for i in interfaces)

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

    def _score(
        self,
        group: _Group,
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

    # ---- roots ------------------------------------------------------------------------------------

    def _root_fields(
        self,
        root: str,
        selections: Sequence[OpSelection],
        conditions: tuple = (),  # type: ignore[type-arg]
    ) -> list[tuple[OpField, tuple]]:  # type: ignore[type-arg]
        result: list[tuple[OpField, tuple]] = []  # type: ignore[type-arg]
        for sel in selections:
            if isinstance(sel, OpFragment):
                if self._applies(sel.type_condition, root):
                    result.extend(self._root_fields(root, sel.selections, conditions + sel.directives))
            else:
                result.append((sel, conditions))
        return result

    def plan_root(self, kind: str, root: str, selections: Sequence[OpSelection]) -> None:
        graph_order = {g: i for i, g in enumerate(self.sg.graphs)}
        last_mutation: _Group | None = None
        for sel, conditions in self._root_fields(root, selections):
            if sel.name == "__typename" or sel.name in _INTROSPECTION_ROOT_FIELDS:
                continue
            candidates = self.sg.field_graphs(root, sel.name, self.labels)
            if not candidates:
                raise PlanningError(
                    f"Cannot query field '{sel.name}' on type '{root}': no subgraph resolves it."
                )
            fielddef = self.sg.types[root].fields[sel.name]

            ranks = {
                graph: (
                    self._unresolved(graph, fielddef.type_name, sel.selections),
                    0 if graph in self.root_groups else 1,
                    graph_order[graph],
                )
                for graph in candidates
            }

            graph = min(candidates, key=ranks.__getitem__)
            if kind == "mutation":
                if last_mutation is not None and last_mutation.graph == graph:
                    group = last_mutation
                else:
                    group = self._new_group(graph, kind, ())
                    group.deps = {g.id for g in self.groups if g.id != group.id}
                    last_mutation = group
            else:
                group = self.root_groups.get(graph) or self._new_group(graph, kind, ())
                self.root_groups[graph] = group
            target = _wrap(group.selection, conditions)
            self.plan_selections(group, target, root, (sel,), (), None, (), selections)


# ---- output -------------------------------------------------------------------------------------------


def _rep_spec(selection: SelectionSet, supergraph: Supergraph) -> RepSpec:
    fields: list[RepField] = []
    by_type: list[tuple[str, RepSpec]] = []
    for item in selection.items.values():
        if isinstance(item, FieldItem):
            sub = _rep_spec(item.sub, supergraph) if item.sub is not None else None
            fields.append(RepField(item.name, item.response_key, sub))
        else:
            assert isinstance(item, FragmentItem)
            spec = _rep_spec(item.sub, supergraph)
            condition = item.type_condition
            runtimes = supergraph.possible_types(condition) if condition else ()
            for runtime in runtimes or ((condition,) if condition else ()):
                by_type.append((runtime, spec))
            if condition is None:
                fields.extend(spec.fields)
    return RepSpec(tuple(fields), tuple(by_type))


def _requires_text(group: _Group) -> str:
    seen: dict[str, SelectionSet] = {}
    for requirement in group.requirements.values():
        merged = seen.setdefault(requirement.rep_type, SelectionSet())
        merged.add_field("__typename")
        _copy(merged, requirement.selection)
    parts = [f"... on {rep_type} {sel.print()}" for rep_type, sel in seen.items()]
    return "{" + " ".join(parts) + "}"


def _copy(target: SelectionSet, source: SelectionSet) -> None:
    for item in source.items.values():
        if isinstance(item, FieldItem):
            new = target.add_field(item.name, None, item.arguments, (), item.sub is not None)
            if item.sub is not None and new.sub is not None:
                _copy(new.sub, item.sub)
        else:
            assert isinstance(item, FragmentItem)
            _copy(target.add_fragment(item.type_condition), item.sub)


_NEVER = object()


def _item_conditions(directives: tuple) -> frozenset[tuple[str, bool]] | object:  # type: ignore[type-arg]
    """Variable conditions an item's @skip/@include put on it; ``_NEVER`` when a literal excludes it."""
    found: set[tuple[str, bool]] = set()
    for directive in directives:
        name = directive.name.value
        if name not in ("skip", "include"):
            continue
        for argument in directive.arguments or ():
            if argument.name.value != "if":
                continue
            value = argument.value
            include_when = name == "include"
            if value.kind == "boolean_value":
                if value.value is not include_when:
                    return _NEVER
            elif value.kind == "variable":
                found.add((value.name.value, include_when))
    return frozenset(found)


def _fetch_conditions(group: _Group) -> tuple[frozenset[tuple[str, bool]], ...] | None:
    """Alternatives of variable conditions under which the fetch selects anything (None = always)."""
    alternatives: list[frozenset[tuple[str, bool]]] = []

    def walk(selection: SelectionSet, acc: frozenset[tuple[str, bool]], top: bool) -> None:
        for item in selection.items.values():
            conditions = _item_conditions(item.directives)
            if conditions is _NEVER:
                continue
            combined = acc | conditions  # type: ignore[operator]
            if isinstance(item, FragmentItem) and (item.type_condition is None or top):
                walk(item.sub, combined, False)
            else:
                alternatives.append(combined)

    walk(group.selection, frozenset(), group.root_kind is None)
    if any(not alt for alt in alternatives):
        return None
    return tuple(dict.fromkeys(alternatives))


def _topological(groups: list[_Group]) -> list[_Group]:
    by_id = {g.id: g for g in groups}
    done: set[int] = set()
    order: list[_Group] = []
    remaining = sorted(by_id)
    while remaining:
        progressed = False
        for gid in list(remaining):
            if by_id[gid].deps <= done:
                order.append(by_id[gid])
                done.add(gid)
                remaining.remove(gid)
                progressed = True
                break
        if not progressed:
            raise PlanningError("internal planning error: fetch dependencies form a cycle")
    return order


def _display_tree(fetches: list[FetchNode]) -> PlanNode | None:
    level: dict[int, int] = {}
    for fetch in fetches:
        level[fetch.id] = 1 + max((level[d] for d in fetch.depends_on), default=-1)
    if not fetches:
        return None
    stages: list[PlanNode] = []
    for depth in range(max(level.values()) + 1):
        nodes: list[PlanNode] = [FetchRef(f) for f in fetches if level[f.id] == depth]
        stages.append(nodes[0] if len(nodes) == 1 else ParallelNode(tuple(nodes)))
    return stages[0] if len(stages) == 1 else SequenceNode(tuple(stages))


def build_query_plan(
    supergraph: Supergraph,
    operation: OperationDefinitionNode,
    fragments: dict | None = None,  # type: ignore[type-arg]
    labels: frozenset[str] = frozenset(),
) -> QueryPlan:
    """Plan one (validated) operation. Raises ``PlanningError`` when it cannot be planned."""
    kind = operation.operation.value
    if kind == "subscription":
        raise PlanningError("Subscriptions are not supported by this gateway.")
    root = supergraph.root_types.get(kind)
    if root is None:
        raise PlanningError(f"The schema has no {kind} root type.")
    selections = normalize_selections(operation.selection_set, fragments or {})
    planner = _Planner(supergraph, labels)
    planner.plan_root(kind, root, selections)

    groups = planner.groups
    for group in groups:
        group.selection.prune()
    live = [g for g in groups if not g.selection.is_empty()]
    # A fetch whose every selection is excluded by a literal @skip/@include is never sent, and neither is
    # anything waiting on it (the objects it would have produced never exist).
    never = {g.id for g in live if _fetch_conditions(g) == ()}
    changed = bool(never)
    while changed:
        changed = False
        for group in live:
            if group.id not in never and group.deps & never:
                never.add(group.id)
                changed = True
    live = [g for g in live if g.id not in never]
    live_ids = {g.id for g in live}
    for group in live:
        group.deps = {d for d in group.deps if d in live_ids and d != group.id}
    ordered = _topological(live)
    renumber = {g.id: i for i, g in enumerate(ordered)}

    variable_defs = {
        v.variable.name.value: print_ast(v.type)
        + (f"={print_ast(v.default_value)}" if v.default_value else "")
        for v in operation.variable_definitions or ()
    }
    op_name = operation.name.value if operation.name else None
    fetches: list[FetchNode] = []
    for group in ordered:
        index = renumber[group.id]
        context_variables = {c[0] for c in group.contexts}
        used = sorted(group.selection.variables(set()) - context_variables)
        fetch_name = f"{op_name}__{group.graph}__{index}" if op_name else None
        var_text = ",".join(f"${v}:{variable_defs[v]}" for v in used if v in variable_defs)
        body = group.selection.print()
        if group.root_kind is not None:
            kind_text = group.root_kind
            head = kind_text
            if fetch_name:
                head += f" {fetch_name}"
            if var_text:
                head += f"({var_text})"
            text = body if head == "query" else f"{head}{body}"
            if head != "query" and not fetch_name and not var_text:
                text = f"{head}{body}"
            requires = None
            requires_text = None
            operation_kind = kind_text
        else:
            reps = "$representations:[_Any!]!" + "".join(f",${c[0]}:{c[3]}" for c in group.contexts)
            reps += "," + var_text if var_text else ""
            head = f"query {fetch_name}" if fetch_name else "query"
            text = f"{head}({reps}){{_entities(representations:$representations){body}}}"
            specs = {
                runtime: _rep_spec(req.selection, supergraph) for runtime, req in group.requirements.items()
            }
            requires = tuple(
                EntityRequirement(runtime, req.rep_type, specs[runtime], flat_reads(specs[runtime]))
                for runtime, req in group.requirements.items()
            )
            requires_text = _requires_text(group)
            operation_kind = "query"
        pretty = "\n".join(group.selection.pretty())
        fetches.append(
            FetchNode(
                id=index,
                service=group.graph,
                operation=text,
                operation_kind=operation_kind,  # type: ignore[arg-type]
                operation_name=fetch_name,
                variable_usages=tuple(used),
                path=group.path,
                requires=requires,
                requires_text=requires_text,
                depends_on=tuple(sorted(renumber[d] for d in group.deps)),
                pretty_operation=pretty,
                conditions=_fetch_conditions(group),
                contexts=tuple(
                    ContextInput(variable, depth, _rep_spec(spec, supergraph), type_text)
                    for variable, depth, spec, type_text in group.contexts
                ),
                entities_selection=body if group.contexts else None,
                client_variables_text=var_text,
            )
        )
    return QueryPlan(kind, tuple(fetches), _display_tree(fetches))  # type: ignore[arg-type]


def plan_document(
    supergraph: Supergraph,
    document: object,
    operation: OperationDefinitionNode,
    labels: frozenset[str] = frozenset(),
) -> QueryPlan:
    return build_query_plan(supergraph, operation, fragments_of(document), labels)  # type: ignore[arg-type]
