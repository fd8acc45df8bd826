"""OpenTelemetry traces: the switch the hot paths check, and the app wiring (see docs/tracing.md).

Why two modules: this one is imported by the pipeline, the executor and ``prepare`` whether tracing is on or
not, so it imports nothing from OpenTelemetry; ``tracing_sdk`` (SDK, exporter, spans) is imported only when a
worker starts with ``telemetry.tracing.enabled``. Off, tracing costs nothing per request: no middleware is
installed, no header hook is registered, and each instrumentation point is one read of the module-level
``ACTIVE`` flag (measured in docs/tracing.md).

On, the tracer provider, its BatchSpanProcessor thread and the exporter are created when the app starts, on
the serving event loop (``tracing_context``, an aiohttp cleanup context): with ``server.workers > 1`` that is
in each worker, after the fork, never in the supervising parent. They are shut down (queued spans exported,
bounded by ``telemetry.tracing.timeout``) when the app is cleaned up.

The hot-path entry points below (``operation``, ``prepared``, ``stage``, ``execute``, ``fetch``) may only be
called while ``ACTIVE`` is true. The state is per process: one app with tracing at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from gateway.config.tracing import TracingConfig
from gateway.transport.client import OUTGOING_HEADER_HOOKS

if TYPE_CHECKING:
    from opentelemetry.sdk.trace.export import SpanExporter

    from gateway.telemetry.tracing_sdk import FetchTrace, TracingRuntime

log = logging.getLogger("gateway.tracing")

# True while a tracing runtime is installed in this process: the one check every instrumentation point makes.
ACTIVE = False
_runtime: TracingRuntime | None = None
_NOT_TRACED = contextlib.nullcontext()


def install(config: TracingConfig, exporter: SpanExporter | None = None) -> TracingRuntime:
    """Create the provider and exporter (``exporter`` replaces the OTLP one, for tests), register the header
    hook and switch the instrumentation on. Call ``uninstall`` to undo."""
    global ACTIVE, _runtime
    from gateway.telemetry.tracing_sdk import TracingRuntime

    if _runtime is not None:
        raise RuntimeError("tracing is already installed in this process")
    runtime = TracingRuntime(config, exporter)
    OUTGOING_HEADER_HOOKS.append(runtime.inject)
    _runtime = runtime
    ACTIVE = True
    return runtime


async def uninstall(runtime: TracingRuntime) -> None:
    """Switch the instrumentation off, then export what is queued and stop the export thread (in a thread:
    a slow collector must not block the event loop; given at most the export timeout and a little more)."""
    global ACTIVE, _runtime
    if _runtime is runtime:
        ACTIVE = False
        _runtime = None
    with contextlib.suppress(ValueError):
        OUTGOING_HEADER_HOOKS.remove(runtime.inject)
    try:
        await asyncio.wait_for(asyncio.to_thread(runtime.shutdown), runtime.config.timeout + 2.0)
    except TimeoutError:
        log.warning("tracing: queued spans were not exported within %gs at shutdown", runtime.config.timeout)


def tracing_context(
    config: TracingConfig, exporter: SpanExporter | None = None
) -> Callable[[web.Application], contextlib.AbstractAsyncContextManager[None]]:
    """The aiohttp cleanup context that owns the tracing runtime for the app's lifetime."""

    @contextlib.asynccontextmanager
    async def lifetime(_app: web.Application) -> AsyncIterator[None]:
        runtime = install(config, exporter)
        try:
            yield
        finally:
            await uninstall(runtime)

    return lifetime


def make_tracing_middleware(graphql_path: str) -> Middleware:
    """The SERVER span middleware (outermost), for requests on ``graphql_path`` only (health checks and
    scrapes are not traffic); it uses whichever runtime is installed when a request comes."""

    @web.middleware
    async def tracing_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        runtime = _runtime
        if runtime is None or request.path != graphql_path:
            return await handler(request)
        return await runtime.serve(request, handler, graphql_path)

    return tracing_middleware


def current_ids() -> tuple[str, str] | None:
    """(trace id, span id) in hex of the current span, for log correlation; ``None`` when not tracing."""
    if not ACTIVE:
        return None
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return f"{context.trace_id:032x}", f"{context.span_id:016x}"


# ---- hot-path entry points (only while ACTIVE) -------------------------------------------------------------


def _current() -> TracingRuntime:
    runtime = _runtime
    assert runtime is not None, "tracing entry point called while tracing is off"
    return runtime


def operation(run: Callable[[Any], Coroutine[Any, Any, Any]], request: Any) -> Coroutine[Any, Any, Any]:
    """``run(request)`` inside the span of one GraphQL operation."""
    return _current().operation(run, request)


def prepared(result: Any, cache_hit: bool, query: str) -> None:
    """The prepared operation (or its cached error) of the current operation, for ``query``, is known."""
    _current().prepared(result, cache_hit, query)


def stage(name: str, cache_hit: bool | None = None) -> contextlib.AbstractContextManager[Any]:
    """A span for a synchronous stage; a no-op context when tracing is off (usable on cold paths as is)."""
    runtime = _runtime
    if runtime is None:
        return _NOT_TRACED
    return runtime.stage(name, cache_hit)


def execute(execution: Coroutine[Any, Any, Any], plan: Any) -> Coroutine[Any, Any, Any]:
    """Await ``execution`` (``execute_plan(...)``) inside the execute span."""
    return _current().execute(execution, plan)


def fetch(
    send: Callable[[Any, Any, FetchTrace | None], Coroutine[Any, Any, Any]],
    fetch: Any,
    variables: Any,
    endpoint: Any,
) -> Coroutine[Any, Any, Any]:
    """``send(fetch, variables, trace)`` inside the CLIENT span of one subgraph fetch."""
    return _current().fetch(send, fetch, variables, endpoint)
