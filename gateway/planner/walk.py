"""The selection walk: each client field is either added to the current fetch or handed to a jump."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.planner.errors import PlanningError
from gateway.planner.operation import OpField, OpFragment, OpSelection, field_set_selections
from gateway.planner.selection import SelectionSet
from gateway.planner.state import Frame, Group, PlannerState


class WalkMixin(PlannerState):
    """The selection walk: each client field is either added to the current fetch or handed to a jump."""

    def plan_selections(
        self,
        group: Group,
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
        group: Group,
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
            and not self._plannable(graph, fielddef.type_in(graph), sel.selections, child_provided, 8)
            and any(
                g != graph
                and self.sg.resolvable_keys(parent, g)
                and self._locally_resolvable(g, fielddef.type_in(g), sel.selections, None)
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
                self.frames.append(Frame(group, target, parent, path, provided, conditions, level, sel))
                # the field's type as this subgraph declares it (an object where the supergraph has its
                # interface or union): selections are planned against what the subgraph can return, and the
                # gateway still needs the concrete __typename to shape the abstract position
                local_type = fielddef.type_in(graph)
                if local_type != fielddef.type_name and not self.sg.is_abstract(local_type):
                    item.sub.add_field("__typename")
                try:
                    self.plan_composite(
                        group,
                        item.sub,
                        local_type,
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
        group: Group,
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
