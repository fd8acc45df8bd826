"""OpenTelemetry for the demo subgraphs: one SERVER span per GraphQL request, in the caller's trace.

Why: a trace of a gateway request should show, under each subgraph fetch, the subgraph's own handling of it.
The gateway sends W3C ``traceparent``/``tracestate``/``baggage`` with every subgraph request; the span here is
parented by them, so it joins the gateway's trace as a child of the fetch span.

Configured like any OpenTelemetry service, by the standard environment variables (the SDK reads them). On
when ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`` or ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set, or when
``OTEL_TRACES_EXPORTER`` names ``otlp`` or ``console``; off with ``OTEL_SDK_DISABLED=true`` or
``OTEL_TRACES_EXPORTER=none``. ``OTEL_EXPORTER_OTLP_PROTOCOL`` picks ``http/protobuf`` (the default) or
``grpc``; ``OTEL_SERVICE_NAME`` defaults to the subgraph's name; ``OTEL_TRACES_SAMPLER`` (default parent-based
always-on: the gateway's decision is followed), ``OTEL_BSP_SCHEDULE_DELAY`` and ``OTEL_EXPORTER_OTLP_HEADERS``
work as OpenTelemetry documents them. ``gateway dev`` passes its environment on to the subgraphs it starts, so
exporting these variables before ``gateway dev`` traces the whole stack (docs/tracing.md).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

_ON = ("otlp", "console")


def tracing_enabled(environ: Mapping[str, str]) -> bool:
    """Whether the environment asks for traces (see the module docstring)."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    exporters = {e.strip().lower() for e in environ.get("OTEL_TRACES_EXPORTER", "").split(",") if e.strip()}
    if "none" in exporters:
        return False
    if exporters & set(_ON):
        return True
    return bool(
        environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_ENDPOINT")
    )


class SubgraphTracing:
    """The subgraph process's tracer provider and its request middleware."""

    def __init__(self, name: str, environ: Mapping[str, str]) -> None:
        from opentelemetry.propagate import extract
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        # the subgraph's name unless OTEL_SERVICE_NAME says otherwise (Resource.create reads it)
        attributes: dict[str, Any] = {} if environ.get("OTEL_SERVICE_NAME") else {"service.name": name}
        self.provider = TracerProvider(resource=Resource.create(attributes))  # sampler: OTEL_TRACES_SAMPLER
        for exporter in _exporters(environ):
            self.provider.add_span_processor(BatchSpanProcessor(exporter))
        self.tracer = self.provider.get_tracer("subgraphs")
        self._extract = extract

    def middleware(self) -> Middleware:
        from opentelemetry.trace import SpanKind, Status, StatusCode

        tracer = self.tracer
        extract = self._extract

        @web.middleware
        async def tracing_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
            if request.path != "/graphql":
                return await handler(request)
            with tracer.start_as_current_span(
                f"{request.method} /graphql",
                context=extract(request.headers),
                kind=SpanKind.SERVER,
                attributes={
                    "http.request.method": request.method,
                    "url.path": request.path,
                    "http.route": "/graphql",
                    "url.scheme": request.scheme,
                },
            ) as span:
                response = await handler(request)
                span.set_attribute("http.response.status_code", response.status)
                if response.status >= 500:
                    span.set_status(Status(StatusCode.ERROR))
                return response

        return tracing_middleware

    async def close(self) -> None:
        """Export what is queued (in a thread: the exporter blocks) and stop the export threads."""
        await asyncio.to_thread(self.provider.shutdown)


def _exporters(environ: Mapping[str, str]) -> list[Any]:
    from opentelemetry.sdk.trace.export import ConsoleSpanExporter

    names = {e.strip().lower() for e in environ.get("OTEL_TRACES_EXPORTER", "otlp").split(",") if e.strip()}
    found: list[Any] = []
    if "console" in names:
        found.append(ConsoleSpanExporter())
    if "otlp" in names or not names & {"console"}:
        protocol = (
            environ.get("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL")
            or environ.get("OTEL_EXPORTER_OTLP_PROTOCOL")
            or "http/protobuf"
        )
        if protocol.strip().lower() == "grpc":
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter as Grpc

            found.append(Grpc())
        else:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter as Http

            found.append(Http())
    return found


def tracing_from_env(name: str, environ: Mapping[str, str] | None = None) -> SubgraphTracing | None:
    """The subgraph's tracing when its environment asks for it, else ``None`` (nothing is imported)."""
    environ = os.environ if environ is None else environ
    return SubgraphTracing(name, environ) if tracing_enabled(environ) else None
