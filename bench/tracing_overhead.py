"""Per-request CPU cost of OpenTelemetry tracing: off, on at ratio 1.0 and on at ratio 0.1.

Run: ``.venv/bin/python -m bench.tracing_overhead [--requests 400] [--rounds 7] [--queries light,heavy]``.

Set-up: the benchmark subgraphs (``bench.subgraphs``, memoized answers) and an OTLP sink (``bench.otlp_sink``)
in child processes; ``GatewayPipeline``s run in this process, by turns, ``--rounds`` x ``--requests``
sequential requests each. A round is timed in CPU time of this process, all threads: the request path and
the BatchSpanProcessor's export thread (encoding and sending to the sink; the round ends after the queued
spans were exported). The best round per variant is reported (least disturbed by other processes), with the
median. The HTTP server span (the middleware) is timed apart, on a mocked request.

``--variants off`` alone runs on a tree without tracing too: run this file with ``PYTHONPATH`` pointing at a
copy of the code from before tracing was added to compare "off" with "before" (docs/tracing.md).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from types import MappingProxyType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / "data"
SUBGRAPHS = ("accounts", "inventory", "products", "reviews")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


@contextlib.contextmanager
def _child(argv: list[str], port: int) -> Iterator[None]:
    process = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_port(port)
        yield
    finally:
        process.terminate()
        process.wait(10)


def _pipeline(variant: str, subgraph_port: int, sink_port: int) -> Any:
    from gateway.config.model import Config
    from gateway.pipeline.runner import GatewayPipeline

    urls = {name: f"http://127.0.0.1:{subgraph_port}/{name}" for name in SUBGRAPHS}
    config = Config(override_subgraph_url=MappingProxyType(urls))
    pipeline = GatewayPipeline(config)
    pipeline.load_supergraph((DATA / "supergraph.graphql").read_text())
    return pipeline


def _tracing_settings(variant: str, sink_port: int) -> Any:
    from gateway.config.load import load_config_text

    ratio = variant.removeprefix("on-")
    # a queue large enough that no span is dropped: every span's export is paid for in the round
    text = (
        f"telemetry: {{tracing: {{enabled: true, endpoint: 'http://127.0.0.1:{sink_port}', "
        f"sampler: {{ratio: {ratio}}}, batch: {{max_queue_size: 1000000}}}}}}"
    )
    return load_config_text(text).telemetry.tracing


async def _round(pipeline: Any, query: str, requests: int, variant: str, sink_port: int) -> float:
    from gateway.pipeline.types import GraphQLRequest

    request = GraphQLRequest(query=query, headers={})
    runtime = None
    if variant != "off":
        from gateway.telemetry import tracing

        runtime = tracing.install(_tracing_settings(variant, sink_port))  # set-up is not per request
    try:
        started = time.process_time()  # this process, every thread: request path + export thread
        for _ in range(requests):
            response = await pipeline.run(request)
            assert "errors" not in response.body, response.body
        if runtime is not None:
            runtime.processor.force_flush()  # export what is still queued: counted in the round
        spent = time.process_time() - started
    finally:
        if runtime is not None:
            await tracing.uninstall(runtime)
    return spent / requests


async def _pipelines(args: argparse.Namespace, subgraph_port: int, sink_port: int) -> dict[str, Any]:
    results: dict[str, Any] = {}
    variants = args.variants.split(",")
    pipelines = {v: _pipeline(v, subgraph_port, sink_port) for v in variants}
    for pipeline in pipelines.values():
        await pipeline.start()
    try:
        for name in args.queries.split(","):
            query = (DATA / f"{name}.graphql").read_text()
            rounds: dict[str, list[float]] = {v: [] for v in variants}
            for variant, pipeline in pipelines.items():  # warm-up: connections, caches
                await _round(pipeline, query, max(20, args.requests // 10), variant, sink_port)
            for _ in range(args.rounds):
                for variant, pipeline in pipelines.items():
                    rounds[variant].append(await _round(pipeline, query, args.requests, variant, sink_port))
            results[name] = {
                v: {"best_us": min(r) * 1e6, "median_us": statistics.median(r) * 1e6}
                for v, r in rounds.items()
            }
    finally:
        for pipeline in pipelines.values():
            await pipeline.close()
    return results


async def _middleware(variant: str, sink_port: int, calls: int = 20_000) -> float:
    """CPU seconds per request of the SERVER span middleware (0 when off: it is not installed)."""
    if variant == "off":
        return 0.0
    from aiohttp import web
    from aiohttp.test_utils import make_mocked_request

    from gateway.telemetry import tracing

    runtime = tracing.install(_tracing_settings(variant, sink_port))
    middleware = tracing.make_tracing_middleware("/graphql")
    request = make_mocked_request("POST", "/graphql", headers={"User-Agent": "bench"})
    answer = web.Response()

    async def handler(_request: web.Request) -> web.StreamResponse:
        return answer

    try:
        started = time.process_time()
        for _ in range(calls):
            await handler(request)
        bare = time.process_time() - started
        started = time.process_time()
        for _ in range(calls):
            await middleware(request, handler)
        runtime.processor.force_flush()
        spent = time.process_time() - started
    finally:
        await tracing.uninstall(runtime)
    return (spent - bare) / calls


def _off_points(calls: int = 1_000_000) -> dict[str, float]:
    """Nanoseconds that tracing's instrumentation points add when tracing is off: the ``run`` and ``send``
    dispatches (one ``ACTIVE`` check and one call each), the ``ACTIVE`` checks at prepare/plan/execute, and
    the ``trace is not None`` checks inside a fetch."""
    import timeit

    from gateway.config.model import Config
    from gateway.executor.execute import ExecutionEnvironment, _Run
    from gateway.pipeline.runner import GatewayPipeline
    from gateway.pipeline.types import GraphQLRequest
    from gateway.telemetry import tracing

    def best(stmt: str, names: dict[str, Any]) -> float:
        return min(timeit.repeat(stmt, globals=names, number=calls, repeat=5)) / calls * 1e9

    class Fetch:
        service = "s"

    pipeline = GatewayPipeline(Config())
    run = _Run(ExecutionEnvironment(None, {"s": None}, None), {}, lambda _s: {}, True, None)  # type: ignore[arg-type]
    names = {"p": pipeline, "r": run, "q": GraphQLRequest(query="{ a }", headers={}), "f": Fetch, "v": {}}
    names |= {"_tracing": tracing, "t": None}
    empty = best("pass", names)
    return {
        "run_dispatch_ns": best("c = p.run(q); c.close()", names) - best("c = p._run(q); c.close()", names),
        "active_check_ns": best("if _tracing.ACTIVE: pass", names) - empty,
        "send_dispatch_ns": best("c = r.send(f, v); c.close()", names)
        - best("c = r._send(f, v, None); c.close()", names),
        "local_check_ns": best("if t is not None: pass", names) - empty,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.tracing_overhead", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--queries", default="light,heavy")
    parser.add_argument("--variants", default="off,on-1.0,on-0.1")
    parser.add_argument(
        "--off-points", action="store_true", help="only time the instrumentation points (off)"
    )
    args = parser.parse_args(argv)
    if args.off_points:
        points = _off_points()
        light = points["run_dispatch_ns"] + 3 * points["active_check_ns"]
        per_fetch = points["send_dispatch_ns"] + 4 * points["local_check_ns"]
        points["light_request_ns"] = light + per_fetch  # 1 fetch
        points["heavy_request_ns"] = light + 13 * per_fetch  # 13 fetches
        print(json.dumps({k: round(v, 1) for k, v in points.items()}, indent=2))
        return
    subgraph_port, sink_port = _free_port(), _free_port()
    subgraphs = [sys.executable, "-m", "bench.subgraphs", "--port", str(subgraph_port)]
    sink = [sys.executable, "-m", "bench.otlp_sink", "--port", str(sink_port)]
    with _child(subgraphs, subgraph_port), _child(sink, sink_port):
        results: dict[str, Any] = asyncio.run(_pipelines(args, subgraph_port, sink_port))
        results["middleware_us"] = {
            v: asyncio.run(_middleware(v, sink_port)) * 1e6 for v in args.variants.split(",")
        }
    results["python"] = sys.version.split()[0]
    results["pid"] = os.getpid()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
