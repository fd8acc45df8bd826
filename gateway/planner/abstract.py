"""Abstract positions: per-runtime-type splitting and @interfaceObject subgraphs."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.planner.operation import OpField, OpFragment, OpSelection
from gateway.planner.selection import SelectionSet
from gateway.planner.state import Group, PlannerState
from gateway.supergraph.model import KeyDef


class AbstractMixin(PlannerState):
    """Abstract positions: per-runtime-type splitting and @interfaceObject subgraphs."""

    def plan_abstract(
        self,
        group: Group,
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
        group: Group,
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
