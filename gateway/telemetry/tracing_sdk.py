"""The OpenTelemetry side of tracing: provider, sampler, OTLP exporter, and the spans of one client request.

Imported only when a worker starts with ``telemetry.tracing.enabled`` (through ``gateway.telemetry.tracing``,
the switch the hot paths check), so a gateway without tracing never loads the SDK. One request makes:

    POST /graphql                  SERVER    the client request (HTTP semantic conventions)
      query TopProducts            INTERNAL  one per GraphQL operation (several for a batch)
        graphql.parse              INTERNAL  gateway.cache.hit: the prepared-operation cache answered
        graphql.validate           INTERNAL
        graphql.plan               INTERNAL  gateway.cache.hit: the plan cache answered
        graphql.execute            INTERNAL
          fetch products           CLIENT    one per subgraph fetch; its context is what the subgraph receives

The spans are the SDK's own (``start_span`` + ``end``, context attached only where children or the outgoing
``traceparent`` need it). Everything a span records that costs work (document hash, URL parts) is skipped
for spans the sampler did not keep.

A coalesced fetch (``gateway/executor/dedup.py``) is made once, in a task its first caller created, so that
task carries the first caller's context: the subgraph is called with the leader's fetch span as parent. The
other callers' fetch spans record ``gateway.fetch.coalesced = true``, no attempts of their own, and a link to
the leader's span.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Coroutine, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any
from urllib.parse import urlsplit

import orjson
from aiohttp import web
from aiohttp.typedefs import Handler
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.baggage.propagation import W3CBaggagePropagator
from opentelemetry.propagators.composite import CompositePropagator
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import ParentBased, Sampler, TraceIdRatioBased
from opentelemetry.trace import Span, SpanContext, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from gateway.config.tracing import TracingConfig
from gateway.telemetry.scope import CURRENT_SCOPE, current_request_id, enter_scope
from gateway.transport.client import SubgraphFetchError

log = logging.getLogger("gateway.tracing")

INSTRUMENTATION_NAME = "pygraph-gateway"
_KNOWN_METHODS = frozenset({"GET", "POST", "OPTIONS", "HEAD", "PUT", "DELETE", "PATCH", "CONNECT", "TRACE"})
# The loggers of the SDK's export path: an unreachable collector makes them log on every batch (and every
# retry of it), which must not flood the gateway's logs. Each says a given thing at most once a minute.
_EXPORT_LOGGERS = (
    "opentelemetry.exporter.otlp.proto.http.trace_exporter",
    "opentelemetry.exporter.otlp.proto.grpc.exporter",
    "opentelemetry.exporter.otlp.proto.grpc.trace_exporter",
    "opentelemetry.exporter.otlp.common.http",
    "opentelemetry.sdk._shared_internal",
    "opentelemetry.sdk.trace.export",
)
_LOG_INTERVAL = 60.0
# the fetch of the current task (a context key, so a coalesced call's task sees its leader's fetch)
_FETCH_KEY = otel_context.create_key("gateway.fetch")
_UNSAMPLED = nullcontext()


class _QuietLogs(logging.Filter):
    """Lets each (logger, message) through at most once per ``interval``; counts what it held back."""

    def __init__(self, interval: float = _LOG_INTERVAL) -> None:
        super().__init__()
        self.interval = interval
        self._last: dict[tuple[str, object], float] = {}
        self._held: dict[tuple[str, object], int] = {}
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, record.msg)
        now = time.monotonic()
        with self._lock:
            last = self._last.get(key)
            if last is not None and now - last < self.interval:
                self._held[key] = self._held.get(key, 0) + 1
                return False
            self._last[key] = now
            held = self._held.pop(key, 0)
        if held:
            record.msg = f"{record.msg} ({held} similar messages suppressed in the last {self.interval:g}s)"
        return True


class _Exporter(SpanExporter):
    """The OTLP exporter, made harmless: an exception inside it is one failed batch (never a crashed export
    thread), and the failures are counted (``failed_batches``) for tests and debugging."""

    def __init__(self, inner: SpanExporter) -> None:
        self.inner = inner
        self.failed_batches = 0
        self.exported_spans = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        try:
            result = self.inner.export(spans)
        except Exception:  # an exporter bug must not stop tracing, nor reach a request
            log.debug("span export raised", exc_info=True)
            result = SpanExportResult.FAILURE
        if result is SpanExportResult.SUCCESS:
            self.exported_spans += len(spans)
        else:
            self.failed_batches += 1
        return result

    def shutdown(self) -> None:
        try:
            self.inner.shutdown()
        except Exception:
            log.debug("span exporter shutdown raised", exc_info=True)

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


def traces_url(endpoint: str) -> str:
    """An OTLP/HTTP base URL (``http://collector:4318``) with the traces path added; a URL that already has a
    path is used as it is."""
    parts = urlsplit(endpoint)
    if parts.path in ("", "/"):
        return endpoint.rstrip("/") + "/v1/traces"
    return endpoint


def make_exporter(config: TracingConfig) -> SpanExporter:
    """The OTLP span exporter ``config.protocol`` names (imported here: gRPC loads only when used)."""
    headers = dict(config.headers) or None
    if config.protocol == "grpc":
        import grpc
        from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as GrpcExporter

        gzip = config.compression == "gzip"
        return GrpcExporter(
            endpoint=config.endpoint,
            headers={k.lower(): v for k, v in headers.items()} if headers else None,  # gRPC metadata keys
            timeout=config.timeout,
            compression=grpc.Compression.Gzip if gzip else grpc.Compression.NoCompression,
        )
    from opentelemetry.exporter.otlp.proto.http import Compression
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as HttpExporter

    return HttpExporter(
        endpoint=traces_url(config.endpoint) if config.endpoint else None,
        headers=headers,
        timeout=config.timeout,
        compression=Compression.Gzip if config.compression == "gzip" else Compression.NoCompression,
    )


def make_sampler(config: TracingConfig) -> Sampler:
    ratio = TraceIdRatioBased(config.sampler.ratio)
    return ParentBased(ratio) if config.sampler.parent_based else ratio


def _host_port(url: str) -> tuple[str | None, int | None]:
    parts = urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is None and parts.scheme in ("http", "https"):
        port = 443 if parts.scheme == "https" else 80
    return parts.hostname, port


class FetchTrace:
    """What one subgraph fetch tells its span; the executor fills it (``gateway.executor.execute._Run``)."""

    __slots__ = ("attempts", "coalesced", "leader", "registered", "runtime", "span", "status")

    def __init__(self, runtime: TracingRuntime, span: Span) -> None:
        self.runtime = runtime
        self.span = span
        self.attempts = 0  # HTTP requests this fetch sent (the transport's header hook counts them)
        self.coalesced = False
        self.status: int | None = None
        self.leader: SpanContext | None = None
        self.registered: Any = None  # the coalescing key this fetch is the leader of

    def joining(self, key: Any) -> None:
        """About to share ``key``'s in-flight call: note its leader, or become the leader."""
        leaders = self.runtime.leaders
        found = leaders.get(key)
        if found is None:
            leaders[key] = self.span.get_span_context()
            self.registered = key
        else:
            self.leader = found

    def sent(self) -> None:
        """One HTTP request is about to go out for this fetch (called in the task that sends it)."""
        self.attempts += 1
        if self.attempts > 1:
            self.span.add_event("retry", {"gateway.fetch.attempt": self.attempts})

    def close(self) -> None:
        if self.registered is not None:
            leaders = self.runtime.leaders
            if leaders.get(self.registered) == self.span.get_span_context():
                del leaders[self.registered]


class _Stage:
    """A stage span (parse, validate, plan): ends when the block ends, errors recorded."""

    __slots__ = ("span",)

    def __init__(self, span: Span) -> None:
        self.span = span

    def __enter__(self) -> Span:
        return self.span

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is not None:
            _fail(self.span, exc)
        self.span.end()


def _fail(span: Span, exc: BaseException) -> None:
    if not span.is_recording():
        return
    if isinstance(exc, SubgraphFetchError):
        span.set_attribute("error.type", exc.code)
        if exc.status is not None:
            span.set_attribute("http.response.status_code", exc.status)
        span.set_status(Status(StatusCode.ERROR, exc.message))
    elif isinstance(exc, asyncio.CancelledError):
        span.set_attribute("error.type", "cancelled")
    else:
        errors = getattr(exc, "errors", None)  # a RequestError: the GraphQL errors the client gets
        code = _first_code(errors) if isinstance(errors, list) else None
        span.set_attribute("error.type", code or type(exc).__qualname__)
        # a GraphQL error's message may quote the document (recorded only with include_document): the code
        span.set_status(Status(StatusCode.ERROR, code or str(exc)))


def _first_code(errors: list[Any]) -> str | None:
    for error in errors:
        if isinstance(error, dict):
            code = (error.get("extensions") or {}).get("code")
            if isinstance(code, str):
                return code
    return None


REQUEST_ID_ATTRIBUTE = "gateway.request_id"


class _RequestIdProcessor(SpanProcessor):
    """Writes the client request's id (``gateway.telemetry.access``) on every span started while that request
    is handled, so a trace and the request's log lines can be matched either way. One context-variable read
    per span; the request's SERVER span, started before the id is known, gets it when it ends (``serve``)."""

    def on_start(self, span: Span, parent_context: Any = None) -> None:
        request_id = current_request_id()
        if request_id is not None:
            span.set_attribute(REQUEST_ID_ATTRIBUTE, request_id)


class TracingRuntime:
    """One worker's tracer provider and the span-making code the hot paths call (only when tracing is on)."""

    def __init__(self, config: TracingConfig, exporter: SpanExporter | None = None) -> None:
        self.config = config
        attributes: dict[str, Any] = {
            "service.name": config.service_name,
            # created after fork: each worker is its own process in the trace backend
            "process.pid": os.getpid(),
        }
        attributes.update(config.resource_attributes)
        attributes["service.name"] = config.resource_attributes.get("service.name", config.service_name)
        self.exporter = _Exporter(exporter if exporter is not None else make_exporter(config))
        self.provider = TracerProvider(resource=Resource.create(attributes), sampler=make_sampler(config))
        batch = config.batch
        self.processor = BatchSpanProcessor(
            self.exporter,
            max_queue_size=batch.max_queue_size,
            schedule_delay_millis=batch.schedule_delay * 1000,
            max_export_batch_size=batch.max_export_batch_size,
            export_timeout_millis=config.timeout * 1000,
        )
        self.provider.add_span_processor(_RequestIdProcessor())
        self.provider.add_span_processor(self.processor)
        self.tracer = self.provider.get_tracer(INSTRUMENTATION_NAME)
        self.propagator = CompositePropagator([TraceContextTextMapPropagator(), W3CBaggagePropagator()])
        self.leaders: dict[Any, SpanContext] = {}
        self._urls: dict[str, tuple[str | None, int | None]] = {}
        self._filter = _QuietLogs()
        for name in _EXPORT_LOGGERS:
            logging.getLogger(name).addFilter(self._filter)

    def shutdown(self) -> None:
        """Export what is queued and stop the export thread (blocking: call it from a thread)."""
        try:
            self.provider.shutdown()
        finally:
            for name in _EXPORT_LOGGERS:
                logging.getLogger(name).removeFilter(self._filter)

    # ---- the client request -------------------------------------------------------------------------------

    async def serve(self, request: web.Request, handler: Handler, route: str) -> web.StreamResponse:
        """``handler(request)`` inside the SERVER span of the client request, parented by its
        ``traceparent`` (and carrying its ``baggage`` on to the subgraphs)."""
        parent = self.propagator.extract(request.headers)
        method = request.method
        known = method in _KNOWN_METHODS
        span = self.tracer.start_span(f"{method if known else 'HTTP'} {route}", parent, SpanKind.SERVER)
        if span.is_recording():
            _request_attributes(span, request, route)
        token = otel_context.attach(trace.set_span_in_context(span, parent))
        # the request's telemetry slot, opened here (outermost) so the request id set inside is readable after
        scope, scope_token = enter_scope()
        status: int | None = 500
        try:
            response = await handler(request)
            status = response.status
            return response
        except web.HTTPException as exc:
            status = exc.status
            raise
        except asyncio.CancelledError:
            status = None  # the client went away: no response was sent
            span.set_attribute("error.type", "client_closed_request")
            raise
        except Exception as exc:
            span.set_attribute("error.type", type(exc).__qualname__)
            raise
        finally:
            if status is not None:
                span.set_attribute("http.response.status_code", status)
                if status >= 500:
                    span.set_attribute("error.type", str(status))
                    span.set_status(Status(StatusCode.ERROR))
            if scope.request_id is not None:
                span.set_attribute(REQUEST_ID_ATTRIBUTE, scope.request_id)
            span.end()
            otel_context.detach(token)
            if scope_token is not None:
                CURRENT_SCOPE.reset(scope_token)

    # ---- the pipeline ------------------------------------------------------------------------------------

    def operation(
        self, run: Callable[[Any], Coroutine[Any, Any, Any]], request: Any
    ) -> Coroutine[Any, Any, Any]:
        """``run(request)`` in the span of one GraphQL operation (named once the operation is known); as it
        is when the request's trace is not sampled."""
        current = trace.get_current_span()
        if not current.is_recording() and current.get_span_context().is_valid:
            return run(request)
        return self._operation(run, request)

    async def _operation(self, run: Callable[[Any], Coroutine[Any, Any, Any]], request: Any) -> Any:
        span = self.tracer.start_span("GraphQL Operation")
        if span.is_recording():
            query = request.query
            if query and self.config.include_document:
                span.set_attribute("graphql.document", query)
            if request.operation_name:
                span.set_attribute("graphql.operation.name", request.operation_name)
            if self.config.include_variables and request.variables:
                span.set_attribute("graphql.variables", orjson.dumps(request.variables).decode())
        token = otel_context.attach(trace.set_span_in_context(span))
        try:
            response = await run(request)
        except BaseException as exc:
            _fail(span, exc)
            raise
        else:
            if span.is_recording():
                body = response.body
                errors = body.get("errors") if isinstance(body, dict) else None
                if errors:
                    span.set_attribute("gateway.graphql.errors", len(errors))
                    code = _first_code(errors)
                    if code is not None:
                        span.set_attribute("error.type", code)
                    span.set_status(Status(StatusCode.ERROR, code))
            return response
        finally:
            span.end()
            otel_context.detach(token)

    def prepared(self, result: Any, cache_hit: bool, query: str) -> None:
        """The prepared operation (or its cached error) is known: name the operation span; on a cache hit,
        record parse and validate as instant spans (the cache did their work)."""
        span = trace.get_current_span()
        if not span.is_recording():
            return
        if cache_hit:
            attributes = {"gateway.cache.hit": True}
            self.tracer.start_span("graphql.parse", attributes=attributes).end()
            self.tracer.start_span("graphql.validate", attributes=attributes).end()
        kind = getattr(result, "kind", None)
        # the prepared operation's hash is computed once per document; an unusable one is hashed here (rare)
        digest = result.document_hash if kind is not None else hashlib.sha256(query.encode()).hexdigest()
        span.set_attribute("graphql.document.hash", digest)
        if kind is not None:
            name_node = result.operation.name
            name = name_node.value if name_node is not None else None
            span.update_name(f"{kind} {name}" if name else kind)
            span.set_attribute("graphql.operation.type", kind)
            if name:
                span.set_attribute("graphql.operation.name", name)

    def stage(self, name: str, cache_hit: bool | None = None) -> AbstractContextManager[Any]:
        if not trace.get_current_span().is_recording():
            return _UNSAMPLED
        attributes = None if cache_hit is None else {"gateway.cache.hit": cache_hit}
        return _Stage(self.tracer.start_span(name, attributes=attributes))

    def execute(self, execution: Coroutine[Any, Any, Any], plan: Any) -> Coroutine[Any, Any, Any]:
        """``execution`` in the execute span (the fetch spans are its children)."""
        if not trace.get_current_span().is_recording():
            return execution
        return self._execute(execution, plan)

    async def _execute(self, execution: Coroutine[Any, Any, Any], plan: Any) -> Any:
        span = self.tracer.start_span("graphql.execute")
        if span.is_recording():
            span.set_attribute("gateway.plan.fetches", len(plan.fetches))
        token = otel_context.attach(trace.set_span_in_context(span))
        try:
            data, errors = await execution
        except BaseException as exc:
            _fail(span, exc)
            raise
        finally:
            span.end()
            otel_context.detach(token)
        return data, errors

    # ---- subgraph fetches --------------------------------------------------------------------------------

    def fetch(
        self,
        send: Callable[[Any, Any, FetchTrace | None], Coroutine[Any, Any, Any]],
        fetch: Any,
        variables: Any,
        endpoint: Any,
    ) -> Coroutine[Any, Any, Any]:
        """``send`` in the CLIENT span of one subgraph fetch, made current so that the transport's header hook
        (``inject``) sends its context to the subgraph."""
        if not trace.get_current_span().is_recording():
            return send(fetch, variables, None)  # the subgraph gets the unsampled trace's context as it is
        return self._fetch(send, fetch, variables, endpoint)

    async def _fetch(
        self,
        send: Callable[[Any, Any, FetchTrace | None], Coroutine[Any, Any, Any]],
        fetch: Any,
        variables: Any,
        endpoint: Any,
    ) -> Any:
        span = self.tracer.start_span(f"fetch {endpoint.name}", kind=SpanKind.CLIENT)
        recording = span.is_recording()
        if recording:
            address = self._urls.get(endpoint.url)
            if address is None:
                address = self._urls[endpoint.url] = _host_port(endpoint.url)
            span.set_attributes(
                {
                    "subgraph.name": endpoint.name,
                    "http.request.method": "POST",
                    "url.full": endpoint.url,
                    "graphql.operation.type": fetch.operation_kind,
                }
            )
            if address[0] is not None:
                span.set_attribute("server.address", address[0])
            if address[1] is not None:
                span.set_attribute("server.port", address[1])
            if fetch.operation_name:
                span.set_attribute("graphql.operation.name", fetch.operation_name)
        state = FetchTrace(self, span)
        token = otel_context.attach(
            otel_context.set_value(_FETCH_KEY, state, trace.set_span_in_context(span))
        )
        try:
            return await send(fetch, variables, state)
        except BaseException as exc:
            _fail(span, exc)
            raise
        finally:
            otel_context.detach(token)
            state.close()
            if recording:
                span.set_attribute("gateway.fetch.coalesced", state.coalesced)
                span.set_attribute("gateway.fetch.attempts", state.attempts)
                if state.status is not None:
                    span.set_attribute("http.response.status_code", state.status)
                breaker = endpoint.guard.breaker
                if breaker is not None:
                    span.set_attribute("gateway.circuit_breaker.state", breaker.state)
                if state.coalesced and state.leader is not None:
                    span.add_link(state.leader, {"gateway.link": "coalesced_with"})
            span.end()

    def inject(self, headers: dict[str, str]) -> None:
        """The transport's header hook: ``traceparent``/``tracestate``/``baggage`` of the current context
        (the fetch span), on every HTTP request sent to a subgraph, retries included."""
        current = otel_context.get_current()
        state = otel_context.get_value(_FETCH_KEY, current)
        if isinstance(state, FetchTrace):
            state.sent()
        self.propagator.inject(headers, current)


def _request_attributes(span: Span, request: web.Request, route: str) -> None:
    method = request.method
    attributes: dict[str, Any] = {
        "http.request.method": method if method in _KNOWN_METHODS else "_OTHER",
        "url.scheme": request.scheme,
        "url.path": request.path,  # never url.query: a GET request's query string holds the variables
        "http.route": route,
        "network.protocol.version": f"{request.version.major}.{request.version.minor}",
    }
    if method not in _KNOWN_METHODS:
        attributes["http.request.method_original"] = method
    host = request.host
    if host:
        address, _, port = host.rpartition(":") if host.count(":") == 1 else (host, "", "")
        attributes["server.address"] = address or host
        if port.isdigit():
            attributes["server.port"] = int(port)
    remote = request.remote
    if remote:
        attributes["client.address"] = remote
    agent = request.headers.get("User-Agent")
    if agent:
        attributes["user_agent.original"] = agent
    span.set_attributes(attributes)
