"""The query plan (and cost) in the response, for the request that asks: Apollo Router's header and shape.

Why: GraphiQL, and a developer with curl, want to see how an operation was split between subgraphs and what
it cost, next to its result. A client asks with ``Apollo-Expose-Query-Plan: true`` (Apollo Router's header);
the gateway answers only when ``server.expose_query_plan`` is on (``gateway dev`` turns it on), adding

* ``extensions.apolloQueryPlan``: ``{"object": {"kind": "QueryPlan", "node": ...}, "text": "QueryPlan {..."}``
  (Apollo Router's shape: the JSON tree of ``plan_to_json`` and the text of ``format_plan``);
* ``extensions.cost``: ``{"estimated", "actual", "max"}`` when demand control measured the operation (the
  same object ``demand_control.expose`` adds to every response).

Plans are cached and shared between requests, so their two views are computed once per plan, not per request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gateway.cache.lru import LRUCache
from gateway.demand.plugin import STORE_KEY as COST_STORE_KEY
from gateway.pipeline.context import RequestContext
from gateway.planner.nodes import QueryPlan
from gateway.planner.printer import format_plan, plan_to_json

EXPOSE_QUERY_PLAN_HEADER = "apollo-expose-query-plan"
QUERY_PLAN_EXTENSION = "apolloQueryPlan"
COST_EXTENSION = "cost"
_VIEWS_KEPT = 1024


def wants_query_plan(headers: Mapping[str, str]) -> bool:
    """Whether the request asks for its plan (``headers`` has lower-cased names, as in GraphQLRequest)."""
    value = headers.get(EXPOSE_QUERY_PLAN_HEADER)
    return value is not None and value.strip().lower() == "true"


class PlanViews:
    """``{object, text}`` per plan, computed on first use and shared by every response that exposes it."""

    def __init__(self, size: int = _VIEWS_KEPT) -> None:
        # id(plan) -> (plan, view): the plan is held so its id stays unique while the entry lives.
        self._views: LRUCache[int, tuple[QueryPlan, dict[str, Any]]] = LRUCache(size)

    def view(self, plan: QueryPlan) -> dict[str, Any]:
        cached = self._views.get(id(plan))
        if cached is not None and cached[0] is plan:
            return cached[1]
        view = {"object": plan_to_json(plan), "text": format_plan(plan)}
        self._views.put(id(plan), (plan, view))
        return view


def expose_plan_and_cost(ctx: RequestContext, plan: QueryPlan, views: PlanViews) -> None:
    """Add the plan and, when demand control measured the operation, its cost to ``ctx.extensions``."""
    ctx.extensions[QUERY_PLAN_EXTENSION] = views.view(plan)
    numbers = ctx.store.get(COST_STORE_KEY)
    if numbers is not None and COST_EXTENSION not in ctx.extensions:
        ctx.extensions[COST_EXTENSION] = {
            "estimated": numbers.get("estimated"),
            "actual": numbers.get("actual"),
            "max": numbers.get("max"),
        }
