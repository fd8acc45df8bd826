"""The demand control plugin: estimate before planning, reject over ``max``, measure the response.

Why here: ``on_operation`` runs after validation and variable coercion and before planning, so an operation
over budget is refused before any subgraph is called. The estimate and actual cost are kept in
``ctx.store["cost"]`` for the rate limiter (which charges the estimate) and for metrics.

Caches: the cost model is built once per supergraph generation; the estimate of an operation without
variables is computed once per prepared operation (variables can change slicing arguments, so operations with
variables are estimated per request, which is one walk of the operation).
"""

from __future__ import annotations

import logging
from typing import Any

from gateway.cache.lru import LRUCache
from gateway.config.policies import DemandControlConfig
from gateway.demand.actual import actual_cost
from gateway.demand.estimate import CostError, estimate_cost
from gateway.demand.model import CostModel, build_cost_model
from gateway.errors import make_error
from gateway.pipeline.context import BasePlugin, RequestContext
from gateway.pipeline.types import GraphQLResponse

log = logging.getLogger("gateway.demand")

COST_ESTIMATED_TOO_EXPENSIVE = "COST_ESTIMATED_TOO_EXPENSIVE"
COST_QUERY_PARSE_FAILURE = "COST_QUERY_PARSE_FAILURE"
STORE_KEY = "cost"
_ESTIMATES_KEPT = 2048


def _number(value: float) -> str:
    """Costs as Apollo prints them: integers without a decimal point."""
    return str(int(value)) if float(value).is_integer() else repr(value)


class DemandControlPlugin(BasePlugin):
    """Estimates every operation; in ``enforce`` mode rejects those over ``max``.

    ``enforce=False`` keeps the numbers without ever rejecting: the rate limiter uses it to charge costs when
    demand control itself is not configured.
    """

    name = "demand_control"

    def __init__(self, config: DemandControlConfig, *, enforce: bool | None = None) -> None:
        self.config = config
        self.enforce = (config.enabled and config.mode == "enforce") if enforce is None else enforce
        self.expose = config.expose and config.enabled
        self._model_for: Any = None
        self._model = CostModel()
        # id(prepared) -> (prepared, estimate or error message); the prepared object is held so the id stays
        # unique while the entry lives.
        self._estimates: LRUCache[int, tuple[Any, float | str]] = LRUCache(_ESTIMATES_KEPT)

    def model(self, ctx: RequestContext) -> CostModel:
        """The cost model of the request's schema generation (rebuilt when the supergraph changes)."""
        supergraph = ctx.snapshot.supergraph
        if self._model_for is not supergraph:
            self._model = build_cost_model(supergraph)
            self._model_for = supergraph
            self._estimates = LRUCache(_ESTIMATES_KEPT)
        return self._model

    def estimate(self, ctx: RequestContext) -> float | str:
        """The estimated cost, or the message of a ``CostError``."""
        prepared = ctx.prepared
        assert prepared is not None
        assert ctx.operation is not None
        model = self.model(ctx)
        cacheable = not prepared.has_variables and ctx.operation is prepared.operation
        if cacheable:
            cached = self._estimates.get(id(prepared))
            if cached is not None and cached[0] is prepared:
                return cached[1]
        try:
            result: float | str = estimate_cost(
                ctx.snapshot.api_schema,
                model,
                ctx.operation,
                ctx.fragments or {},
                ctx.variables,
                self.config.list_size,
            )
        except CostError as error:
            result = str(error)
        if cacheable:
            self._estimates.put(id(prepared), (prepared, result))
        return result

    async def on_operation(self, ctx: RequestContext) -> GraphQLResponse | None:
        estimated = self.estimate(ctx)
        if isinstance(estimated, str):
            ctx.store[STORE_KEY] = {
                "estimated": None,
                "max": self.config.max,
                "result": "COST_QUERY_PARSE_FAILURE",
            }
            if not self.enforce:
                return None
            return GraphQLResponse({"errors": [make_error(estimated, COST_QUERY_PARSE_FAILURE)]}, 400)
        ctx.metrics.cost("estimated", estimated)
        too_expensive = estimated > self.config.max
        ctx.store[STORE_KEY] = {
            "estimated": estimated,
            "max": self.config.max,
            "result": "COST_ESTIMATED_TOO_EXPENSIVE" if too_expensive else "COST_OK",
        }
        if too_expensive and self.enforce:
            log.info("operation rejected: estimated cost %s exceeds max %s", estimated, self.config.max)
            error = make_error(
                f"query estimated cost {_number(estimated)} exceeded configured maximum "
                f"{_number(self.config.max)}",
                COST_ESTIMATED_TOO_EXPENSIVE,
                extensions={"cost.estimated": estimated, "cost.max": self.config.max},
            )
            return GraphQLResponse({"errors": [error]}, 400)
        return None

    async def on_response(self, ctx: RequestContext, body: dict[str, Any]) -> None:
        numbers = ctx.store.get(STORE_KEY)
        if not self.config.enabled or numbers is None or ctx.operation is None:
            return
        actual = actual_cost(
            ctx.snapshot.api_schema,
            self.model(ctx),
            ctx.operation,
            ctx.fragments or {},
            ctx.variables,
            body.get("data"),
        )
        numbers["actual"] = actual
        ctx.metrics.cost("actual", actual)
        if self.expose:
            ctx.extensions["cost"] = {
                "estimated": numbers["estimated"],
                "actual": actual,
                "max": self.config.max,
            }
