"""Query plan data: frozen, shareable between requests, serializable to Apollo-shaped JSON.

Why: plans are cached and executed concurrently by many requests, so nothing in them may be mutated after
planning. A plan is a DAG of fetches (each names the fetches it depends on): the executor starts each fetch as
soon as its dependencies are merged, which is never slower than a Sequence/Parallel tree. The tree form
(``node``) is kept for display and for Apollo-compatible JSON.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# Written over ``__typename`` of an object whose concrete type no subgraph could tell (the shaper turns it
# into a field error); not a valid GraphQL name, so it can never be a real type.
UNRESOLVED_TYPENAME = "<unresolved>"


@dataclass(frozen=True, slots=True)
class RepField:
    """One field of an entity representation: read ``read`` from merged data, write it as ``output``."""

    output: str
    read: str
    sub: RepSpec | None = None


@dataclass(frozen=True, slots=True)
class RepSpec:
    """How to build (part of) a representation from an object of the merged data."""

    fields: tuple[RepField, ...]
    # type-conditioned parts (requires through fragments): runtime type -> extra fields
    by_type: tuple[tuple[str, RepSpec], ...] = ()


@dataclass(frozen=True, slots=True)
class EntityRequirement:
    """What an entity fetch needs from objects of one runtime type."""

    typename: str  # runtime __typename of objects this applies to
    rep_typename: str  # __typename sent in the representation (an interface for @interfaceObject)
    spec: RepSpec
    # For the common flat case (``@key(fields: "id")``): the keys to read, so the executor can deduplicate
    # objects by a tuple of values without building a representation per object.
    flat_reads: tuple[str, ...] | None = None
    # The fetch tells the concrete type of objects that so far only carry their interface's name (they came
    # from an @interfaceObject subgraph): when it answers null for one, nobody knows that object's type.
    resolves_abstract: bool = False


@dataclass(frozen=True, slots=True)
class ContextInput:
    """A @fromContext value: read ``spec`` on the ancestor object at path depth ``depth`` and pass it to the
    fetch as variable ``variable`` of GraphQL type ``type``."""

    variable: str
    depth: int
    spec: RepSpec
    type: str


@dataclass(frozen=True, slots=True)
class FetchNode:
    """One subgraph request."""

    id: int
    service: str
    operation: str
    operation_kind: Literal["query", "mutation"]
    operation_name: str | None
    variable_usages: tuple[str, ...]
    path: tuple[str, ...]  # merge path of the results: response keys and '@' per list level
    requires: tuple[EntityRequirement, ...] | None  # None for root fetches
    requires_text: str | None
    depends_on: tuple[int, ...]
    pretty_operation: str
    # When every selection of the fetch sits under @skip/@include on variables: the fetch is needed only if
    # one of these alternatives holds (each a set of (variable, required value)). None = always needed.
    conditions: tuple[frozenset[tuple[str, bool]], ...] | None = None
    # @fromContext fetches: objects are grouped by their context values, one aliased ``_entities`` per group,
    # so the operation text is assembled at run time from these parts.
    contexts: tuple[ContextInput, ...] = ()
    entities_selection: str | None = None
    client_variables_text: str = ""
    requirements_by_type: dict[str, EntityRequirement] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.requires and not self.requirements_by_type:
            self.requirements_by_type.update((r.typename, r) for r in self.requires)

    def needed(self, variables: dict[str, Any]) -> bool:
        if self.conditions is None:
            return True
        return any(all(bool(variables.get(name)) is want for name, want in alt) for alt in self.conditions)

    @property
    def is_entity_fetch(self) -> bool:
        return self.requires is not None

    def requirement_map(self) -> dict[str, EntityRequirement]:
        """Requirements by runtime typename (built with the node: plans are shared by many requests)."""
        return self.requirements_by_type


def flat_reads(spec: RepSpec) -> tuple[str, ...] | None:
    """The read keys of a spec made only of top-level leaf fields, else None."""
    if spec.by_type or any(f.sub is not None for f in spec.fields):
        return None
    return tuple(f.read for f in spec.fields)


@dataclass(frozen=True, slots=True)
class SequenceNode:
    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True, slots=True)
class ParallelNode:
    nodes: tuple[PlanNode, ...]


@dataclass(frozen=True, slots=True)
class FetchRef:
    """A fetch in the display tree (wrapped in a Flatten when it has a path)."""

    fetch: FetchNode


PlanNode = SequenceNode | ParallelNode | FetchRef


@dataclass(frozen=True, slots=True)
class QueryPlan:
    operation_kind: Literal["query", "mutation", "subscription"]
    fetches: tuple[FetchNode, ...]  # topologically ordered
    node: PlanNode | None

    def to_json(self) -> dict[str, Any]:
        return {"kind": "QueryPlan", "node": _node_json(self.node) if self.node is not None else None}


def _node_json(node: PlanNode) -> dict[str, Any]:
    if isinstance(node, SequenceNode):
        return {"kind": "Sequence", "nodes": [_node_json(n) for n in node.nodes]}
    if isinstance(node, ParallelNode):
        return {"kind": "Parallel", "nodes": [_node_json(n) for n in node.nodes]}
    fetch = node.fetch
    result: dict[str, Any] = {
        "kind": "Fetch",
        "serviceName": fetch.service,
        "variableUsages": list(fetch.variable_usages),
        "operation": fetch.operation,
        "operationKind": fetch.operation_kind,
    }
    if fetch.operation_name:
        result["operationName"] = fetch.operation_name
    if fetch.requires is not None:
        result["requires"] = fetch.requires_text
        return {"kind": "Flatten", "path": list(fetch.path), "node": result}
    return result
