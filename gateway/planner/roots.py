"""Root fields: which subgraph answers each one, and how mutation fields are sequenced."""

from __future__ import annotations

from collections.abc import Sequence

from gateway.planner.errors import PlanningError
from gateway.planner.operation import OpField, OpFragment, OpSelection
from gateway.planner.state import Group, PlannerState, wrap_conditions

_INTROSPECTION_ROOT_FIELDS = frozenset({"__schema", "__type"})


class RootsMixin(PlannerState):
    """Root fields: which subgraph answers each one, and how mutation fields are sequenced."""

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
        fields = [
            (sel, conditions)
            for sel, conditions in self._root_fields(root, selections)
            if sel.name != "__typename" and sel.name not in _INTROSPECTION_ROOT_FIELDS
        ]
        # For each root field, the subgraphs that leave the fewest fields to other fetches.
        best: list[list[str]] = []
        for sel, _ in fields:
            candidates = self.sg.field_graphs(root, sel.name, self.labels)
            if not candidates:
                raise PlanningError(
                    f"Cannot query field '{sel.name}' on type '{root}': no subgraph resolves it."
                )
            fielddef = self.sg.types[root].fields[sel.name]
            cost = {g: self._unresolved(g, fielddef.type_in(g), sel.selections) for g in candidates}
            least = min(cost.values())
            best.append([g for g in candidates if cost[g] == least])
        # Among equally good subgraphs, the one that is best for most root fields: shared root fields then
        # share one fetch instead of spreading over several subgraphs.
        popularity: dict[str, int] = {}
        for graphs in best:
            for g in graphs:
                popularity[g] = popularity.get(g, 0) + 1
        last_mutation: Group | None = None
        for (sel, conditions), graphs in zip(fields, best, strict=True):
            graph = min(
                graphs,
                key=lambda g: (
                    (0 if g in self.root_groups else 1, -popularity[g], graph_order[g])
                    if kind == "mutation"
                    else (-popularity[g], 0 if g in self.root_groups else 1, graph_order[g])
                ),
            )
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
            target = wrap_conditions(group.selection, conditions)
            self.plan_selections(group, target, root, (sel,), (), None, (), selections)
