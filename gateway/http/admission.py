"""Gateway-wide admission of GraphQL requests (``traffic_shaping.router``): load shedding.

Why: past its capacity a gateway that takes every request gets slower for all of them (work piles up in the
event loop until every request times out). Refusing the excess at once keeps latency bounded for the admitted
requests and tells clients when to come back: at most ``max_concurrent_requests`` GraphQL requests run at
once in this process, up to ``queue_size`` more wait (first come, first served) up to ``queue_timeout`` for a
slot, and anything beyond is answered 503 ``SERVICE_OVERLOADED`` with ``Retry-After`` without being read or
run.

A slot is held for the whole handler (body read, pipeline, response), so a slow upload counts too, and a batch
is one request. Only the GraphQL route is wrapped: health checks and ``/metrics`` must keep answering while
the gateway sheds. With no limit (``max_concurrent_requests: 0``) the handler is not wrapped at all.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from aiohttp import web
from aiohttp.typedefs import Handler

from gateway.config.resilience import RouterTrafficConfig
from gateway.errors import SERVICE_OVERLOADED
from gateway.http.negotiation import APPLICATION_JSON, negotiate
from gateway.http.serialize import error_response
from gateway.transport.limits import ConcurrencyLimiter

_MESSAGE = "The gateway is overloaded; retry later."


class AdmissionGate:
    """A ``ConcurrencyLimiter`` (the same slot hand-over in arrival order as the per-subgraph bound) in front
    of the GraphQL handler: requests that get no slot are answered 503 at once."""

    __slots__ = ("_limiter", "_on_shed", "_queue_timeout", "_retry_after")

    def __init__(self, config: RouterTrafficConfig, on_shed: Callable[[], None] | None = None) -> None:
        if config.max_concurrent_requests < 1:
            raise ValueError("an admission gate needs max_concurrent_requests >= 1")
        self._limiter = ConcurrencyLimiter(
            config.max_concurrent_requests, config.queue_timeout, max_waiters=config.queue_size
        )
        self._queue_timeout = config.queue_timeout
        self._retry_after = str(max(1, math.ceil(config.retry_after)))
        self._on_shed = on_shed

    @property
    def active(self) -> int:
        """Requests holding a slot now."""
        return self._limiter.in_flight

    @property
    def waiting(self) -> int:
        """Requests waiting for a slot now."""
        return len(self._limiter.waiters)

    def wrap(self, handler: Handler) -> Handler:
        """``handler`` behind this gate."""
        limiter = self._limiter

        async def admitted(request: web.Request) -> web.StreamResponse:
            # the fast path (a free slot, nobody waiting) is one comparison and an increment, no await
            if not limiter.try_acquire() and not await limiter.acquire(self._queue_timeout):
                return self._shed(request)
            try:
                return await handler(request)
            finally:
                limiter.release()

        return admitted

    def _shed(self, request: web.Request) -> web.StreamResponse:
        if self._on_shed is not None:
            self._on_shed()
        media_type = negotiate(request.headers.get("Accept")) or APPLICATION_JSON
        return error_response(
            503, _MESSAGE, SERVICE_OVERLOADED, media_type, headers={"Retry-After": self._retry_after}
        )


def admission_controlled(
    handler: Handler, config: RouterTrafficConfig, on_shed: Callable[[], None] | None = None
) -> Handler:
    """``handler`` behind an ``AdmissionGate``, or ``handler`` itself when there is no limit (zero cost)."""
    if config.max_concurrent_requests == 0:
        return handler
    return AdmissionGate(config, on_shed).wrap(handler)
