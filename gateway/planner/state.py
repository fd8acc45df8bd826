"""Planner state: fetch groups under construction and the bookkeeping shared by every planning step.

Why: the planner's jobs (roots, walk, abstract types, jumps, contexts) are mixins over this one state so
that each lives in its own module; a plan is built by one planner instance and then frozen by ``assemble``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from gateway.planner.operation import OpField, OpFragment, OpSelection
from gateway.planner.selection import SelectionSet
from gateway.supergraph.model import Supergraph


@dataclass(slots=True)
class Requirement:
    rep_type: str
    selection: SelectionSet


@dataclass(slots=True)
class Group:
    id: int
    graph: str
    root_kind: str | None  # "query"/"mutation" for root fetches, None for entity fetches
    path: tuple[str, ...]
    selection: SelectionSet = field(default_factory=SelectionSet)
    requirements: dict[str, Requirement] = field(default_factory=dict)
    deps: set[int] = field(default_factory=set)
    # @fromContext inputs: (variable, ancestor depth, selection, type); such groups are never merged.
    contexts: list[tuple[str, int, SelectionSet, str]] = field(default_factory=list)


@dataclass(slots=True)
class Frame:
    """A field the walk descended into locally: where a value type's missing fields can be re-fetched from."""

    group: Group
    target: SelectionSet
    parent: str
    path: tuple[str, ...]
    provided: Sequence[OpSelection] | None
    conditions: tuple  # type: ignore[type-arg]
    level: Sequence[OpSelection]
    field: OpField
    runtime: str | None = None


def wrap_conditions(target: SelectionSet, conditions: tuple) -> SelectionSet:  # type: ignore[type-arg]
    for directive in conditions:
        target = target.add_fragment(None, (directive,))
    return target


def merge_ops(target: SelectionSet, selections: Sequence[OpSelection]) -> None:
    for sel in selections:
        if isinstance(sel, OpFragment):
            merge_ops(target.add_fragment(sel.type_condition), sel.selections)
        else:
            item = target.add_field(sel.name, sel.alias, sel.arguments, (), sel.selections is not None)
            if item.sub is not None and sel.selections is not None:
                merge_ops(item.sub, sel.selections)


class PlannerState:
    """Groups, frames and counters of one planning run (mixins add the planning steps)."""

    def __init__(self, supergraph: Supergraph, labels: frozenset[str]) -> None:
        self.sg = supergraph
        self.labels = labels
        self.groups: list[Group] = []
        self.by_key: dict[tuple[str, tuple[str, ...]], list[Group]] = {}
        self.root_groups: dict[str, Group] = {}
        self.touched: list[set[int]] = []
        self.depth = 0
        self.frames: list[Frame] = []
        # (field id, group id): fields whose @requires/@fromContext inputs are already arranged in that group
        self.satisfied: set[tuple[int, int]] = set()
        self._keep: list[OpField] = []  # keeps synthesized fields alive so their ids stay unique
        self.context_counter = 0
        # response path -> response key -> (field name, arguments) of planner-added fields (keys, requires)
        self.internal_keys: dict[tuple[str, ...], dict[str, tuple[str, str]]] = {}

    def _new_group(
        self, graph: str, root_kind: str | None, path: tuple[str, ...], register: bool = True
    ) -> Group:
        group = Group(len(self.groups), graph, root_kind, path)
        self.groups.append(group)
        if root_kind is None and register:
            self.by_key.setdefault((graph, path), []).append(group)
        return group

    def _touch(self, group: Group) -> None:
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

    def _entity_group(self, graph: str, path: tuple[str, ...], deps: set[int]) -> Group:
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
