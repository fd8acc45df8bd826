"""The GraphQL pipeline: request -> parse/validate (cached) -> variables -> plan (cached) -> execute -> shape.

Stage order (our layer inventory):
  1. snapshot      take the current schema generation (a reload mid-request never mixes generations)
  2. prepare       parse + validate + select operation + compile projection, cached per (query, op name)
  3. method check  mutations over GET are refused (405)
  4. variables     coerce to the operation's variable types (BAD_USER_INPUT on failure)
  5. plan          build_query_plan, cached per prepared operation and active override labels
  6. execute       run the plan's fetches (batched, coalesced)
  7. introspection answered locally from the API schema
  8. shape         project merged data onto the operation (aliases, order, null propagation)
"""

from __future__ import annotations

import asyncio
import logging
import random
import re
import time
from collections.abc import Coroutine, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import ExecutionResult, GraphQLError, GraphQLSchema, execute_sync, get_operation_ast, parse
from graphql.execution.values import get_variable_values

from gateway.cache.lru import LRUCache
from gateway.config.headers import apply_header_rules
from gateway.config.model import Config
from gateway.errors import (
    BAD_REQUEST,
    BAD_USER_INPUT,
    INTERNAL_SERVER_ERROR,
    METHOD_NOT_ALLOWED,
    QUERY_PLANNING_FAILED,
    SUPERGRAPH_NOT_READY,
    FormattedError,
    make_error,
)
from gateway.executor.dedup import InFlightMap
from gateway.executor.execute import ExecutionEnvironment, HeadersFor, SubgraphEndpoint, execute_plan
from gateway.pipeline.context import BasePlugin, Plugin, RequestContext
from gateway.pipeline.expose import PlanViews, expose_plan_and_cost, wants_query_plan
from gateway.pipeline.plugins import build_plugins
from gateway.pipeline.prepare import PreparedOperation, RequestError, format_graphql_error, prepare_operation
from gateway.pipeline.types import GraphQLRequest, GraphQLResponse
from gateway.planner.build import PlanningError, build_query_plan
from gateway.planner.nodes import QueryPlan
from gateway.response.shape import shape_response
from gateway.supergraph.api_schema import build_api_schema
from gateway.supergraph.model import Supergraph, load_supergraph
from gateway.telemetry import tracing as _tracing
from gateway.telemetry.metrics import create_metrics
from gateway.telemetry.scope import note_request_context
from gateway.transport.client import SubgraphTransport
from gateway.transport.resilience import ResilientTransport

log = logging.getLogger("gateway.pipeline")

_MAX_PLANS_PER_OPERATION = 64
_PERCENT = re.compile(r"^percent\((\d+(?:\.\d+)?)\)$")


@dataclass(slots=True)
class SchemaSnapshot:
    """One schema generation and every cache that belongs to it."""

    supergraph: Supergraph
    api_schema: GraphQLSchema
    env: ExecutionEnvironment
    operations: LRUCache[tuple[str, str | None], PreparedOperation | RequestError]
    percent_labels: tuple[tuple[str, float], ...]
    fixed_labels: frozenset[str]
    header_rules: dict[str, tuple[Any, ...]]
    introspection: bool


def _override_labels(
    supergraph: Supergraph, enabled: frozenset[str]
) -> tuple[tuple[tuple[str, float], ...], frozenset[str]]:
    percents: dict[str, float] = {}
    fixed: set[str] = set()
    for typedef in supergraph.types.values():
        for fielddef in typedef.fields.values():
            for entry in fielddef.entries:
                label = entry.override_label
                if label is None:
                    continue
                match = _PERCENT.match(label)
                if match:
                    percents[label] = float(match.group(1))
                elif label in enabled:
                    fixed.add(label)
    return tuple(sorted(percents.items())), frozenset(fixed)


def _implementing(plugins: list[Plugin], hook: str) -> list[Plugin]:
    """The plugins whose ``hook`` is not BasePlugin's no-op."""
    base = getattr(BasePlugin, hook)
    return [p for p in plugins if getattr(type(p), hook, None) is not base]


class GatewayPipeline:
    """Answers GraphQL requests against the current supergraph; see the module docstring for the stages."""

    def __init__(self, config: Config | None = None, plugins: list[Plugin] | None = None) -> None:
        self.config = config or Config()
        # One metrics facade per pipeline: the transport gets it here, plugins through ``ctx.metrics``.
        self.metrics = create_metrics(self.config.telemetry.metrics.enabled)
        self.transport = SubgraphTransport(metrics=self.metrics)
        # breakers, concurrency bounds and retry budgets per subgraph URL, kept across supergraph reloads
        self.resilient = ResilientTransport(self.transport, self.metrics)
        self.breakers = self.resilient.breakers
        self.plugins: list[Plugin] = build_plugins(self.config) if plugins is None else plugins
        # Only plugins implementing a hook are called for it (a no-op hook still costs a coroutine).
        self._on_request = _implementing(self.plugins, "on_request")
        self._on_operation = _implementing(self.plugins, "on_operation")
        self._on_response = _implementing(self.plugins, "on_response")
        self._snapshot: SchemaSnapshot | None = None
        self._request_timeout = self.config.server.request_timeout
        # Apollo-Expose-Query-Plan is honoured only when configured (gateway.pipeline.expose).
        self._plan_views = PlanViews() if self.config.server.expose_query_plan else None

    async def start(self) -> None:
        await self.transport.start()
        for plugin in self.plugins:
            await plugin.start()

    async def close(self) -> None:
        for plugin in reversed(self.plugins):
            await plugin.close()
        await self.transport.close()

    @property
    def ready(self) -> bool:
        return self._snapshot is not None

    @property
    def snapshot(self) -> SchemaSnapshot | None:
        return self._snapshot

    def load_supergraph(self, sdl: str, source: str = "<supergraph>") -> None:
        """Build a new generation and swap it in; on error the current one stays (raises SupergraphError)."""
        try:
            supergraph = load_supergraph(sdl)
            api_schema = build_api_schema(supergraph.document, supergraph.links)
        except Exception:
            self.metrics.supergraph_load_failed()
            raise
        config = self.config
        endpoints = {
            name: SubgraphEndpoint(
                name=name,
                url=config.subgraph_url(name, graph.url),
                guard=self.resilient.guard(
                    name,
                    config.subgraph_url(name, graph.url),
                    config.subgraph_circuit_breaker(name),
                    config.subgraph_retry(name),
                    config.subgraph_concurrency(name),
                ),
                timeout=config.subgraph_timeout(name),
                deduplicate=config.subgraph_dedupe(name),
                errors=config.subgraph_errors(name),
                max_response_bytes=config.subgraph_max_response_bytes(name),
            )
            for name, graph in supergraph.graphs.items()
        }
        self.resilient.retain({(e.name, e.url) for e in endpoints.values()})
        percents, fixed = _override_labels(supergraph, frozenset(config.progressive_override.enabled_labels))
        self._snapshot = SchemaSnapshot(
            supergraph=supergraph,
            api_schema=api_schema,
            env=ExecutionEnvironment(self.resilient, endpoints, InFlightMap()),
            operations=LRUCache(config.plan_cache.max_entries),
            percent_labels=percents,
            fixed_labels=fixed,
            header_rules={name: config.headers_for(name) for name in supergraph.graphs},
            introspection=config.supergraph.introspection,
        )
        self.metrics.supergraph_loaded(supergraph.sha256)
        guarded = [n for n in ("authenticated", "requiresScopes", "policy") if supergraph.links.get(n)]
        if guarded and not any(getattr(p, "name", "") == "authorization" for p in self.plugins):
            log.warning(
                "the supergraph uses @%s but authorization is not enforced: configure `authentication` "
                "(and keep `authorization.enabled`) to enforce it",
                ", @".join(guarded),
            )
        log.info(
            "supergraph loaded from %s (%d subgraphs, sha256 %s)",
            source,
            len(endpoints),
            supergraph.sha256[:12],
        )

    # ---- stages -------------------------------------------------------------------------------------

    def _prepare(self, snapshot: SchemaSnapshot, query: str, operation_name: str | None) -> PreparedOperation:
        key = (query, operation_name)
        cached = snapshot.operations.get(key)
        if cached is None:
            try:
                cached = prepare_operation(
                    snapshot.api_schema, query, operation_name, introspection=snapshot.introspection
                )
            except RequestError as error:
                cached = error
            snapshot.operations.put(key, cached)
            if _tracing.ACTIVE:  # parse and validate spans were made by prepare_operation
                _tracing.prepared(cached, False, query)
        elif _tracing.ACTIVE:
            _tracing.prepared(cached, True, query)
        if isinstance(cached, RequestError):
            raise cached
        return cached

    def operation_kind(self, query: str, operation_name: str | None) -> str | None:
        """The kind (query, mutation, subscription) of the operation a request would run, or ``None`` when
        it would be refused before running (no supergraph, invalid document).

        Why: the HTTP layer checks the method before CSRF prevention (a mutation over GET is 405, whatever
        its headers). A document already prepared costs one lookup in the prepared-operation cache; any other
        is only parsed (bounded by ``limits.parser_max_tokens``), never validated: a request CSRF prevention
        is about to refuse must not cost validation, nor skip the operation limits that run before it.
        """
        snapshot = self._snapshot
        if snapshot is None:
            return None
        cached = snapshot.operations.get((query, operation_name))
        if cached is not None:
            return None if isinstance(cached, RequestError) else cached.kind
        try:
            document = parse(query, no_location=True, max_tokens=self.config.limits.parser_max_tokens)
        except GraphQLError:
            return None
        operation = get_operation_ast(document, operation_name)
        return None if operation is None else operation.operation.value

    def _labels(self, snapshot: SchemaSnapshot) -> frozenset[str]:
        if not snapshot.percent_labels:
            return snapshot.fixed_labels
        active = set(snapshot.fixed_labels)
        for label, percent in snapshot.percent_labels:
            if random.random() * 100 < percent:
                active.add(label)
        return frozenset(active)

    def _plan(self, snapshot: SchemaSnapshot, ctx: RequestContext, labels: frozenset[str]) -> QueryPlan:
        prepared = ctx.prepared
        assert prepared is not None
        assert ctx.operation is not None
        key = (labels, ctx.plan_key)
        plan = prepared.plans.get(key)
        self.metrics.plan_cache(plan is not None)
        if _tracing.ACTIVE:
            with _tracing.stage("graphql.plan", cache_hit=plan is not None):
                return plan if plan is not None else self._build_plan(snapshot, ctx, key, labels)
        return plan if plan is not None else self._build_plan(snapshot, ctx, key, labels)

    def _build_plan(
        self, snapshot: SchemaSnapshot, ctx: RequestContext, key: Any, labels: frozenset[str]
    ) -> QueryPlan:
        prepared = ctx.prepared
        assert prepared is not None
        assert ctx.operation is not None
        started = time.perf_counter()
        try:
            plan = build_query_plan(snapshot.supergraph, ctx.operation, ctx.fragments, labels)
        except PlanningError as error:
            raise RequestError([make_error(str(error), QUERY_PLANNING_FAILED)], 500) from None
        self.metrics.plan_built(time.perf_counter() - started)
        if len(prepared.plans) >= _MAX_PLANS_PER_OPERATION:
            prepared.plans.pop(next(iter(prepared.plans)))
        prepared.plans[key] = plan
        return plan

    def _introspect(
        self, snapshot: SchemaSnapshot, prepared: PreparedOperation, variables: dict[str, Any]
    ) -> tuple[dict[str, Any], list[FormattedError]]:
        if prepared.introspection_result is not None:
            return prepared.introspection_result, []
        assert prepared.introspection is not None
        result = execute_sync(snapshot.api_schema, prepared.introspection, variable_values=variables)
        assert isinstance(result, ExecutionResult)
        errors = [format_graphql_error(e, INTERNAL_SERVER_ERROR) for e in result.errors or ()]
        data = result.data or {}
        if not prepared.has_variables and not errors:
            prepared.introspection_result = data
        return data, errors

    def run(self, request: GraphQLRequest) -> Coroutine[Any, Any, GraphQLResponse]:
        """Answer one GraphQL request (awaitable). With tracing on, inside the operation's span."""
        if _tracing.ACTIVE:
            return _tracing.operation(self._run, request)
        return self._run(request)

    async def _run(self, request: GraphQLRequest) -> GraphQLResponse:
        snapshot = self._snapshot
        if snapshot is None:
            return GraphQLResponse(
                {"errors": [make_error("The supergraph is not loaded yet.", SUPERGRAPH_NOT_READY)]}, 503
            )
        ctx = RequestContext(request=request, snapshot=snapshot, metrics=self.metrics)
        note_request_context(ctx)  # for the access log (principal, operation, cost); no-op when it is off
        ctx.deadline = asyncio.get_running_loop().time() + self._request_timeout
        for plugin in self._on_request:
            early = await plugin.on_request(ctx)
            if early is not None:
                return self._finish(ctx, early)
        if not request.query:
            return self._finish(
                ctx,
                GraphQLResponse(
                    {
                        "errors": [
                            make_error("GraphQL operations must contain a non-empty `query`.", BAD_REQUEST)
                        ]
                    },
                    400,
                ),
            )
        try:
            prepared = self._prepare(snapshot, request.query, request.operation_name)
            ctx.prepared = prepared
            self.metrics.operation_kind(prepared.kind)
            if prepared.kind == "mutation" and request.http_method == "GET":
                return self._finish(
                    ctx,
                    GraphQLResponse(
                        {
                            "errors": [
                                make_error("Mutations cannot be sent over GET; use POST.", METHOD_NOT_ALLOWED)
                            ]
                        },
                        405,
                        {"allow": "POST"},
                    ),
                )
            ctx.variables = self._coerce(snapshot, prepared, request.variables)
            ctx.operation = prepared.operation
            ctx.fragments = prepared.fragments
            for plugin in self._on_operation:
                early = await plugin.on_operation(ctx)
                if early is not None:
                    return self._finish(ctx, early)
            plan = ctx.plan = self._plan(snapshot, ctx, self._labels(snapshot))
        except RequestError as error:
            return self._finish(ctx, GraphQLResponse({"errors": error.errors}, error.http_status))

        execution = execute_plan(
            plan, snapshot.env, ctx.variables, self._headers_for(snapshot, ctx), ctx.deadline
        )
        data, errors = await (_tracing.execute(execution, plan) if _tracing.ACTIVE else execution)
        if prepared.introspection is not None:
            introspected, more = self._introspect(snapshot, prepared, ctx.variables)
            data.update(introspected)
            errors.extend(more)
        if ctx.errors:
            errors = [*ctx.errors, *errors]
        shaped = shape_response(prepared.projection, data, ctx.variables, errors)
        body: dict[str, Any] = {"errors": errors, "data": shaped} if errors else {"data": shaped}
        for plugin in self._on_response:
            await plugin.on_response(ctx, body)
        if self._plan_views is not None and wants_query_plan(request.headers):
            expose_plan_and_cost(ctx, plan, self._plan_views)
        if ctx.extensions:
            body["extensions"] = {**body.get("extensions", {}), **ctx.extensions}
        return self._finish(ctx, GraphQLResponse(body))

    @staticmethod
    def _finish(ctx: RequestContext, response: GraphQLResponse) -> GraphQLResponse:
        if ctx.response_headers:
            response.headers = {**ctx.response_headers, **response.headers}
        return response

    @staticmethod
    def _headers_for(snapshot: SchemaSnapshot, ctx: RequestContext) -> HeadersFor:
        rules = snapshot.header_rules
        incoming: Mapping[str, str] = ctx.request.headers
        if ctx.strip_headers:
            strip = ctx.strip_headers
            incoming = {k: v for k, v in incoming.items() if k not in strip}
        extra = ctx.subgraph_headers
        cache: dict[str, Mapping[str, str]] = {}

        def headers_for(service: str) -> Mapping[str, str]:
            found = cache.get(service)
            if found is None:
                service_rules = rules.get(service)
                found = apply_header_rules(service_rules, incoming) if service_rules else {}
                if extra:
                    found = {**found, **extra}
                cache[service] = found
            return found

        return headers_for

    def _coerce(
        self, snapshot: SchemaSnapshot, prepared: PreparedOperation, raw: dict[str, Any] | None
    ) -> dict[str, Any]:
        if not prepared.has_variables:
            return {}
        result = get_variable_values(
            snapshot.api_schema, prepared.operation.variable_definitions or (), raw or {}, max_errors=50
        )
        if isinstance(result, list):
            raise RequestError([format_graphql_error(e, BAD_USER_INPUT) for e in result])
        return dict(result.coerced)
