"""Real federated subgraph servers for end-to-end tests: any SDL, data-driven resolvers, request log, faults.

Why: a gateway is only proven by talking HTTP to real subgraphs. Each subgraph here is an aiohttp server on
127.0.0.1 with an ephemeral port, executing with graphql-core against the schema built by
:mod:`tests.support.subgraph_schema`. Every request is recorded (body and headers) so tests can count subgraph
fetches and ``_entities`` calls, and faults (HTTP 500/503/429, malformed or non-GraphQL bodies, delay, a hang,
a connection closed before or in the middle of the answer, server down) can be injected per subgraph, switched
at run time and limited to the first K requests, to test failure handling, retries and circuit breakers.

Use :func:`running_subgraphs` (async) or :class:`tests.support.kit_thread.SubgraphKitThread` (sync tests).
"""

from __future__ import annotations

import asyncio
import json
import time
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

FaultKind = Literal[
    "http_500",
    "http_503",
    "http_429",
    "malformed_json",
    "garbage",
    "wrong_shape",
    "entities_wrong_length",
    "graphql_error",
    "delay",
    "hang",
    "close",
    "reset_mid_body",
    "down",
]


@dataclass(frozen=True, slots=True)
class SubgraphSpec:
    """One subgraph to serve: its name, its SDL and how it resolves."""

    name: str
    sdl: str
    resolvers: Resolvers = field(default_factory=Resolvers)


@dataclass(frozen=True, slots=True)
class Fault:
    """A failure to inject into one subgraph's answers.

    ``kind``: ``http_500`` (a 500 with a text body), ``http_503`` / ``http_429`` (that status with a text body
    and, when ``retry_after`` is set, a ``Retry-After`` header), ``malformed_json`` (200 with a truncated JSON
    body), ``garbage`` (200 with a body that is not JSON at all), ``wrong_shape`` (200 with a JSON object that
    has neither ``data`` nor ``errors``), ``entities_wrong_length`` (executes normally, then drops the last
    entity of every ``_entities`` list; other requests are answered normally), ``graphql_error`` (200 with
    ``{"data": null, "errors": [...]}`` and an error without a path), ``delay`` (answer normally after
    ``delay_seconds``), ``hang`` (never answer: the handler waits until the fault is changed or the kit
    closes), ``close`` (drop the connection without an answer), ``reset_mid_body`` (send the status, headers
    with a ``Content-Length`` and part of the body, then close the connection), ``down`` (the server stops
    listening; see :meth:`SubgraphKit.set_fault`).
    ``delay_seconds``: for every kind but ``down``, wait this long before the fault acts (``delay`` then
    answers normally).
    ``only_entities``: affect only ``_entities`` requests (root fetches still work).
    ``times``: affect only the first ``times`` matching requests after the fault is set, then answer normally
    (``None``: every request). Not applicable to ``down``.
    """

    kind: FaultKind
    delay_seconds: float = 0.0
    only_entities: bool = False
    retry_after: str | None = None
    times: int | None = None


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request a subgraph received."""

    subgraph: str
    body: dict[str, Any]
    headers: dict[str, str]
    # time.monotonic() when the request arrived (to measure gaps between retries)
    received_at: float = 0.0
    # the fault applied to this request, if any
    fault: str | None = None

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
    fault_hits: int = 0  # requests the current fault has been applied to (for ``Fault.times``)
    # set when the current fault is replaced or the kit closes: ends every ``hang``
    release: asyncio.Event | None = None


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
        """Stop every subgraph server (hanging answers are released first)."""
        for subgraph in self._subgraphs.values():
            if subgraph.release is not None:
                subgraph.release.set()
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

    def fault_hits(self, name: str) -> int:
        """How many requests the current fault of subgraph ``name`` has been applied to."""
        return self._subgraphs[name].fault_hits

    # --- faults -----------------------------------------------------------------------------------
    async def set_fault(self, name: str, fault: Fault | None) -> None:
        """Inject (or clear, with ``None``) a fault. ``down`` stops the server; clearing it restarts it.

        ``down`` closes every open connection too, so a gateway's pooled keep-alive connection cannot reach
        the old server; the restart reuses the same port. Any change releases the requests a ``hang`` holds
        (they are then answered normally) and restarts the ``times`` count.
        """
        subgraph = self._subgraphs[name]
        if subgraph.release is not None:
            subgraph.release.set()
        subgraph.release = asyncio.Event()
        subgraph.fault_hits = 0
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
            headers = {k.lower(): v for k, v in request.headers.items()}
            fault = subgraph.fault
            is_entities = "_entities" in str(body.get("query") or "")
            if (
                fault is not None
                and (not fault.only_entities or is_entities)
                and (fault.times is None or subgraph.fault_hits < fault.times)
            ):
                subgraph.fault_hits += 1
            else:
                fault = None
            recorded = RecordedRequest(
                subgraph.spec.name, body, headers, time.monotonic(), fault.kind if fault else None
            )
            self.log.append(recorded)
            if fault is not None:
                early = await _apply_fault(fault, request, subgraph.release)
                if early is not None:
                    return early
            result, executed = await _execute(subgraph, body, recorded.headers)
            formatted = _format(result, executed)
            if fault is not None and fault.kind == "entities_wrong_length":
                _drop_last_entity(formatted)
            return web.json_response(formatted)

        return handle


async def _apply_fault(
    fault: Fault, request: web.Request, release: asyncio.Event | None
) -> web.StreamResponse | None:
    if fault.delay_seconds > 0 and fault.kind != "delay":
        await asyncio.sleep(fault.delay_seconds)
    if fault.kind == "http_500":
        return web.Response(status=500, text="Internal Server Error (injected fault)")
    if fault.kind in ("http_503", "http_429"):
        status = 503 if fault.kind == "http_503" else 429
        headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else None
        return web.Response(status=status, text=f"injected {status}", headers=headers)
    if fault.kind == "malformed_json":
        return web.Response(status=200, text='{"data": {"broken', content_type="application/json")
    if fault.kind == "garbage":
        return web.Response(status=200, text="<html>definitely not GraphQL</html>", content_type="text/html")
    if fault.kind == "wrong_shape":
        return web.json_response({"result": {"hello": "world"}, "status": "ok"})
    if fault.kind == "hang":
        if release is not None:
            await release.wait()
        return None
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
    if fault.kind == "reset_mid_body":
        body = b'{"data": {"partial": "answer that never ends'
        response = web.StreamResponse(status=200, headers={"Content-Type": "application/json"})
        response.content_length = len(body) + 4096
        await response.prepare(request)
        await response.write(body)
        await asyncio.sleep(0.02)  # let the client read the status line, headers and the first bytes
        transport = request.transport
        if transport is not None:
            transport.close()
        return response  # aiohttp cannot finish it: the connection is already closed
    return None


def _drop_last_entity(formatted: dict[str, Any]) -> None:
    """Drop the last entity of every ``_entities`` list (plain or aliased ``_N`` in a contextual fetch)."""
    data = formatted.get("data")
    if isinstance(data, dict):
        for key, value in data.items():
            if key.startswith("_") and isinstance(value, list) and value:
                data[key] = value[:-1]


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
