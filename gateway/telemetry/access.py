"""Request ids and the access log: the outermost middleware of the GraphQL path.

Request id: the client's ``telemetry.logging.request_id_header`` (``x-request-id``) when it is valid (1 to 128
characters of ``A-Z a-z 0-9 . _ : -``: what request-id generators produce - UUIDs, hex, ULIDs,
``<host>:<n>`` - and nothing that could split a header or a log line), else 32 random hex digits; an invalid
value is replaced, never echoed. It is held in the request's ``RequestScope`` (``gateway.telemetry.scope``),
so every log line written while the request is handled carries it (``gateway.telemetry.logs``), it is set
on every response of the GraphQL path (errors, CSRF refusals, 413/415, 504 timeouts, 503 shedding included:
this middleware is outside all of them), and it is sent to subgraphs by a transport hook
(``OUTGOING_HEADER_HOOKS``, outside the coalescing key). A coalesced subgraph call runs in its first caller's
task: the subgraph sees that caller's id, once, and the requests that shared the call log no call of their
own.

Access log: one line per request on the GraphQL path (health checks and scrapes are not traffic), written when
the handler has produced the answer (``duration_ms`` covers reading the body, the pipeline and serialization,
not the transmission of the bytes). The pipeline hands its ``RequestContext`` to the scope
(``note_request_context``), which gives the client (JWT subject or API key client id, never a credential),
the operation and the cost; the transport hook counts the real HTTP calls made to subgraphs (retries
included); the error codes are read back from the response body, so they are the ones the client got,
whichever layer answered. The sha256 of the document is computed once per prepared operation.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import orjson
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from gateway.config.logging import LoggingConfig
from gateway.config.model import Config
from gateway.telemetry.logs import ACCESS_LOGGER, AccessEntry
from gateway.telemetry.scope import CURRENT_SCOPE, RequestScope, enter_scope
from gateway.transport.client import OUTGOING_HEADER_HOOKS

CLIENT_CLOSED_REQUEST = 499
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:\-]{1,128}")

access_log = logging.getLogger(ACCESS_LOGGER)


def new_request_id() -> str:
    """32 random hex digits (128 bits from the OS's CSPRNG: unique without coordination between workers)."""
    return os.urandom(16).hex()


def request_id_from(value: str | None) -> str:
    """The client's id when valid, else a new one."""
    if value is not None and VALID_REQUEST_ID.fullmatch(value) is not None:
        return value
    return new_request_id()


def access_log_enabled(config: Config) -> bool:
    """``telemetry.logging.access_log``, or the older ``server.access_log`` switch."""
    return config.telemetry.logging.access_log or config.server.access_log


# ---- subgraph calls --------------------------------------------------------------------------------------


def _outgoing(headers: dict[str, str]) -> None:
    """Transport hook, once per real HTTP call to a subgraph: count it and send the request id."""
    scope = CURRENT_SCOPE.get()
    if scope is not None:
        scope.subgraph_calls += 1
        request_id = scope.request_id
        if request_id is not None:
            headers[scope.request_id_header or "x-request-id"] = request_id


_hook_users = 0


@contextlib.asynccontextmanager
async def _hook_lifetime(_app: web.Application) -> AsyncIterator[None]:
    """Registers ``_outgoing`` while at least one app that needs it runs (apps share the module's list)."""
    global _hook_users
    if _outgoing not in OUTGOING_HEADER_HOOKS:
        OUTGOING_HEADER_HOOKS.append(_outgoing)
    _hook_users += 1
    try:
        yield
    finally:
        _hook_users -= 1
        if _hook_users == 0 and _outgoing in OUTGOING_HEADER_HOOKS:
            OUTGOING_HEADER_HOOKS.remove(_outgoing)


# ---- the access line -------------------------------------------------------------------------------------


class AccessLog:
    """Builds and writes one access line per request."""

    @staticmethod
    def document_hash(ctx: Any) -> str | None:
        query = getattr(ctx.request, "query", None)
        if not query:
            return None
        prepared = ctx.prepared
        if prepared is None:  # refused before (or while) preparing: rare, hashed each time
            return hashlib.sha256(query.encode()).hexdigest()
        return str(prepared.document_hash)  # computed once per prepared operation

    def operation(self, ctx: Any) -> dict[str, Any]:
        prepared = ctx.prepared
        name = None
        kind = None
        if prepared is not None:
            node = prepared.operation.name
            name = node.value if node is not None else None
            kind = prepared.kind
        else:
            name = getattr(ctx.request, "operation_name", None)
        return {"operation_name": name, "operation_type": kind, "document_hash": self.document_hash(ctx)}

    def write(
        self,
        request: web.Request,
        scope: RequestScope,
        status: int,
        response: web.StreamResponse | None,
        seconds: float,
    ) -> None:
        contexts = scope.contexts or ()
        fields: dict[str, Any] = {
            "request_id": scope.request_id,
            "method": request.method,
            "path": request.path,
            "status": status,
            "duration_ms": round(seconds * 1000, 3),
            "client": next(filter(None, map(_client, contexts)), None),
        }
        if len(contexts) == 1:
            fields.update(self.operation(contexts[0]))
            fields["cost"] = _cost(contexts[0])
        elif contexts:  # a batch: one line, each operation in `batch`
            fields.update(operation_name=None, operation_type=None, document_hash=None, cost=None)
            fields["batch"] = [{**self.operation(ctx), "cost": _cost(ctx)} for ctx in contexts]
        else:  # answered before the pipeline ran (CSRF, 413/415, GraphiQL page, shedding) or no pipeline
            fields.update(operation_name=None, operation_type=None, document_hash=None, cost=None)
        fields["subgraph_calls"] = scope.subgraph_calls
        fields["error_codes"] = _error_codes(response)
        access_log.info(AccessEntry(f"{request.method} {request.path} {status}", fields))


def _client(ctx: Any) -> str | None:
    """Who called: the JWT subject or the API key's client id (never a token or a key)."""
    principal = ctx.principal
    if principal is None or not getattr(principal, "authenticated", False):
        return None
    return getattr(principal, "subject", None) or getattr(principal, "client_id", None)


def _cost(ctx: Any) -> dict[str, Any] | None:
    numbers = ctx.store.get("cost")  # gateway.demand.plugin.STORE_KEY
    if not isinstance(numbers, dict):
        return None
    return {"estimated": numbers.get("estimated"), "actual": numbers.get("actual")}


def _error_codes(response: web.StreamResponse | None) -> list[str]:
    """The distinct ``extensions.code`` values of the response body (a batch's entries included). A body
    without ``"errors"`` is not decoded."""
    body = getattr(response, "body", None)
    if not isinstance(body, bytes) or b'"errors"' not in body:
        return []
    try:
        decoded = orjson.loads(body)
    except orjson.JSONDecodeError:
        return []
    codes: list[str] = []
    for entry in decoded if isinstance(decoded, list) else (decoded,):
        errors = entry.get("errors") if isinstance(entry, dict) else None
        for error in errors if isinstance(errors, list) else ():
            extensions = error.get("extensions") if isinstance(error, dict) else None
            code = extensions.get("code") if isinstance(extensions, dict) else None
            if isinstance(code, str) and code not in codes:
                codes.append(code)
    return codes


# ---- the middleware --------------------------------------------------------------------------------------


def make_request_middleware(settings: LoggingConfig, graphql_path: str, access: bool) -> Middleware:
    """Request ids (``settings.request_id``) and the access log (``access``) on ``graphql_path``."""
    header = settings.request_id_header
    ids = settings.request_id
    writer = AccessLog() if access else None
    if access and access_log.getEffectiveLevel() > logging.INFO:
        access_log.setLevel(logging.INFO)  # asking for access lines is asking for them, whatever the level
    perf_counter = time.perf_counter

    @web.middleware
    async def request_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.path != graphql_path:
            return await handler(request)
        request_id = request_id_from(request.headers.get(header)) if ids else None
        scope, token = enter_scope()  # one scope per request, whichever telemetry middleware opens it
        scope.request_id = request_id
        scope.request_id_header = header
        if writer is not None:
            scope.contexts = []
        started = perf_counter()
        status = 500
        response: web.StreamResponse | None = None
        try:
            response = await handler(request)
            status = response.status
            if request_id is not None and not response.prepared:
                response.headers[header] = request_id
            return response
        except web.HTTPException as exc:
            status = exc.status
            if request_id is not None:
                exc.headers[header] = request_id
            raise
        except asyncio.CancelledError:
            status = CLIENT_CLOSED_REQUEST
            raise
        finally:
            if writer is not None:
                try:
                    writer.write(request, scope, status, response, perf_counter() - started)
                except Exception:  # an access line must never fail the request
                    logging.getLogger("gateway.telemetry").exception("writing the access line failed")
            if token is not None:
                CURRENT_SCOPE.reset(token)

    return request_middleware


def _request_id_on_prepared(header: str) -> Any:
    """``on_response_prepare``: the id on responses a handler sends itself (the 408 of a slow body is
    prepared inside the handler, before the middleware could add the header)."""

    async def on_prepare(_request: web.Request, response: web.StreamResponse) -> None:
        scope = CURRENT_SCOPE.get()
        if scope is not None and scope.request_id is not None:
            response.headers[header] = scope.request_id

    return on_prepare


def request_middleware_for(config: Config) -> Middleware | None:
    """The middleware for ``config`` (to put first, outermost), or ``None`` when request ids and the access
    log are both off."""
    settings = config.telemetry.logging
    access = access_log_enabled(config)
    if not settings.request_id and not access:
        return None
    return make_request_middleware(settings, config.server.graphql_path, access)


def install_hooks(app: web.Application, config: Config) -> None:
    """What the middleware needs besides itself: the request id on responses prepared inside the handler,
    and the transport hook (forwarding the id, counting subgraph calls) while the app runs."""
    settings = config.telemetry.logging
    if not settings.request_id and not access_log_enabled(config):
        return
    if settings.request_id:
        app.on_response_prepare.append(_request_id_on_prepared(settings.request_id_header))
    app.cleanup_ctx.append(_hook_lifetime)
