"""Run a query plan: start each fetch once its dependencies are merged, merge results in the request task.

Why a DAG walk: a fetch waits only for the fetches it needs, never for unrelated siblings; and because every
merge runs synchronously between awaits in this one task, the response tree needs no locks.
One ``_entities`` request per fetch node whatever the list sizes (no N+1), with duplicate representations
sent once; identical concurrent queries (not mutations) are coalesced through the ``InFlightMap``.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import orjson

from gateway.config.model import ALWAYS_KEPT_EXTENSIONS, SubgraphErrorRules
from gateway.errors import DOWNSTREAM_SERVICE_ERROR, SUBREQUEST_MALFORMED_RESPONSE, FormattedError, make_error
from gateway.executor.dedup import InFlightMap
from gateway.executor.merge import (
    collect_object_paths,
    collect_objects,
    collect_objects_with_ancestors,
    deep_merge,
)
from gateway.executor.representations import build_representation, context_value
from gateway.planner.nodes import UNRESOLVED_TYPENAME, FetchNode, QueryPlan
from gateway.telemetry import tracing as _tracing
from gateway.transport.client import DEFAULT_MAX_RESPONSE_BYTES, SubgraphFetchError, decode_response
from gateway.transport.resilience import ResilientTransport, SubgraphGuard

if TYPE_CHECKING:
    from gateway.telemetry.tracing_sdk import FetchTrace

_INCLUDE_ERRORS = SubgraphErrorRules()


@dataclass(frozen=True, slots=True)
class SubgraphEndpoint:
    """Per-subgraph execution settings, resolved from config once per schema generation."""

    name: str
    url: str
    guard: SubgraphGuard
    timeout: float = 30.0
    deduplicate: bool = True
    # what of the subgraph's own errors reaches clients (include_subgraph_errors, resolved once)
    errors: SubgraphErrorRules = _INCLUDE_ERRORS
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES


@dataclass(slots=True)
class ExecutionEnvironment:
    """Shared, long-lived parts: the transport, the in-flight map, the endpoints."""

    transport: ResilientTransport
    endpoints: dict[str, SubgraphEndpoint]
    inflight: InFlightMap


HeadersFor = Callable[[str], Mapping[str, str]]

_REDACTED = "Subgraph errors redacted"

# Error extension keys that carry stack traces or exception objects, compared lower-cased without "_" and
# "-": Apollo Server (``exception`` with ``stacktrace`` inside, ``stacktrace``), graphql-js
# (``originalError``), Node (``stack``), .NET / Hot Chocolate (``stackTrace``, ``exception``,
# ``innerException``), Java and others (``trace``), Ruby (``backtrace``), Python (``traceback``). Dropped at
# any depth unless in development mode: they describe the subgraph's code and servers, never something a
# client should act on.
_STACK_TRACE_KEYS = frozenset(
    {
        "exception",
        "exceptions",
        "innerexception",
        "originalerror",
        "stacktrace",
        "stack",
        "trace",
        "backtrace",
        "traceback",
    }
)
# Extension values nested deeper than this are dropped rather than walked (a subgraph controls the depth).
_MAX_EXTENSION_DEPTH = 32


def _is_stack_trace(key: str) -> bool:
    return key.lower().replace("_", "").replace("-", "") in _STACK_TRACE_KEYS


def _without_stack_traces(value: Any, depth: int) -> Any:
    """A copy of ``value`` (an extension's value) without stack-trace keys at any depth."""
    if isinstance(value, dict):
        if depth >= _MAX_EXTENSION_DEPTH:
            return None
        return {
            k: _without_stack_traces(v, depth + 1)
            for k, v in value.items()
            if not (isinstance(k, str) and _is_stack_trace(k))
        }
    if isinstance(value, list):
        if depth >= _MAX_EXTENSION_DEPTH:
            return None
        return [_without_stack_traces(v, depth + 1) for v in value]
    return value


class _Run:
    __slots__ = ("data", "deadline", "env", "errors", "headers_for", "retryable", "variables")

    def __init__(
        self,
        env: ExecutionEnvironment,
        variables: Mapping[str, Any],
        headers_for: HeadersFor,
        retryable: bool,
        deadline: float | None,
    ) -> None:
        self.env = env
        self.variables = variables
        self.headers_for = headers_for
        # only the fetches of a query plan may be repeated (never anything of a mutation plan)
        self.retryable = retryable
        self.deadline = deadline  # loop time by which the client request must be answered
        self.data: dict[str, Any] = {}
        self.errors: dict[int, list[FormattedError]] = {}

    def send(self, fetch: FetchNode, variables: dict[str, Any]) -> Awaitable[dict[str, Any]]:
        """One subgraph fetch (awaitable): the decoded response. With tracing on, inside its CLIENT span."""
        if _tracing.ACTIVE:
            return _tracing.fetch(self._send, fetch, variables, self.env.endpoints[fetch.service])
        return self._send(fetch, variables, None)

    async def _send(
        self, fetch: FetchNode, variables: dict[str, Any], trace: FetchTrace | None
    ) -> dict[str, Any]:
        endpoint = self.env.endpoints[fetch.service]
        payload: dict[str, Any] = {"query": fetch.operation}
        if fetch.operation_name:
            payload["operationName"] = fetch.operation_name
        if variables:
            payload["variables"] = variables
        body = orjson.dumps(payload)
        headers = self.headers_for(fetch.service)
        transport = self.env.transport
        led = False

        def call() -> Any:
            nonlocal led
            led = True
            return transport.call(
                endpoint.guard,
                body,
                headers,
                endpoint.timeout,
                self.retryable,
                self.deadline,
                endpoint.max_response_bytes,
            )

        if endpoint.deduplicate and fetch.operation_kind == "query":
            key = (endpoint.url, body, tuple(sorted(headers.items())))
            if trace is not None:
                trace.joining(key)
            try:
                status, reason, raw, decoded = await self.env.inflight.run(key, call)
            finally:
                if not led:  # an identical call was already in flight: this fetch shared it (metrics)
                    transport.metrics.subgraph_coalesced(fetch.service)
                if trace is not None:
                    trace.coalesced = not led
            if trace is not None:
                trace.status = status
            if not led:
                # the leader's decoded tree is the leader's: every waiter decodes its own copy (trees are
                # mutated while merging and must never be shared between client requests)
                return decode_response(fetch.service, status, reason, raw)
            return decoded  # type: ignore[no-any-return]
        status, _, _, decoded = await call()
        if trace is not None:
            trace.status = status
        return decoded  # type: ignore[no-any-return]

    def fail(self, fetch: FetchNode, error: SubgraphFetchError, path: list[str | int] | None) -> None:
        extensions: dict[str, Any] = {"service": fetch.service}
        if error.status is not None:
            extensions["http"] = {"status": error.status}
        if error.attempts > 1:
            extensions["attempts"] = error.attempts
        self.errors.setdefault(fetch.id, []).append(
            make_error(error.message, error.code, path=path, extensions=extensions)
        )

    def subgraph_error(self, fetch: FetchNode, raw: Any, path: list[str | int] | None) -> FormattedError:
        """One error a subgraph answered, as the client sees it: filtered by the subgraph's
        ``include_subgraph_errors`` policy, ``extensions.code`` (the subgraph's, else
        ``DOWNSTREAM_SERVICE_ERROR``) and ``extensions.service`` always set, stack traces dropped."""
        rules = self.env.endpoints[fetch.service].errors
        raw = raw if isinstance(raw, dict) else {"message": str(raw)}
        given = raw.get("extensions")
        code: Any = None
        extensions: dict[str, Any] = {}
        if isinstance(given, dict) and given:
            code = given.get("code")
            allow = rules.allow
            deny = rules.deny
            strip = not rules.keep_stack_traces
            for key, value in given.items():
                if key in ALWAYS_KEPT_EXTENSIONS or key in deny or (allow is not None and key not in allow):
                    continue
                if strip:
                    if _is_stack_trace(key):
                        continue
                    if isinstance(value, dict | list):
                        value = _without_stack_traces(value, 1)
                extensions[key] = value
        extensions["service"] = fetch.service
        if rules.redact_message:
            message = _REDACTED
        else:
            message = raw.get("message") if isinstance(raw.get("message"), str) else "Subgraph error"
        if not (isinstance(code, str) and code):
            code = DOWNSTREAM_SERVICE_ERROR
        return make_error(message, code, path=path, extensions=extensions)

    async def run_root(self, fetch: FetchNode) -> None:
        if fetch.conditions is not None and not fetch.needed(self.variables):  # type: ignore[arg-type]
            return
        variables = {name: self.variables[name] for name in fetch.variable_usages if name in self.variables}
        try:
            response = await self.send(fetch, variables)
        except SubgraphFetchError as error:
            self.fail(fetch, error, None)
            return
        data = response.get("data")
        if isinstance(data, dict):
            deep_merge(self.data, data)
        elif data is not None:
            self.fail(fetch, _malformed(fetch.service, "'data' is not an object"), None)
        for raw in response.get("errors") or ():
            path = raw.get("path") if isinstance(raw, dict) else None
            self.errors.setdefault(fetch.id, []).append(
                self.subgraph_error(fetch, raw, list(path) if isinstance(path, list) else None)
            )

    async def run_entities(self, fetch: FetchNode) -> None:
        if fetch.conditions is not None and not fetch.needed(self.variables):  # type: ignore[arg-type]
            return
        if fetch.contexts:
            await self.run_contextual(fetch)
            return
        requirements = fetch.requirement_map()
        objects = collect_objects(self.data, fetch.path)
        representations: list[dict[str, Any]] = []
        index_of: dict[Any, int] = {}
        targets: list[tuple[dict[str, Any], int]] = []
        # Objects sent as an @interfaceObject (representation typename = the interface) keep their concrete
        # __typename: the interface name the subgraph answers with must not overwrite it.
        keep_typename: set[int] = set()
        # objects whose concrete type this fetch is to tell (see EntityRequirement.resolves_abstract)
        resolving: set[int] = set()
        for obj in objects:
            typename = obj.get("__typename")
            requirement = requirements.get(typename)  # type: ignore[arg-type]
            if requirement is None:
                continue
            reads = requirement.flat_reads
            key: Any = None
            if reads is not None:
                try:
                    key = (requirement.rep_typename, *[obj[read] for read in reads])
                    index = index_of.get(key)
                except KeyError:
                    continue  # a key field is missing: its fetch failed, the object cannot be represented
                except TypeError:
                    key = None  # an unhashable key value (object/list): fall back to the general path
            if key is None:
                representation = build_representation(obj, requirement)
                if representation is None:
                    continue
                key = orjson.dumps(representation)
                index = index_of.get(key)
                if index is None:
                    index = len(representations)
                    index_of[key] = index
                    representations.append(representation)
            elif index is None:
                representation = build_representation(obj, requirement)
                if representation is None:
                    continue
                index = len(representations)
                index_of[key] = index
                representations.append(representation)
            targets.append((obj, index))
            if requirement.rep_typename != typename:
                keep_typename.add(id(obj))
            elif requirement.resolves_abstract:
                resolving.add(id(obj))
        if not representations:
            return
        variables: dict[str, Any] = {
            name: self.variables[name] for name in fetch.variable_usages if name in self.variables
        }
        variables["representations"] = representations
        try:
            response = await self.send(fetch, variables)
        except SubgraphFetchError as error:
            self.fail(fetch, error, self._first_path(fetch))
            return
        data = response.get("data")
        entities = data.get("_entities") if isinstance(data, dict) else None
        if isinstance(entities, list) and len(entities) == len(representations):
            for obj, index in targets:
                entity = entities[index]
                if isinstance(entity, dict):
                    deep_merge(obj, entity, id(obj) not in keep_typename)
                elif entity is None and id(obj) in resolving:
                    obj["__typename"] = UNRESOLVED_TYPENAME
        elif entities is not None or not response.get("errors"):
            self.fail(
                fetch,
                _malformed(
                    fetch.service,
                    f"expected {len(representations)} entities in '_entities', got "
                    f"{len(entities) if isinstance(entities, list) else type(entities).__name__}",
                ),
                self._first_path(fetch),
            )
        raw_errors = response.get("errors") or ()
        if raw_errors:
            self._entity_errors(fetch, raw_errors, targets)

    async def run_contextual(self, fetch: FetchNode) -> None:
        """An entity fetch with @fromContext arguments: one aliased ``_entities`` per distinct set of context
        values, all in one request."""
        requirements = fetch.requirement_map()
        depths = frozenset(c.depth for c in fetch.contexts)
        groups: dict[bytes, tuple[int, list[Any], list[dict[str, Any]], dict[bytes, int]]] = {}
        targets: list[tuple[dict[str, Any], int, int]] = []
        keep_typename: set[int] = set()
        for obj, ancestors in collect_objects_with_ancestors(self.data, fetch.path, depths):
            typename = obj.get("__typename")
            requirement = requirements.get(typename)  # type: ignore[arg-type]
            if requirement is None:
                continue
            representation = build_representation(obj, requirement)
            if representation is None:
                continue
            values = [context_value(ancestors.get(c.depth), c.spec) for c in fetch.contexts]
            group_key = orjson.dumps(values)
            group = groups.get(group_key)
            if group is None:
                group = groups[group_key] = (len(groups), values, [], {})
            number, _, representations, index_of = group
            key = orjson.dumps(representation)
            index = index_of.get(key)
            if index is None:
                index = index_of[key] = len(representations)
                representations.append(representation)
            targets.append((obj, number, index))
            if requirement.rep_typename != typename:
                keep_typename.add(id(obj))
        if not groups:
            return
        variables: dict[str, Any] = {
            name: self.variables[name] for name in fetch.variable_usages if name in self.variables
        }
        definitions: list[str] = []
        bodies: list[str] = []
        selection = fetch.entities_selection or "{__typename}"
        for number, values, representations, _ in groups.values():
            definitions.append(f"$representations_{number}:[_Any!]!")
            variables[f"representations_{number}"] = representations
            text = selection
            for context, value in zip(fetch.contexts, values, strict=True):
                definitions.append(f"${context.variable}_{number}:{context.type}")
                variables[f"{context.variable}_{number}"] = value
                text = re.sub(rf"\${context.variable}\b", f"${context.variable}_{number}", text)
            bodies.append(f"_{number}:_entities(representations:$representations_{number}){text}")
        if fetch.client_variables_text:
            definitions.append(fetch.client_variables_text)
        operation = f"query({','.join(definitions)}){{{' '.join(bodies)}}}"
        try:
            response = await self.send(replace(fetch, operation=operation, operation_name=None), variables)
        except SubgraphFetchError as error:
            self.fail(fetch, error, self._first_path(fetch))
            return
        data = response.get("data")
        if isinstance(data, dict):
            for obj, number, index in targets:
                entities = data.get(f"_{number}")
                if isinstance(entities, list) and index < len(entities) and isinstance(entities[index], dict):
                    deep_merge(obj, entities[index], id(obj) not in keep_typename)
        for raw in response.get("errors") or ():
            self.errors.setdefault(fetch.id, []).append(
                self.subgraph_error(fetch, raw, self._first_path(fetch))
            )

    def _first_path(self, fetch: FetchNode) -> list[str | int] | None:
        prefix: list[str | int] = []
        for segment in fetch.path:
            if segment == "@":
                break
            prefix.append(segment)
        return prefix or None

    def _entity_errors(
        self, fetch: FetchNode, raw_errors: Any, targets: list[tuple[dict[str, Any], int]]
    ) -> None:
        paths_by_object: dict[int, list[str | int]] = {
            id(obj): where for obj, where in collect_object_paths(self.data, fetch.path)
        }
        objects_by_index: dict[int, list[dict[str, Any]]] = {}
        for obj, index in targets:
            objects_by_index.setdefault(index, []).append(obj)
        out = self.errors.setdefault(fetch.id, [])
        for raw in raw_errors:
            path = raw.get("path") if isinstance(raw, dict) else None
            if (
                isinstance(path, list)
                and len(path) >= 2
                and path[0] == "_entities"
                and isinstance(path[1], int)
                and path[1] in objects_by_index
            ):
                for obj in objects_by_index[path[1]]:
                    where = paths_by_object.get(id(obj))
                    out.append(
                        self.subgraph_error(fetch, raw, [*where, *path[2:]] if where is not None else None)
                    )
            else:
                out.append(self.subgraph_error(fetch, raw, self._first_path(fetch)))

    async def run_fetch(self, fetch: FetchNode, done: dict[int, asyncio.Future[None]]) -> None:
        try:
            if fetch.depends_on:
                await asyncio.gather(*(done[d] for d in fetch.depends_on))
            if fetch.requires is None:
                await self.run_root(fetch)
            else:
                await self.run_entities(fetch)
        finally:
            future = done[fetch.id]
            if not future.done():
                future.set_result(None)


def _malformed(service: str, detail: str) -> SubgraphFetchError:
    return SubgraphFetchError(
        service,
        SUBREQUEST_MALFORMED_RESPONSE,
        f"HTTP fetch failed from '{service}': invalid response: {detail}",
    )


async def execute_plan(
    plan: QueryPlan,
    env: ExecutionEnvironment,
    variables: Mapping[str, Any],
    headers_for: HeadersFor,
    deadline: float | None = None,
) -> tuple[dict[str, Any], list[FormattedError]]:
    """Execute every fetch of the plan; returns the merged data and the errors in plan order.

    ``deadline`` (event-loop time) is when the client request must be answered: no subgraph call is given
    more than what is left of it."""
    run = _Run(env, variables, headers_for, plan.operation_kind == "query", deadline)
    fetches = plan.fetches
    if len(fetches) == 1:
        fetch = fetches[0]
        await (run.run_root(fetch) if fetch.requires is None else run.run_entities(fetch))
    elif fetches:
        loop = asyncio.get_running_loop()
        done: dict[int, asyncio.Future[None]] = {f.id: loop.create_future() for f in fetches}
        await asyncio.gather(*(run.run_fetch(f, done) for f in fetches))
    errors: list[FormattedError] = []
    for fetch_id in sorted(run.errors):
        errors.extend(run.errors[fetch_id])
    return run.data, errors
