"""Carries the operation kind of the current client request from the pipeline to the HTTP metrics middleware.

Why: the request counter is labelled by operation kind, which only the pipeline knows (after parsing), while
the HTTP status and the full duration are only known to the HTTP layer (after negotiation, timeouts and error
shaping). The shared ``GraphQLRequest``/``GraphQLResponse`` contract must not grow a telemetry field, so the
middleware opens a small mutable slot in a context variable and the pipeline writes the kind into it. A slot
object (not ``ContextVar.set`` by the pipeline) keeps working if the handler ever runs the pipeline in a
child task, whose context is a copy.
"""

from __future__ import annotations

from contextvars import ContextVar

from gateway.telemetry.catalogue import OperationKind


class RequestScope:
    """What the pipeline learned about the request that the HTTP layer labels its metrics with."""

    __slots__ = ("operation_kind",)

    def __init__(self) -> None:
        self.operation_kind: OperationKind = "none"


CURRENT_SCOPE: ContextVar[RequestScope | None] = ContextVar("gateway_request_scope", default=None)


def note_operation_kind(kind: OperationKind) -> None:
    """Record the operation kind for the enclosing HTTP request (no-op outside one, e.g. in-process runs)."""
    scope = CURRENT_SCOPE.get()
    if scope is not None:
        scope.operation_kind = kind
