"""The HTTP shell every subgraph shares: the GraphQL view, ``GET /health`` and the command line.

Why: the three services differ only in schema, database and per-request context; wiring aiohttp, parsing
``--port/--host/--db`` and answering health checks the same way keeps each subgraph's ``app.py`` and
``__main__.py`` to a few lines.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import web
from strawberry.aiohttp.views import GraphQLView
from strawberry.federation import Schema

from subgraphs.common.sqlite import MEMORY
from subgraphs.common.tracing import tracing_from_env

ContextFactory = Callable[[web.Request, web.StreamResponse], Any]


class SubgraphView(GraphQLView):
    """Strawberry's aiohttp view with a per-request context built by the subgraph.

    Why a factory: DataLoaders must live exactly one request, so they are created in ``get_context``
    rather than at import time.
    """

    def __init__(self, schema: Schema, context_factory: ContextFactory) -> None:
        super().__init__(schema=schema, graphql_ide=None)
        self._context_factory = context_factory

    async def get_context(self, request: web.Request, response: web.StreamResponse) -> Any:
        """Build this request's context (database handle, fresh loaders, caller identity)."""
        return self._context_factory(request, response)


def build_app(
    name: str,
    schema: Schema,
    context_factory: ContextFactory,
    on_cleanup: Callable[[], None],
) -> web.Application:
    """An aiohttp app serving ``/graphql`` and ``/health`` for the subgraph ``name``; with a span per GraphQL
    request when the OpenTelemetry environment variables ask for traces (``subgraphs.common.tracing``)."""
    tracing = tracing_from_env(name)
    app = web.Application(middlewares=[tracing.middleware()] if tracing is not None else [])

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "subgraph": name})

    async def cleanup(_app: web.Application) -> None:
        on_cleanup()
        if tracing is not None:
            await tracing.close()  # queued spans are exported before the process exits

    app.router.add_route("*", "/graphql", SubgraphView(schema, context_factory))
    app.router.add_get("/health", health)
    app.on_cleanup.append(cleanup)
    return app


def parse_args(name: str, default_port: int, argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse ``--port``, ``--host`` and ``--db`` for ``python -m subgraphs.<name>``."""
    parser = argparse.ArgumentParser(prog=f"python -m subgraphs.{name}", description=f"The {name} subgraph.")
    parser.add_argument("--port", type=int, default=default_port, help=f"TCP port (default {default_port})")
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--db", default=MEMORY, help="SQLite file path, or :memory: (the default)")
    return parser.parse_args(argv)


def serve(
    name: str,
    default_port: int,
    create_app: Callable[[str], web.Application],
    argv: Sequence[str] | None = None,
) -> None:
    """Run one subgraph until interrupted; prints the bound address so scripts can wait for it."""
    args = parse_args(name, default_port, argv)
    app = create_app(args.db)
    web.run_app(
        app,
        host=args.host,
        port=args.port,
        print=lambda _msg: print(
            f"{name} subgraph listening on http://{args.host}:{args.port}/graphql", flush=True
        ),
    )
