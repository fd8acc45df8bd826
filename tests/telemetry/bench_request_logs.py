"""Measures what request ids and the access log cost per request.

Why a script and not a test: timings on a shared machine are too noisy for a pass/fail threshold; the numbers
go into docs/telemetry.md. Run: ``.venv/bin/python -m tests.telemetry.bench_request_logs``.

1. The middleware alone, on a mocked request with a handler that returns at once, against that handler
   called bare: request ids (generated, or the client's validated), then with the access line (text and JSON,
   written to a real stream handler on /dev/null with the request-id filter).
2. The transport hook of one subgraph call, and the request-id filter of one log record.
3. End to end: the whole app (``create_app``) served on 127.0.0.1 by aiohttp, the benchmark's light query
   against a canned ``accounts`` subgraph in another process, ``ROUNDS`` x ``REQUESTS`` sequential requests
   per variant (ids off / ids on / ids + JSON access log), taken in turns in a random order; CPU time of
   this process (gateway and client: the client's share is the same for every variant), best round.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import random
import statistics
import time
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from gateway.app import create_app
from gateway.config.logging import LoggingConfig
from gateway.config.model import Config
from gateway.config.telemetry import TelemetryConfig
from gateway.pipeline.runner import GatewayPipeline
from gateway.telemetry.access import _outgoing, _request_id_on_prepared, make_request_middleware
from gateway.telemetry.logs import RequestIdFilter, make_handler
from gateway.telemetry.scope import CURRENT_SCOPE, RequestScope
from tests.support.ports import free_port
from tests.telemetry.bench_overhead import DATA, LIGHT, _serve_accounts

CALLS = 100_000
REQUESTS = 1000
ROUNDS = 11


def _per_call(function: Callable[[], Any], calls: int = CALLS) -> float:
    started = time.perf_counter()
    for _ in range(calls):
        function()
    return (time.perf_counter() - started) / calls


async def _middleware_cost(settings: LoggingConfig, access: bool, headers: dict[str, str]) -> float:
    middleware = make_request_middleware(settings, "/graphql", access)
    request = make_mocked_request("POST", "/graphql", headers=headers)

    async def handler(_request: web.Request) -> web.StreamResponse:
        return web.Response(body=b'{"data":{"a":1}}')

    calls = CALLS // 5 if access else CALLS
    started = time.perf_counter()
    for _ in range(calls):
        await handler(request)
    bare = time.perf_counter() - started
    started = time.perf_counter()
    for _ in range(calls):
        await middleware(request, handler)
    return (time.perf_counter() - started - bare) / calls


def _route_logs_to_devnull(settings: LoggingConfig) -> logging.Handler:
    root = logging.getLogger()
    for old in root.handlers[:]:
        root.removeHandler(old)
    handler = make_handler(settings, open(os.devnull, "w"))  # noqa: SIM115 - lives as long as the process
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return handler


async def _micro() -> dict[str, float]:
    ids = LoggingConfig()
    results = {
        "ids on, none sent (generated)": await _middleware_cost(ids, False, {}),
        "ids on, valid one sent": await _middleware_cost(ids, False, {"x-request-id": "a1b2c3d4-e5f6-7890"}),
    }
    hook = _request_id_on_prepared("x-request-id")
    request = make_mocked_request("POST", "/graphql")
    response = web.Response()
    started = time.perf_counter()
    for _ in range(CALLS):
        await hook(request, response)  # outside a request's scope, as for every response but a 408
    results["on_response_prepare hook, one response"] = (time.perf_counter() - started) / CALLS
    for fmt in ("text", "json"):
        settings = LoggingConfig(format=fmt, access_log=True)
        _route_logs_to_devnull(settings)
        results[f"ids + access line ({fmt})"] = await _middleware_cost(settings, True, {})
    scope = RequestScope("a1b2c3d4e5f6", "x-request-id")
    token = CURRENT_SCOPE.set(scope)
    try:
        results["transport hook, one subgraph call"] = _per_call(lambda: _outgoing({}))
        record = logging.LogRecord("x", logging.INFO, __file__, 1, "m", None, None)
        request_filter = RequestIdFilter()

        def filtered() -> None:
            record.request_id = None
            request_filter.filter(record)

        results["request-id filter, one log record"] = _per_call(filtered)
    finally:
        CURRENT_SCOPE.reset(token)
    return results


def _config(port: int, logging_config: LoggingConfig) -> Config:
    return Config(
        override_subgraph_url=MappingProxyType({"accounts": f"http://127.0.0.1:{port}/accounts"}),
        telemetry=TelemetryConfig(logging=logging_config),
    )


async def _end_to_end(accounts_port: int) -> dict[str, list[float]]:
    variants = {
        "ids off": LoggingConfig(request_id=False),
        "ids on (default)": LoggingConfig(),
        "ids + JSON access log": LoggingConfig(format="json", access_log=True),
    }
    _route_logs_to_devnull(variants["ids + JSON access log"])
    runners: dict[str, tuple[web.AppRunner, str]] = {}
    for name, settings in variants.items():
        config = _config(accounts_port, settings)
        pipeline = GatewayPipeline(config)
        pipeline.load_supergraph((DATA / "supergraph.graphql").read_text())
        runner = web.AppRunner(create_app(config, pipeline), access_log=None)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        runners[name] = (runner, f"http://127.0.0.1:{port}/graphql")
    results: dict[str, list[float]] = {name: [] for name in variants}
    payload = {"query": LIGHT}
    try:
        async with aiohttp.ClientSession() as session:

            async def round_of(url: str) -> float:
                started = time.process_time()
                for _ in range(REQUESTS):
                    async with session.post(url, json=payload) as response:
                        await response.read()
                        assert response.status == 200
                return (time.process_time() - started) / REQUESTS

            for _runner, url in runners.values():
                await round_of(url)  # warm-up: connections, plan cache
            names = list(runners)
            for _ in range(ROUNDS):
                random.shuffle(names)  # no variant always runs first (or after the same one)
                for name in names:
                    results[name].append(await round_of(runners[name][1]))
    finally:
        for runner, _url in runners.values():
            await runner.cleanup()
    return results


def main() -> None:
    micro = asyncio.run(_micro())
    print("micro-benchmarks (wall time per call, the bare handler subtracted):")
    for name, seconds in micro.items():
        print(f"  {name:40s} {seconds * 1e6:6.2f} us")
    port = free_port()
    server = multiprocessing.get_context("fork").Process(target=_serve_accounts, args=(port,), daemon=True)
    server.start()
    try:
        time.sleep(1.0)
        results = asyncio.run(_end_to_end(port))
    finally:
        server.terminate()
        server.join(5)
    base = min(results["ids off"])
    print(
        f"end to end over HTTP ({ROUNDS} rounds x {REQUESTS} sequential requests, CPU of gateway + client):"
    )
    for name, times in results.items():
        best = min(times)
        print(
            f"  {name:24s} best {best * 1e6:7.1f} us/request ({(best - base) * 1e6:+6.1f} us), "
            f"median {statistics.median(times) * 1e6:7.1f} us"
        )


if __name__ == "__main__":
    main()
