"""The per-request context filled stage by stage, and the plugin hooks that read and change it.

Why: edge policies (authentication, authorization, limits, demand control, rate limiting) must plug into the
pipeline at fixed points without each of them editing the pipeline. Like Apollo Router's plugins and
Strawberry's extensions, each policy is a plugin with a few async hooks, called in a documented order; a hook
may end the request early by returning a response.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from gateway.errors import FormattedError
from gateway.pipeline.types import GraphQLRequest, GraphQLResponse
from gateway.telemetry.metrics import NOOP_METRICS, Metrics

if TYPE_CHECKING:
    from graphql import OperationDefinitionNode

    from gateway.pipeline.prepare import PreparedOperation
    from gateway.planner.nodes import QueryPlan


@dataclass(slots=True)
class RequestContext:
    """Everything known about one request; later stages read what earlier ones wrote."""

    request: GraphQLRequest
    snapshot: Any  # gateway.pipeline.runner.SchemaSnapshot (Any avoids an import cycle)
    # Set by authentication plugins: who is calling (None = anonymous / no auth configured).
    principal: Any = None
    # Set by the prepare stage.
    prepared: PreparedOperation | None = None
    variables: dict[str, Any] = field(default_factory=dict)
    # What gets planned: plugins (authorization) may substitute a filtered operation. ``plan_key`` must then
    # identify the substitution (plans are cached per prepared operation, override labels and plan_key).
    operation: OperationDefinitionNode | None = None
    fragments: dict[str, Any] | None = None
    plan_key: Hashable = None
    plan: QueryPlan | None = None
    # Errors reported alongside data (e.g. one per unauthorized path).
    errors: list[FormattedError] = field(default_factory=list)
    # Extra headers for subgraph requests (identity headers) and for the HTTP response (rate limits).
    subgraph_headers: dict[str, str] = field(default_factory=dict)
    strip_headers: frozenset[str] = frozenset()
    response_headers: dict[str, str] = field(default_factory=dict)
    # Top-level ``extensions`` of the response (e.g. cost).
    extensions: dict[str, Any] = field(default_factory=dict)
    # Free-form storage for plugins, namespaced by plugin (``ctx.store["cost"]``).
    store: dict[str, Any] = field(default_factory=dict)
    # The pipeline's metrics facade (gateway/telemetry) for plugins; a no-op when metrics are off.
    metrics: Metrics = NOOP_METRICS
    # Event-loop time by which the request must be answered (server.request_timeout from its start): no
    # subgraph call is given more than what is left of it.
    deadline: float | None = None


class Plugin(Protocol):
    """A pipeline plugin. Every hook is optional in spirit: implement the no-op for the ones you do not use.

    Order of calls for one request:
      on_request   before parsing (authentication; may answer 401)
      on_operation after parse/validate/variable coercion, before planning (limits, authorization,
                   cost estimate, rate limiting; may answer 400/429 or substitute the operation to plan)
      on_response  after execution and shaping, with the response body (actual cost, headers)
    """

    name: str

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    async def on_request(self, ctx: RequestContext) -> GraphQLResponse | None: ...

    async def on_operation(self, ctx: RequestContext) -> GraphQLResponse | None: ...

    async def on_response(self, ctx: RequestContext, body: dict[str, Any]) -> None: ...


class BasePlugin:
    """No-op implementations of every hook, to subclass."""

    name = "base"

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def on_request(self, ctx: RequestContext) -> GraphQLResponse | None:
        return None

    async def on_operation(self, ctx: RequestContext) -> GraphQLResponse | None:
        return None

    async def on_response(self, ctx: RequestContext, body: dict[str, Any]) -> None:
        return None
