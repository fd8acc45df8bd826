"""Serve the four benchmark subgraphs from one fast Python process.

Usage: ``python -m bench.subgraphs [--host 127.0.0.1] [--port 4200]``; subgraphs answer POST at
``/accounts``, ``/inventory``, ``/products`` and ``/reviews``.

Why it is built this way: the benchmark measures gateways, so the subgraphs must never be the bottleneck.
Each response is memoized by (path, exact request body bytes) -- fair, because a real subgraph's cost is
not the gateway's -- so after the first request of a kind a subgraph call costs one dict lookup, and the
server is aiohttp's low-level server (no router, no middleware, no access log). Cache misses are executed
for real by graphql-core against schemas built from the benchmark SDLs.

Harness endpoints: ``GET /__stats`` returns how many GraphQL requests each subgraph received (memo hits
included) and ``POST /__reset`` zeroes the counters, so the harness can report subgraph requests per client
request.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web
from graphql import GraphQLSchema, graphql_sync

if __package__ in (None, ""):  # run as a script (python bench/x.py): make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.federation_schema import build_subgraph_schema
from bench.subgraph_data import DATA_DIR, SUBGRAPH_NAMES, definitions

_JSON = "application/json"


class SubgraphServer:
    """Dispatches by path, memoizes GraphQL responses, counts requests."""

    def __init__(self, schemas: Mapping[str, GraphQLSchema]) -> None:
        self._schemas = {f"/{name}": schema for name, schema in schemas.items()}
        self._memo: dict[tuple[str, bytes], bytes] = {}
        self.counts: dict[str, int] = dict.fromkeys(schemas, 0)

    async def handle(self, request: web.BaseRequest) -> web.Response:
        path = request.path
        if request.method == "POST" and path in self._schemas:
            body = await request.read()
            self.counts[path[1:]] += 1
            key = (path, body)
            answer = self._memo.get(key)
            if answer is None:
                answer = self._execute(self._schemas[path], body)
                self._memo[key] = answer
            return web.Response(body=answer, content_type=_JSON)
        if path == "/__stats" and request.method == "GET":
            stats = {**self.counts, "total": sum(self.counts.values()), "memoized": len(self._memo)}
            return web.Response(body=orjson.dumps(stats), content_type=_JSON)
        if path == "/__reset" and request.method == "POST":
            self.counts = dict.fromkeys(self.counts, 0)
            return web.Response(body=b'{"ok":true}', content_type=_JSON)
        return web.Response(status=404, body=b'{"errors":[{"message":"not found"}]}', content_type=_JSON)

    @staticmethod
    def _execute(schema: GraphQLSchema, body: bytes) -> bytes:
        try:
            payload = orjson.loads(body)
        except orjson.JSONDecodeError:
            return orjson.dumps({"errors": [{"message": "request body is not JSON"}]})
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return orjson.dumps({"errors": [{"message": "request needs a string 'query'"}]})
        result = graphql_sync(
            schema,
            payload["query"],
            variable_values=payload.get("variables"),
            operation_name=payload.get("operationName"),
        )
        return orjson.dumps(result.formatted)


def build_server() -> SubgraphServer:
    schemas = {d.name: build_subgraph_schema(d) for d in definitions(DATA_DIR)}
    assert tuple(schemas) == SUBGRAPH_NAMES
    return SubgraphServer(schemas)


async def serve(host: str, port: int) -> None:
    app = build_server()
    server = web.Server(app.handle, access_log=None)
    runner = web.ServerRunner(server)
    await runner.setup()
    site = web.TCPSite(runner, host, port, backlog=1024)
    await site.start()
    print(f"subgraphs ready on http://{host}:{port}/<{'|'.join(SUBGRAPH_NAMES)}>", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4200)
    args: Any = parser.parse_args(argv)
    asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
