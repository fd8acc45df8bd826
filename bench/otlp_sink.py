"""A tiny OTLP trace sink for benchmarks: accepts every export and throws it away.

Usage: ``python -m bench.otlp_sink [--host 127.0.0.1] [--port 4318] [--grpc-port 4317] [--count-spans]``.

Why: measuring the gateway with tracing on needs a receiver that is never the bottleneck and never pushes
back (a real collector's queue, retries or 429s would measure the collector). OTLP/HTTP is answered by
aiohttp's low-level server: ``POST /v1/traces`` gets ``200`` with an empty ``ExportTraceServiceResponse``
(zero bytes in protobuf), nothing decoded. ``--grpc-port`` also serves OTLP/gRPC (``TraceService/Export``).
``--count-spans`` decodes each export to count spans (costs CPU: leave it off while measuring).
``GET /__stats`` returns ``{"exports": N, "bytes": N, "spans": N}``; the same line is printed on exit.
Pair it with ``bench/configs/tracing-1.0.yaml`` or ``tracing-0.1.yaml`` (``--ours-config``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import signal
import sys
from pathlib import Path
from typing import Any

from aiohttp import web

if __package__ in (None, ""):  # run as a script (python bench/otlp_sink.py)
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

_PROTOBUF = "application/x-protobuf"


class Sink:
    def __init__(self, count_spans: bool) -> None:
        self.count_spans = count_spans
        self.stats = {"exports": 0, "bytes": 0, "spans": 0}

    def record(self, body: bytes) -> None:
        self.stats["exports"] += 1
        self.stats["bytes"] += len(body)
        if self.count_spans:
            from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

            export = ExportTraceServiceRequest.FromString(body)
            self.stats["spans"] += sum(
                len(scope.spans) for resource in export.resource_spans for scope in resource.scope_spans
            )

    async def handle(self, request: web.BaseRequest) -> web.Response:
        if request.method == "POST" and request.path == "/v1/traces":
            body = await request.read()
            if request.headers.get("Content-Encoding", "").lower() == "gzip" and self.count_spans:
                import gzip

                body = gzip.decompress(body)
            self.record(body)
            return web.Response(body=b"", content_type=_PROTOBUF)
        if request.method == "GET" and request.path == "/__stats":
            return web.json_response(self.stats)
        return web.Response(status=404)


def _grpc_server(sink: Sink, host: str, port: int) -> Any:
    from concurrent.futures import ThreadPoolExecutor

    import grpc
    from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc

    class Service(trace_service_pb2_grpc.TraceServiceServicer):
        def Export(self, request: Any, context: Any) -> Any:
            sink.record(request.SerializeToString() if sink.count_spans else b"")
            return trace_service_pb2.ExportTraceServiceResponse()

    server = grpc.server(ThreadPoolExecutor(max_workers=2))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(Service(), server)
    server.add_insecure_port(f"{host}:{port}")
    server.start()
    return server


async def serve(host: str, port: int, grpc_port: int | None, count_spans: bool) -> None:
    sink = Sink(count_spans)
    server = web.Server(sink.handle, access_log=None)
    runner = web.ServerRunner(server, handle_signals=False)
    await runner.setup()
    site = web.TCPSite(runner, host, port, backlog=1024)
    await site.start()
    grpc_server = _grpc_server(sink, host, grpc_port) if grpc_port else None
    where = f"http://{host}:{port}/v1/traces" + (f" and grpc {host}:{grpc_port}" if grpc_port else "")
    print(f"otlp sink listening on {where}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    await stop.wait()
    if grpc_server is not None:
        grpc_server.stop(0)
    await runner.cleanup()
    print(json.dumps(sink.stats), flush=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.otlp_sink", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4318, help="OTLP/HTTP port (default 4318)")
    parser.add_argument("--grpc-port", type=int, default=None, help="also serve OTLP/gRPC on this port")
    parser.add_argument("--count-spans", action="store_true", help="decode exports to count spans")
    args = parser.parse_args(argv)
    asyncio.run(serve(args.host, args.port, args.grpc_port, args.count_spans))


if __name__ == "__main__":
    main()
