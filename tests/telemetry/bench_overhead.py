"""Measures what metrics cost per request: the light query through the pipeline, with and without metrics.

Why a script and not a test: timings on a shared 2-core machine are too noisy for a pass/fail threshold; the
numbers go into docs/telemetry.md. Run: ``.venv/bin/python -m tests.telemetry.bench_overhead``.

Set-up: the benchmark supergraph (bench/data), a canned ``accounts`` subgraph in a child process (fixed JSON
bytes, so its cost does not dilute the gateway's), two ``GatewayPipeline``s (metrics on / off) run in-process
by turns, ``ROUNDS`` x ``REQUESTS`` sequential requests each, timed in CPU time of this process (the
gateway's work); the best round per variant is reported (the least disturbed by other processes). On a shared
machine that difference is within noise, so two direct measurements follow: the facade calls one light request
makes (operation kind, plan cache, one subgraph call, request finished), and the HTTP metrics middleware.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import statistics
import time
from pathlib import Path
from types import MappingProxyType

import orjson
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from gateway.config.model import Config
from gateway.config.telemetry import MetricsConfig, TelemetryConfig
from gateway.pipeline.runner import GatewayPipeline
from gateway.pipeline.types import GraphQLRequest
from gateway.telemetry.http import make_metrics_middleware
from gateway.telemetry.metrics import PrometheusMetrics
from tests.support.ports import free_port

DATA = Path(__file__).resolve().parents[2] / "bench" / "data"
REQUESTS = 1000
ROUNDS = 9
LIGHT = (DATA / "light.graphql").read_text()


def _serve_accounts(port: int) -> None:
    users = json.loads((DATA / "data.json").read_text())["USERS"]
    body = orjson.dumps({"data": {"users": users}})

    async def handle(_request: web.Request) -> web.Response:
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_post("/accounts", handle)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def _pipeline(enabled: bool, port: int) -> GatewayPipeline:
    config = Config(
        override_subgraph_url=MappingProxyType({"accounts": f"http://127.0.0.1:{port}/accounts"}),
        telemetry=TelemetryConfig(metrics=MetricsConfig(enabled=enabled)),
    )
    pipeline = GatewayPipeline(config)
    pipeline.load_supergraph((DATA / "supergraph.graphql").read_text())
    return pipeline


async def _round(pipeline: GatewayPipeline) -> float:
    request = GraphQLRequest(query=LIGHT, headers={})
    started = time.process_time()  # this process's CPU: the gateway's work, not the subgraph's or waiting
    for _ in range(REQUESTS):
        response = await pipeline.run(request)
        assert "errors" not in response.body, response.body
    return (time.process_time() - started) / REQUESTS


async def _pipelines(port: int) -> dict[str, list[float]]:
    variants = {"metrics off": _pipeline(False, port), "metrics on": _pipeline(True, port)}
    for pipeline in variants.values():
        await pipeline.start()
    results: dict[str, list[float]] = {name: [] for name in variants}
    try:
        for pipeline in variants.values():
            await _round(pipeline)  # warm-up: connections, plan cache
        for _ in range(ROUNDS):
            for name, pipeline in variants.items():
                results[name].append(await _round(pipeline))
    finally:
        for pipeline in variants.values():
            await pipeline.close()
    return results


async def _middleware(calls: int = 100_000) -> float:
    """Seconds per request added by the HTTP metrics middleware (scope + timing + counter + histogram)."""
    middleware = make_metrics_middleware(PrometheusMetrics(), "/graphql")
    request = make_mocked_request("POST", "/graphql")
    answer = web.Response()

    async def handler(_request: web.Request) -> web.StreamResponse:
        return answer

    started = time.perf_counter()
    for _ in range(calls):
        await handler(request)
    bare = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(calls):
        await middleware(request, handler)
    return (time.perf_counter() - started - bare) / calls


def _facade_calls(calls: int = 100_000) -> float:
    """Seconds per request spent in the facade calls a light request makes (the middleware's own excluded)."""
    metrics = PrometheusMetrics()
    started = time.perf_counter()
    for _ in range(calls):
        metrics.operation_kind("query")
        metrics.plan_cache(True)
        metrics.subgraph_request("accounts", "success", 0.0004)
        metrics.request_finished("query", 200, 0.0008)
    return (time.perf_counter() - started) / calls


def main() -> None:
    port = free_port()
    server = multiprocessing.get_context("fork").Process(target=_serve_accounts, args=(port,), daemon=True)
    server.start()
    try:
        time.sleep(1.0)
        results = asyncio.run(_pipelines(port))
        middleware = asyncio.run(_middleware())
        facade = _facade_calls()
    finally:
        server.terminate()
        server.join(5)
    best = {name: min(times) for name, times in results.items()}
    for name, times in results.items():
        print(
            f"{name:12s} best {best[name] * 1e6:7.1f} us/request, "
            f"median {statistics.median(times) * 1e6:7.1f} us CPU/request over {ROUNDS} rounds of {REQUESTS}"
        )
    added = best["metrics on"] - best["metrics off"]
    print(f"pipeline overhead: {added * 1e6:+.1f} us/request ({added / best['metrics off'] * 100:+.1f}%)")
    print(f"HTTP middleware:   {middleware * 1e6:+.2f} us/request (request_finished included)")
    share = facade / best["metrics off"] * 100
    print(f"facade calls of one light request: {facade * 1e6:.2f} us ({share:.1f}% of the pipeline's CPU)")


if __name__ == "__main__":
    main()
