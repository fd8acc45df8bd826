"""Draining: how a serving process stops without dropping a request it accepted.

Why: an orchestrator (Kubernetes, systemd, the ``--workers`` supervisor) stops a process with SIGTERM and
expects every request already sent to it to be answered. aiohttp's own shutdown closes idle keep-alive
connections at once, which races with a client that is writing its next request on one of them (the client
sees a reset: a dropped request). So on SIGTERM the process:

1. marks itself draining: ``/health/ready`` answers 503 from now on, and every response carries
   ``Connection: close``, so a client finishing a request never reuses that connection;
2. closes its listening sockets (new connections are refused, and a load balancer moves on);
3. gives the open keep-alive connections a grace (``IDLE_GRACE``, at most half of ``server.shutdown_timeout``)
   to carry one last request (answered, then closed by the client's ``Connection: close``); the wait ends as
   soon as no connection is left;
4. lets aiohttp close what is still open: idle connections now, connections with a request in flight once
   it is answered or the rest of ``server.shutdown_timeout`` has passed (then the request is cancelled).

The process then closes the pipeline (its subgraph connection pool) and exits 0.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

from aiohttp import hdrs, web

log = logging.getLogger("gateway.serve")

# How long open keep-alive connections may take to carry one last request after SIGTERM. Clients under load
# send it within milliseconds; a connection idle that long is closed (an HTTP/1.1 client must be ready for
# the server closing an idle connection).
IDLE_GRACE = 1.0
_POLL = 0.01


def split_shutdown_timeout(shutdown_timeout: float) -> tuple[float, float]:
    """``(idle grace, the runner's shutdown timeout)``: together ``server.shutdown_timeout``, so a request in
    flight at SIGTERM gets that long to finish, counted from the signal."""
    grace = min(IDLE_GRACE, shutdown_timeout / 2)
    return grace, shutdown_timeout - grace


class DrainState:
    """Whether this process is draining; set once, when it was told to stop."""

    __slots__ = ("draining",)

    def __init__(self) -> None:
        self.draining = False


ResponseHook = Callable[[web.Request, web.StreamResponse], Awaitable[None]]


def close_connections_when_draining(state: DrainState) -> ResponseHook:
    """An ``on_response_prepare`` hook: while draining, each response asks the client to close (so it never
    sends another request on a connection the server is about to close)."""

    async def hook(_request: web.Request, response: web.StreamResponse) -> None:
        if state.draining:
            response.force_close()
            response.headers[hdrs.CONNECTION] = "close"  # the header is computed before this hook runs

    return hook


async def drain(runner: web.BaseRunner, state: DrainState, idle_grace: float = IDLE_GRACE) -> None:
    """Stop serving through ``runner`` as described in the module docstring; returns once everything is
    closed (after at most ``idle_grace`` + the runner's shutdown timeout + the app's cleanup)."""
    state.draining = True
    for site in list(runner.sites):
        await site.stop()
    server = runner.server
    loop = asyncio.get_running_loop()
    deadline = loop.time() + idle_grace
    # Polled: aiohttp signals no event when a connection closes.
    while server is not None and server.connections and loop.time() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(_POLL)
    left = len(server.connections) if server is not None else 0
    log.info("draining: %d connection(s) open after the grace; closing idle ones, waiting for the rest", left)
    await runner.cleanup()
