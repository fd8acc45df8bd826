"""The HTTP side of metrics: the request-timing middleware and the ``GET /metrics`` scrape endpoint.

Why a middleware (outermost, before CORS and CSRF): the request counter must see what the client saw, the
final HTTP status including CSRF refusals, 413/415 decoding errors, 504 timeouts and shaped 500s, and the
duration must include all of it. Only the GraphQL path is measured: scrapes and health checks are not
traffic. A request cancelled because the client went away is counted with status 499 (nginx's convention).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from gateway.config.model import Config
from gateway.telemetry.metrics import Metrics, create_metrics
from gateway.telemetry.scope import CURRENT_SCOPE, enter_scope

CLIENT_CLOSED_REQUEST = 499
# The app's metrics (``create_app`` sets it): ``gateway.workers`` shares them with the other workers.
METRICS_KEY = web.AppKey("metrics", Metrics)


def metrics_for(pipeline: Any, config: Config) -> Metrics:
    """The pipeline's own ``metrics`` (so plugins and the HTTP layer share one registry), or new ones for a
    pipeline that has none (a custom ``--pipeline`` factory)."""
    found = getattr(pipeline, "metrics", None)
    if isinstance(found, Metrics):
        return found
    return create_metrics(config.telemetry.metrics.enabled)


def make_metrics_middleware(metrics: Metrics, graphql_path: str) -> Middleware:
    """Time every request on ``graphql_path`` and count it by operation kind and final status."""
    perf_counter = time.perf_counter

    @web.middleware
    async def metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != graphql_path:
            return await handler(request)
        scope, token = enter_scope()  # or joined: an outer telemetry middleware may have opened it
        started = perf_counter()
        status = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        except asyncio.CancelledError:
            status = CLIENT_CLOSED_REQUEST
            raise
        finally:
            if token is not None:
                CURRENT_SCOPE.reset(token)
            metrics.request_finished(scope.operation_kind, status, perf_counter() - started)

    return metrics_middleware


def metrics_handler(metrics: Metrics) -> Handler:
    """``GET <telemetry.metrics.path>``: the text exposition format (OpenMetrics when the scraper asks)."""

    async def handle(request: web.Request) -> web.StreamResponse:
        body, content_type = metrics.exposition(request.headers.get("Accept"))
        return web.Response(body=body, headers={"Content-Type": content_type})

    return handle
