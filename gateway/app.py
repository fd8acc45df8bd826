"""The aiohttp application factory: routes, middleware and the pipeline's lifetime.

Why: one place wires configuration to handlers so that tests, ``gateway serve`` and embedders build the exact
same app. The pipeline is started and closed through ``cleanup_ctx`` so its subgraph connection pool lives on
the serving event loop and is closed on shutdown.
"""

from __future__ import annotations

import contextlib
import importlib
from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web

from gateway.config.model import Config
from gateway.http.admission import admission_controlled
from gateway.http.assets import graphiql_assets
from gateway.http.connections import ConnectionTracker
from gateway.http.cors import make_cors_middleware
from gateway.http.csrf import make_csrf_middleware
from gateway.http.drain import DrainState, close_connections_when_draining
from gateway.http.handler import GraphQLHandler
from gateway.http.health import health_handler, live_handler, ready_handler
from gateway.http.middlewares import error_middleware
from gateway.keys import CONFIG_KEY, CONNECTIONS_KEY, DRAIN_KEY, PIPELINE_KEY, ManagedPipeline
from gateway.reload import watch_context
from gateway.telemetry.access import install_hooks as install_request_hooks
from gateway.telemetry.access import request_middleware_for
from gateway.telemetry.http import METRICS_KEY, make_metrics_middleware, metrics_for, metrics_handler
from gateway.telemetry.tracing import make_tracing_middleware, tracing_context


@contextlib.asynccontextmanager
async def _pipeline_lifetime(app: web.Application) -> AsyncIterator[None]:
    pipeline = app[PIPELINE_KEY]
    await pipeline.start()
    try:
        yield
    finally:
        await pipeline.close()


def create_app(
    config: Config,
    pipeline: ManagedPipeline,
    *,
    supergraph_path: str | None = None,
    supergraph_sdl: str | None = None,
) -> web.Application:
    """Build the app; the caller loads the first supergraph (so start-up errors surface before binding).

    ``supergraph_path`` enables hot reload when ``config.supergraph.watch`` is on; ``supergraph_sdl`` is the
    text loaded at start-up, the baseline the watcher compares the file with.
    """
    server = config.server
    # CORS outermost (errors and CSRF refusals still carry CORS headers), then CSRF, then error shaping.
    middlewares = [
        make_cors_middleware(config.cors),
        make_csrf_middleware(config.csrf, server.graphql_path, pipeline, server.default_response_media_type),
        error_middleware,
    ]
    metrics = metrics_for(pipeline, config)
    if metrics.enabled:  # outermost: counts what the client saw, CSRF refusals and CORS preflights included
        middlewares.insert(0, make_metrics_middleware(metrics, server.graphql_path))
    request_ids = request_middleware_for(config)
    if request_ids is not None:  # outermost of all: every answer carries the request id, every log line too
        middlewares.insert(0, request_ids)
    tracing = config.telemetry.tracing
    if tracing.enabled:  # outermost of all: the request's span covers everything it went through
        middlewares.insert(0, make_tracing_middleware(server.graphql_path))
    app = web.Application(client_max_size=server.max_request_bytes, middlewares=middlewares)
    install_request_hooks(app, config)
    app[CONFIG_KEY] = config
    app[PIPELINE_KEY] = pipeline
    app[METRICS_KEY] = metrics
    drain_state = app[DRAIN_KEY] = DrainState()
    tracker = app[CONNECTIONS_KEY] = ConnectionTracker(server, metrics)
    metrics.watch_connections(lambda: tracker.open)
    app.on_response_prepare.append(close_connections_when_draining(drain_state))
    graphql = GraphQLHandler(pipeline, server, config.batching, metrics)
    # Load shedding guards the GraphQL route only: health checks and scrapes must answer while it sheds.
    graphql_route = admission_controlled(graphql.handle, config.traffic_shaping.router, metrics.request_shed)
    app.router.add_route("*", server.graphql_path, graphql_route)
    health, live, ready = server.health_paths
    app.router.add_get(health, health_handler(pipeline))
    app.router.add_get(live, live_handler())
    app.router.add_get(ready, ready_handler(pipeline, drain_state))
    if server.graphiql:  # the page's scripts, styles and fonts, from the package (gateway.http.assets)
        assets = graphiql_assets()
        app.router.add_get(assets.route(server.graphql_path), assets.handle)
    if metrics.enabled:  # not under the CSRF check, which only guards graphql_path
        app.router.add_get(config.telemetry.metrics.path, metrics_handler(metrics))
    if tracing.enabled:  # set up before the pipeline starts, shut down (spans exported) after it closed
        app.cleanup_ctx.append(tracing_context(tracing))
    app.cleanup_ctx.append(_pipeline_lifetime)
    if config.supergraph.watch and supergraph_path is not None:
        app.cleanup_ctx.append(
            watch_context(pipeline, supergraph_path, config.supergraph.poll_interval, supergraph_sdl)
        )
    return app


def make_pipeline(config: Config, factory: str | None = None) -> ManagedPipeline:
    """Instantiate the pipeline: the engine's ``GatewayPipeline`` unless ``factory`` ('module:attr') is given.

    The import is lazy so that commands that do not serve (``config``, ``--version``) work without the engine.
    """
    if factory is None:
        from gateway.pipeline.runner import GatewayPipeline

        return GatewayPipeline(config)
    module_name, _, attr = factory.partition(":")
    if not module_name or not attr:
        raise ValueError(f"invalid pipeline factory {factory!r}; expected 'module:attribute'")
    target: Any = getattr(importlib.import_module(module_name), attr)
    return target(config)
