"""What one client request's telemetry needs from the layers below the HTTP middleware.

Why: the request counter is labelled by operation kind, which only the pipeline knows (after parsing), while
the HTTP status and the full duration are only known to the HTTP layer (after negotiation, timeouts and error
shaping). Likewise the access log needs the principal, the operation and the cost (pipeline), and the number
of subgraph calls (transport). The shared ``GraphQLRequest``/``GraphQLResponse`` contract must not grow a
telemetry field, so the outermost telemetry middleware opens a small mutable slot in a context variable and
the layers below write into it. A slot object (not ``ContextVar.set`` by the pipeline) keeps working if the
handler ever runs the pipeline in a child task, whose context is a copy; a coalesced subgraph call runs in a
task created by its first caller, so it sees (and is counted for) that caller's scope.

The same slot carries the request id (``gateway.telemetry.logs``): log records read it through a logging
filter, subgraph calls through the transport's outgoing-header hook, and tracing through
``current_request_id()``.
"""

from __future__ import annotations

from contextvars import ContextVar, Token
from typing import Any

from gateway.telemetry.catalogue import OperationKind


class RequestScope:
    """What the layers of one client request learned, for the HTTP layer's metrics and access log."""

    __slots__ = ("contexts", "operation_kind", "request_id", "request_id_header", "subgraph_calls")

    def __init__(self, request_id: str | None = None, request_id_header: str | None = None) -> None:
        self.operation_kind: OperationKind = "none"
        # The request's id (None when request ids are off) and the header that carries it to subgraphs.
        self.request_id = request_id
        self.request_id_header = request_id_header
        # Real HTTP calls made to subgraphs for this request (retries included, coalesced followers none).
        self.subgraph_calls = 0
        # The pipeline's RequestContext of each operation run (several for a batch), kept only when the
        # access log wants them (a list) and not otherwise (None).
        self.contexts: list[Any] | None = None


CURRENT_SCOPE: ContextVar[RequestScope | None] = ContextVar("gateway_request_scope", default=None)


def note_operation_kind(kind: OperationKind) -> None:
    """Record the operation kind for the enclosing HTTP request (no-op outside one, e.g. in-process runs)."""
    scope = CURRENT_SCOPE.get()
    if scope is not None:
        scope.operation_kind = kind


def note_request_context(ctx: Any) -> None:
    """Keep the pipeline's ``RequestContext`` for the access log (no-op unless the access log is on)."""
    scope = CURRENT_SCOPE.get()
    if scope is not None and scope.contexts is not None:
        scope.contexts.append(ctx)


def current_request_id() -> str | None:
    """The id of the client request being handled, or ``None`` (outside a request, or request ids off)."""
    scope = CURRENT_SCOPE.get()
    return None if scope is None else scope.request_id


def enter_scope() -> tuple[RequestScope, Token[RequestScope | None] | None]:
    """The current request's scope, and the token to reset when this caller opened it.

    Whichever telemetry middleware runs first (tracing, request ids / access log, metrics: each may be off)
    opens the one scope of the request; the others join it. Only the opener resets the variable.
    """
    scope = CURRENT_SCOPE.get()
    if scope is not None:
        return scope, None
    scope = RequestScope()
    return scope, CURRENT_SCOPE.set(scope)
