"""Real federated subgraph servers for end-to-end tests: any SDL, data-driven resolvers, request log, faults.

Why: a gateway is only proven by talking HTTP to real subgraphs. Each subgraph here is an aiohttp server on
127.0.0.1 with an ephemeral port, executing with graphql-core against the schema built by
:mod:`tests.support.subgraph_schema`. Every request is recorded (body and headers) so tests can count subgraph
fetches and ``_entities`` calls, and faults (HTTP 500, malformed JSON, delay, closed connection, server
down) can be injected per subgraph to test failure handling.

Use :func:`running_subgraphs` (async) or :class:`tests.support.kit_thread.SubgraphKitThread` (sync tests).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

from aiohttp import web
from graphql import (
    ExecutionResult,
    FieldNode,
    GraphQLError,
    Visitor,
    execute,
    parse,
    validate,
    value_from_ast_untyped,
    visit,
)

from tests.support.subgraph_schema import Resolvers, SubgraphSchema, build_subgraph_schema

FaultKind = Literal["http_500", "malformed_json", "graphql_error", "delay", "close", "down"]


@dataclass(frozen=True, slots=True)
class SubgraphSpec:
    """One subgraph to serve: its name, its SDL and how it resolves."""

    name: str
    sdl: str
    resolvers: Resolvers = field(default_factory=Resolvers)


@dataclass(frozen=True, slots=True)
class Fault:
    """A failure to inject into one subgraph's answers.

    ``kind``: ``http_500`` (a 500 with a text body), ``malformed_json`` (200 with a truncated JSON body),
    ``graphql_error`` (200 with ``{"data": null, "errors": [...]}`` and an error without a path),
    ``delay`` (answer normally after ``delay_seconds``), ``close`` (drop the connection without an answer),
    ``down`` (the server stops listening; see :meth:`SubgraphKit.set_fault`).
    ``only_entities``: affect only ``_entities`` requests (root fetches still work).
    """

    kind: FaultKind
    delay_seconds: float = 0.0
    only_entities: bool = False


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request a subgraph received."""

    subgraph: str
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def query(self) -> str:
        return str(self.body.get("query") or "")

    @property
    def is_entities(self) -> bool:
        """True for an ``_entities`` fetch (it carries representations)."""
        return "_entities" in self.query

    @property
    def representations(self) -> list[Any]:
        """The representations of every ``_entities`` field, whatever the variable is called."""
        return _representations_of(self.query, self.body.get("variables"))


def _representations_of(query: str, variables: Any) -> list[Any]:
    if "_entities" not in query:
        return []
    try:
        document = parse(query)
    except GraphQLError:
        return []
    found: list[Any] = []

    class Finder(Visitor):
        def enter_field(self, node: FieldNode, *_args: Any) -> None:
            if node.name.value != "_entities":
                return
            for argument in node.arguments or ():
                if argument.name.value == "representations":
                    value = value_from_ast_untyped(
                        argument.value, variables if isinstance(variables, dict) else None
                    )
                    if isinstance(value, list):
                        found.extend(value)

    visit(document, Finder())
    return found


@dataclass(slots=True)
class _Subgraph:
    spec: SubgraphSpec
    built: SubgraphSchema
    port: int = 0
    runner: web.AppRunner | None = None
    fault: Fault | None = None


class SubgraphKit:
    """A set of running subgraphs that share one request log."""

    def __init__(self) -> None:
        self._subgraphs: dict[str, _Subgraph] = {}
        self.log: list[RecordedRequest] = []

    # --- lifecycle --------------------------------------------------------------------------------
    async def start(self, specs: Sequence[SubgraphSpec]) -> dict[str, str]:
        """Build and start every subgraph; return ``{name: url}``."""
        for spec in specs:
            if spec.name in self._subgraphs:
                raise ValueError(f"subgraph {spec.name} started twice")
            self._subgraphs[spec.name] = _Subgraph(spec, build_subgraph_schema(spec.sdl, spec.resolvers))
        for name in [s.name for s in specs]:
            await self._listen(self._subgraphs[name])
        return self.urls

    async def close(self) -> None:
        """Stop every subgraph server."""
        for subgraph in self._subgraphs.values():
            await self._stop(subgraph)

    async def _listen(self, subgraph: _Subgraph) -> None:
        app = web.Application()
        app.router.add_post("/graphql", self._handler(subgraph))
        runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", subgraph.port, reuse_address=True)
        await site.start()
        if subgraph.port == 0:
            server = site._server  # the only way aiohttp exposes the bound port
            assert server is not None
            subgraph.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        subgraph.runner = runner

    async def _stop(self, subgraph: _Subgraph) -> None:
        if subgraph.runner is not None:
            runner, subgraph.runner = subgraph.runner, None
            await runner.cleanup()

    # --- inspection -------------------------------------------------------------------------------
    @property
    def urls(self) -> dict[str, str]:
        return {name: self.url(name) for name in self._subgraphs}

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self._subgraphs[name].port}/graphql"

    def requests(self, name: str | None = None) -> list[RecordedRequest]:
        """Recorded requests, all or for one subgraph, oldest first."""
        return [r for r in self.log if name is None or r.subgraph == name]

    def entity_requests(self, name: str | None = None) -> list[RecordedRequest]:
        return [r for r in self.requests(name) if r.is_entities]

    def clear_log(self) -> None:
        self.log.clear()

    # --- faults -----------------------------------------------------------------------------------
    async def set_fault(self, name: str, fault: Fault | None) -> None:
        """Inject (or clear, with ``None``) a fault. ``down`` stops the server; clearing it restarts it.

        ``down`` closes every open connection too, so a gateway's pooled keep-alive connection cannot reach
        the old server; the restart reuses the same port.
        """
        subgraph = self._subgraphs[name]
        previous, subgraph.fault = subgraph.fault, fault
        if fault is not None and fault.kind == "down":
            await self._stop(subgraph)
        elif previous is not None and previous.kind == "down" and subgraph.runner is None:
            await self._listen(subgraph)

    async def clear_faults(self) -> None:
        for name in self._subgraphs:
            await self.set_fault(name, None)

    # --- serving ----------------------------------------------------------------------------------
    def _handler(self, subgraph: _Subgraph) -> Any:
        async def handle(request: web.Request) -> web.StreamResponse:
            raw = await request.read()
            try:
                body = json.loads(raw)
            except ValueError:
                return web.json_response({"errors": [{"message": "request body is not JSON"}]}, status=400)
            if not isinstance(body, dict):
                return web.json_response(
                    {"errors": [{"message": "request body must be an object"}]}, status=400
                )
            recorded = RecordedRequest(
                subgraph.spec.name, body, {k.lower(): v for k, v in request.headers.items()}
            )
            self.log.append(recorded)
            fault = subgraph.fault
            if fault is not None and (not fault.only_entities or recorded.is_entities):
                early = await _apply_fault(fault, request)
                if early is not None:
                    return early
            result, executed = await _execute(subgraph, body, recorded.headers)
            return web.json_response(_format(result, executed))

        return handle


async def _apply_fault(fault: Fault, request: web.Request) -> web.StreamResponse | None:
    if fault.kind == "http_500":
        return web.Response(status=500, text="Internal Server Error (injected fault)")
    if fault.kind == "malformed_json":
        return web.Response(status=200, text='{"data": {"broken', content_type="application/json")
    if fault.kind == "graphql_error":
        error = {"message": "injected subgraph failure", "extensions": {"code": "INJECTED"}}
        return web.json_response({"data": None, "errors": [error]})
    if fault.kind == "delay":
        await asyncio.sleep(fault.delay_seconds)
        return None
    if fault.kind == "close":
        transport = request.transport
        if transport is not None:
            transport.abort()
        return web.Response(status=500)  # never reaches the client: the connection is already gone
    return None


async def _execute(
    subgraph: _Subgraph, body: dict[str, Any], headers: dict[str, str]
) -> tuple[ExecutionResult, bool]:
    """Run one request; the flag says whether execution started (so ``data`` belongs in the response)."""
    query = body.get("query")
    if not isinstance(query, str):
        return ExecutionResult(None, [GraphQLError("request has no query string")]), False
    try:
        document = parse(query)
    except GraphQLError as error:
        return ExecutionResult(None, [error]), False
    schema = subgraph.built.schema
    errors = validate(schema, document)
    if errors:
        return ExecutionResult(None, errors), False
    context = {"headers": headers, "subgraph": subgraph.spec.name}
    result = execute(
        schema,
        document,
        context_value=context,
        variable_values=body.get("variables") or None,
        operation_name=body.get("operationName"),
    )
    if asyncio.iscoroutine(result) or asyncio.isfuture(result):
        result = await result
    assert isinstance(result, ExecutionResult)
    return result, True


def _format(result: ExecutionResult, executed: bool) -> dict[str, Any]:
    response: dict[str, Any] = {}
    if result.errors:
        response["errors"] = [error.formatted for error in result.errors]
    if executed:
        response["data"] = result.data
    return response


@asynccontextmanager
async def running_subgraphs(specs: Sequence[SubgraphSpec]) -> AsyncIterator[SubgraphKit]:
    """Start subgraphs for the duration of a ``with`` block; ``kit.urls`` maps names to URLs."""
    kit = SubgraphKit()
    try:
        await kit.start(specs)
        yield kit
    finally:
        await kit.close()
