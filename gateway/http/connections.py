"""Client connections at the socket level: header-read timeout, a cap on open connections, and
GraphQL-shaped answers to requests aiohttp cannot parse (431 for oversized headers).

Why here and not in a middleware: all three happen before aiohttp has a request to hand to the app. A
connection that sends half its headers and stalls (slowloris) never reaches a handler, so no
``asyncio.timeout`` in the app can close it; aiohttp's own keep-alive timer only closes it after
``keepalive_timeout``. A request whose headers are too large is answered by aiohttp's protocol with a
plain-text 400 and an ERROR log line with a traceback, for what is ordinary hostile traffic.

``GatewayRequestHandler`` is aiohttp's ``RequestHandler`` (the per-connection protocol) with:

* a header timer, armed when the connection opens and when the first bytes of a request arrive on a
  kept-alive connection, disarmed as soon as aiohttp has parsed a complete request head. When it fires while
  the protocol is still waiting for a request head, the connection is closed (with a 408 JSON answer if part
  of a request had arrived). A whole request arriving in one read never arms it.
* ``handle_error`` answering JSON with an ``extensions.code`` (431, 414 or 400) and logging client mistakes
  at debug level, at most once per interval, instead of an ERROR with a traceback.
* counting itself in a shared ``ConnectionTracker``: ``connection_factory`` refuses a connection beyond
  ``server.max_connections`` with a canned 503 and closes it, so a flood of sockets cannot exhaust file
  descriptors or memory.

The protocol is built from the runner's ``Server`` (same keyword arguments aiohttp would use), so everything
else aiohttp does per connection (keep-alive, pipelining, handler cancellation) is unchanged.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from collections.abc import Callable
from typing import Any, cast

import orjson
from aiohttp import web
from aiohttp.http_exceptions import LineTooLong
from aiohttp.web_protocol import RequestHandler, _ErrInfo

from gateway.config.model import ServerConfig
from gateway.errors import (
    BAD_REQUEST,
    INTERNAL_SERVER_ERROR,
    REQUEST_HEADER_FIELDS_TOO_LARGE,
    REQUEST_TIMEOUT,
    SERVICE_OVERLOADED,
    URI_TOO_LONG,
)
from gateway.http.serialize import error_response
from gateway.telemetry.metrics import NOOP_METRICS, Metrics

log = logging.getLogger("gateway.http")


class RateLimitedLog:
    """Logs one line per ``interval`` at most, saying how many similar events were not logged.

    Why: client-side mistakes (disconnects, timeouts, malformed requests) are normal traffic on a public
    endpoint; one line per event would let any client flood the log. They are counted in metrics instead.
    """

    __slots__ = ("_interval", "_last", "_level", "_logger", "_suppressed")

    def __init__(self, logger: logging.Logger, level: int = logging.DEBUG, interval: float = 10.0) -> None:
        self._logger = logger
        self._level = level
        self._interval = interval
        self._last = -interval
        self._suppressed = 0

    def __call__(self, message: str, *args: object) -> None:
        if not self._logger.isEnabledFor(self._level):
            return
        now = time.monotonic()
        if now - self._last < self._interval:
            self._suppressed += 1
            return
        suppressed, self._suppressed, self._last = self._suppressed, 0, now
        if suppressed:
            self._logger.log(self._level, message + " (%d similar events not logged)", *args, suppressed)
        else:
            self._logger.log(self._level, message, *args)


class ConnectionTracker:
    """Open client connections of one serving process, and the policy applied to each."""

    __slots__ = ("header_timeout", "max_connections", "metrics", "open", "quiet_log")

    def __init__(self, server: ServerConfig, metrics: Metrics = NOOP_METRICS) -> None:
        self.header_timeout = server.header_read_timeout
        self.max_connections = server.max_connections
        self.metrics = metrics
        self.open = 0
        self.quiet_log = RateLimitedLog(log)


def _canned(status: int, reason: str, message: str, code: str, extra: str = "") -> bytes:
    """A complete HTTP/1.1 response with a GraphQL error body, written straight to a socket."""
    body = orjson.dumps({"errors": [{"message": message, "extensions": {"code": code}}]})
    head = (
        f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json; charset=utf-8\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n{extra}\r\n"
    )
    return head.encode("ascii") + body


class GatewayRequestHandler(RequestHandler):
    """aiohttp's per-connection protocol with a header timeout, connection counting and JSON parse errors."""

    __slots__ = ("_header_timer", "_line_bytes", "_line_seen", "_overlong_line", "_partial", "_tracker")

    def __init__(self, manager: web.Server, *, tracker: ConnectionTracker, **kwargs: Any) -> None:
        super().__init__(manager, **kwargs)
        self._tracker = tracker
        self._header_timer: asyncio.TimerHandle | None = None
        self._partial = False  # bytes of a request head arrived, the head is not complete yet
        self._line_seen = False  # the request line of the head being read is complete
        self._line_bytes = 0  # its length so far (tells a too-long URL, 414, from a too-large header, 431)
        self._overlong_line = False  # the last head refused was refused for its request line (414)

    # --- connection lifetime -------------------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self._tracker.open += 1
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: BaseException | None) -> None:
        tracker = self._tracker
        tracker.open -= 1
        self._disarm()
        if self._current_request is not None and not self._force_close:
            # the client left before its answer was written (uploading, or waiting for the result): with
            # handler_cancellation on, aiohttp now cancels the request's task and so every subgraph call
            # nobody else waits for
            tracker.metrics.connection_event("client_disconnected")
            tracker.quiet_log("a client disconnected before its answer (%s)", self.peername)
        super().connection_lost(exc)

    # --- header timeout ------------------------------------------------------------------------------

    def data_received(self, data: bytes) -> None:
        if not self._line_seen:
            end = data.find(b"\n")
            self._line_seen = end >= 0
            self._line_bytes += end if end >= 0 else len(data)
        super().data_received(data)
        messages = self._messages
        if messages or self._request_in_progress:
            if messages and isinstance(messages[-1][0], _ErrInfo):  # refused by the parser: which part?
                self._overlong_line = self._line_bytes >= self.max_line_size
            self._disarm()  # a complete request head was parsed (or this is body data of a running request)
        elif data:
            self._partial = True
            if self._header_timer is None:
                self._arm()

    def _arm(self) -> None:
        self._header_timer = self._loop.call_later(self._tracker.header_timeout, self._header_timed_out)

    def _disarm(self) -> None:
        self._partial = self._line_seen = False
        self._line_bytes = 0
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timed_out(self) -> None:
        self._header_timer = None
        transport = self.transport
        waiter = self._waiter
        # Still waiting for a request head (the same test aiohttp's keep-alive timer makes): else a request
        # is being handled, and the body timeout or the request timeout govern it.
        if transport is None or waiter is None or waiter.done():
            return
        tracker = self._tracker
        tracker.metrics.connection_event("header_timeout")
        if self._partial:
            tracker.quiet_log(
                "closing a connection: request headers not received within %gs", tracker.header_timeout
            )
            transport.write(
                _canned(
                    408,
                    "Request Timeout",
                    f"the request headers were not received within {tracker.header_timeout:g}s "
                    "(server.header_read_timeout)",
                    REQUEST_TIMEOUT,
                )
            )
        self.force_close()

    # --- requests aiohttp cannot parse ---------------------------------------------------------------

    def handle_error(
        self,
        request: Any,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        """JSON instead of aiohttp's plain text, and no ERROR log line for a client's malformed request."""
        if request.writer.output_size > 0:
            raise ConnectionError("the response was already started; cannot send an error response")
        if status >= 500:
            log.error("error handling a request from %s", request.remote, exc_info=exc)
            response = error_response(status, "Internal server error", INTERNAL_SERVER_ERROR)
        else:
            status, text, code = _classify(exc, message, self._overlong_line)
            self._tracker.metrics.connection_event(
                "headers_too_large" if status in (414, 431) else "malformed_request"
            )
            self._tracker.quiet_log("refused a request from %s with %d: %s", request.remote, status, text)
            response = error_response(status, text, code)
        response.force_close()
        return response


def _classify(exc: BaseException | None, message: str | None, in_line: bool) -> tuple[int, str, str]:
    """(status, message, code) for a request head aiohttp refused; ``in_line``: while reading its request
    line (method, URL, version), before any header."""
    detail = message or (str(exc) if exc is not None else "malformed HTTP request")
    if isinstance(exc, LineTooLong):
        limit = exc.args[1] if len(exc.args) > 1 else "?"
        if in_line:
            return (
                414,
                f"the request line is longer than {limit} bytes (server.max_header_bytes)",
                URI_TOO_LONG,
            )
        return (
            431,
            f"a request header is larger than {limit} bytes (server.max_header_bytes)",
            REQUEST_HEADER_FIELDS_TOO_LARGE,
        )
    if "too many headers" in detail.lower():
        return 431, f"the request has too many headers: {detail}", REQUEST_HEADER_FIELDS_TOO_LARGE
    return 400, f"malformed HTTP request: {detail}", BAD_REQUEST


class _Refused(asyncio.Protocol):
    """A connection over ``server.max_connections``: answered 503 and closed without reading it."""

    def __init__(self, response: bytes) -> None:
        self._response = response

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses: no isinstance check
        cast(asyncio.WriteTransport, transport).write(self._response)
        transport.close()


def connection_factory(server: web.Server, tracker: ConnectionTracker) -> Callable[[], asyncio.Protocol]:
    """The protocol factory for ``loop.create_server``: a ``GatewayRequestHandler`` per connection, or a
    refusal once ``tracker.max_connections`` are open."""
    kwargs: dict[str, Any] = dict(server._kwargs)  # what aiohttp's Server.__call__ passes its handlers
    loop = server._loop
    cap = tracker.max_connections
    refusal = _canned(
        503,
        "Service Unavailable",
        f"the gateway has reached its limit of {cap} open connections (server.max_connections)",
        SERVICE_OVERLOADED,
        "Retry-After: 1\r\n",
    )

    def factory() -> asyncio.Protocol:
        if cap and tracker.open >= cap:
            tracker.metrics.connection_event("refused")
            tracker.quiet_log("refused a connection: %d connections are open (server.max_connections)", cap)
            return _Refused(refusal)
        return GatewayRequestHandler(server, loop=loop, tracker=tracker, **kwargs)

    return factory


def runner_options(server: ServerConfig) -> dict[str, Any]:
    """Keyword arguments for ``web.AppRunner`` that apply the server settings to every connection.

    ``handler_cancellation``: when a client disconnects, its request's task is cancelled, and with it every
    subgraph call no other client waits for (aiohttp's default keeps running abandoned handlers).
    ``lingering_time``: after answering a request whose body was not read (413, 408), aiohttp reads and
    drops what the client still sends for this long before closing; short, so a stalled body cannot hold it.
    """
    return {
        "handler_cancellation": True,
        "keepalive_timeout": server.keepalive_timeout,
        "max_line_size": server.max_header_bytes,
        "max_field_size": server.max_header_bytes,
        "lingering_time": 1.0,
    }


class GatewaySite(web.TCPSite):
    """A ``TCPSite`` whose connections are ``GatewayRequestHandler``s counted by one ``ConnectionTracker``."""

    def __init__(self, runner: web.BaseRunner, tracker: ConnectionTracker, *args: Any, **kwargs: Any) -> None:
        super().__init__(runner, *args, **kwargs)
        self._tracker = tracker

    async def start(self) -> None:
        # BaseSite.start registers the site with the runner; TCPSite.start would create the server with the
        # plain protocol, so the socket is opened here with ours (same arguments TCPSite uses).
        await web.BaseSite.start(self)
        server = self._runner.server
        assert server is not None
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            connection_factory(server, self._tracker),
            self._host,
            self._port,
            ssl=self._ssl_context,
            backlog=self._backlog,
            reuse_address=self._reuse_address,
            reuse_port=self._reuse_port,
        )
        sockets = self._server.sockets
        self._bound_port = sockets[0].getsockname()[1] if sockets else self._port


# File descriptors a serving process needs besides its client connections: the subgraph connection pool
# (``SubgraphTransport``'s limit, 256), listening sockets, Redis, log files, the event loop's own.
_OTHER_DESCRIPTORS = 512


def ensure_descriptor_room(server: ServerConfig) -> None:
    """Raise this process's soft limit on open files so ``server.max_connections`` can be reached.

    Why: many systems start services with a soft limit of 1024 and a far higher hard limit; past the soft
    limit ``accept()`` fails (EMFILE) and the event loop logs errors while clients hang in the backlog, long
    before the connection cap answers them. Raising the soft limit up to the hard limit needs no privilege.
    When even the hard limit is too low, the cap cannot be honoured as configured: say so once at start-up.
    """
    if not server.max_connections:
        return
    needed = server.max_connections + _OTHER_DESCRIPTORS
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY or soft >= needed:
        return
    target = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if target > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError) as exc:
            log.warning("cannot raise the open-file limit from %d to %d: %s", soft, target, exc)
            target = soft
    if target < needed:
        log.warning(
            "server.max_connections is %d but this process may open only %d files (ulimit -n); "
            "connections beyond about %d will fail to be accepted instead of being answered 503",
            server.max_connections,
            target,
            max(0, target - _OTHER_DESCRIPTORS),
        )
