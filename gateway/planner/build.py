"""Build a query plan: pure, synchronous, deterministic.

How it works (the classic "fetch group" planner, extended for Federation 2), one module per job:

* ``roots``: root fields are assigned to a subgraph that can resolve them (among several for ``@shareable``
  root fields, the one that can resolve most of the field's selection); all root fields of a query assigned
  to the same subgraph share one fetch. Mutation root fields run one after another in document order;
  consecutive fields on the same subgraph share a fetch.
* ``walk``: inside a fetch, selections are walked against the subgraph's view of the schema. A field the
  subgraph cannot resolve (not defined there, ``@external`` and not ``@provides``d, overridden away) becomes
  an entity jump.
* ``jumps``: the current fetch selects ``__typename`` and a ``@key`` of the parent type at that path, and a
  dependent ``_entities`` fetch on a subgraph that can resolve the field receives those representations.
  ``@requires`` fields are planned the same way as key fields: as internal selections at the parent level,
  possibly causing further jumps; the dependent fetch waits for every fetch that contributes to its
  representations. Entity fetches at the same path on the same subgraph are merged unless that would create
  a cycle.
* ``abstract``: abstract types are split per runtime type the subgraph can return (``... on T``), so each
  concrete type can jump independently; ``__typename`` is always selected at abstract positions.
  ``@interfaceObject``: a subgraph that sees an interface as an object answers the interface's own fields;
  concrete type conditions and ``__typename`` are resolved by a jump to a subgraph that has the interface as
  an entity interface.
* ``contexts``: ``@fromContext`` values selected on an ancestor and passed as variables.
* ``lookahead``: read-only questions (what can this subgraph complete?) used to choose between candidates.
* ``assemble``: the groups are frozen into a DAG of fetches; independent fetches run in parallel.
"""

from __future__ import annotations

from graphql import OperationDefinitionNode

from gateway.planner.abstract import AbstractMixin
from gateway.planner.assemble import assemble_plan
from gateway.planner.contexts import ContextsMixin
from gateway.planner.errors import PlanningError
from gateway.planner.jumps import JumpsMixin
from gateway.planner.lookahead import LookaheadMixin
from gateway.planner.nodes import QueryPlan
from gateway.planner.operation import fragments_of, normalize_selections
from gateway.planner.roots import RootsMixin
from gateway.planner.walk import WalkMixin
from gateway.supergraph.model import Supergraph

__all__ = ["PlanningError", "build_query_plan", "plan_document"]


class _Planner(RootsMixin, WalkMixin, AbstractMixin, JumpsMixin, ContextsMixin, LookaheadMixin):
    """One planning run: the state of ``PlannerState`` plus every planning step."""


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
    return assemble_plan(supergraph, operation, kind, planner.groups)


def plan_document(
    supergraph: Supergraph,
    document: object,
    operation: OperationDefinitionNode,
    labels: frozenset[str] = frozenset(),
) -> QueryPlan:
    return build_query_plan(supergraph, operation, fragments_of(document), labels)  # type: ignore[arg-type]
