"""Query planning: pure and synchronous (no I/O, no asyncio), deterministic for a given input."""

from __future__ import annotations

from graphql import GraphQLError, parse, validate

from gateway.planner.build import PlanningError, build_query_plan, plan_document
from gateway.planner.nodes import QueryPlan
from gateway.planner.operation import find_operation

__all__ = ["PlanningError", "QueryPlan", "build_query_plan", "plan_document", "plan_query"]


def plan_query(supergraph_sdl: str, query: str, operation_name: str | None = None) -> QueryPlan:
    """Plan a query against a supergraph SDL (used by ``gateway plan`` and tests)."""
    from gateway.supergraph.api_schema import build_api_schema
    from gateway.supergraph.model import load_supergraph

    supergraph = load_supergraph(supergraph_sdl)
    api = build_api_schema(supergraph.document, supergraph.links)
    try:
        document = parse(query)
    except GraphQLError as error:
        raise PlanningError(f"Syntax error: {error.message}") from error
    errors = validate(api, document)
    if errors:
        raise PlanningError("; ".join(e.message for e in errors))
    operation = find_operation(document, operation_name)
    if operation is None:
        raise PlanningError(
            f"Unknown operation named '{operation_name}'."
            if operation_name
            else "Must provide operation name."
        )
    return plan_document(supergraph, document, operation)
