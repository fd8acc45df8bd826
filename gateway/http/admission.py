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

import asyncio
import math
from collections import deque
from collections.abc import Callable

from aiohttp import web
from aiohttp.typedefs import Handler

from gateway.config.resilience import RouterTrafficConfig
from gateway.errors import SERVICE_OVERLOADED
from gateway.http.negotiation import APPLICATION_JSON, negotiate
from gateway.http.serialize import error_response

_MESSAGE = "The gateway is overloaded; retry later."


class AdmissionGate:
    """Counts the requests running and hands freed slots to waiting requests in arrival order.

    Everything runs on the event loop's thread, so plain integers and a deque need no lock; the fast path
    (a free slot, nobody waiting) is one comparison and an increment, without an ``await``.
    """

    __slots__ = ("_active", "_limit", "_on_shed", "_queue_size", "_queue_timeout", "_retry_after", "_waiters")

    def __init__(self, config: RouterTrafficConfig, on_shed: Callable[[], None] | None = None) -> None:
        if config.max_concurrent_requests < 1:
            raise ValueError("an admission gate needs max_concurrent_requests >= 1")
        self._limit = config.max_concurrent_requests
        self._queue_size = config.queue_size
        self._queue_timeout = config.queue_timeout
        self._retry_after = str(max(1, math.ceil(config.retry_after)))
        self._on_shed = on_shed
        self._active = 0
        # Only requests still waiting: a waiter leaves on hand-over, expiry or cancellation.
        self._waiters: deque[asyncio.Future[bool]] = deque()

    @property
    def active(self) -> int:
        """Requests holding a slot now."""
        return self._active

    @property
    def waiting(self) -> int:
        """Requests waiting for a slot now."""
        return len(self._waiters)

    def wrap(self, handler: Handler) -> Handler:
        """``handler`` behind this gate."""

        async def admitted(request: web.Request) -> web.StreamResponse:
            if self._active < self._limit and not self._waiters:
                self._active += 1
            elif not await self._wait():
                return self._shed(request)
            try:
                return await handler(request)
            finally:
                self._release()

        return admitted

    async def _wait(self) -> bool:
        """Queue for a slot: ``True`` once one was handed over, ``False`` to shed (queue full, timed out)."""
        if len(self._waiters) >= self._queue_size:
            return False
        loop = asyncio.get_running_loop()
        waiter: asyncio.Future[bool] = loop.create_future()
        self._waiters.append(waiter)
        timer = loop.call_later(self._queue_timeout, self._expire, waiter)
        try:
            return await waiter
        except asyncio.CancelledError:  # the client went away (or the server is stopping)
            if waiter.done() and not waiter.cancelled() and waiter.result():
                self._release()  # a slot was handed over just before the cancellation: pass it on
            else:
                self._discard(waiter)
            raise
        finally:
            timer.cancel()

    def _expire(self, waiter: asyncio.Future[bool]) -> None:
        if not waiter.done():
            self._discard(waiter)
            waiter.set_result(False)

    def _discard(self, waiter: asyncio.Future[bool]) -> None:
        try:
            self._waiters.remove(waiter)
        except ValueError:
            pass

    def _release(self) -> None:
        """Free a slot: hand it to the oldest waiter (the count stays), or give it back."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(True)
                return
        self._active -= 1

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
