"""Serving the app: one process, or N worker processes sharing the port.

Why: Python runs one request at a time per process, so throughput on several cores needs several processes.
Each worker binds its own listening socket with SO_REUSEPORT and the kernel spreads connections between them.
The parent loads the supergraph once before forking (bad SDL fails fast with exit code 1, and workers share
the parsed snapshot copy-on-write), then supervises: SIGTERM/SIGINT are forwarded to every worker, a worker
that crashes after start-up is replaced, and one that dies during start-up stops the whole group.

Graceful shutdown (per worker, ``gateway.http.drain``): on SIGTERM the worker reports not-ready, stops
accepting, answers what its open connections still send (each answer with ``Connection: close``), gives
in-flight requests up to ``server.shutdown_timeout`` to finish, closes the pipeline and exits 0.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import multiprocessing
import multiprocessing.connection
import os
import re
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

from aiohttp import web

from gateway.app import create_app, make_pipeline
from gateway.config.model import Config
from gateway.errors import GatewayError
from gateway.http.connections import GatewaySite, ensure_descriptor_room, runner_options
from gateway.http.drain import drain, split_shutdown_timeout
from gateway.keys import CONNECTIONS_KEY, DRAIN_KEY, ManagedPipeline
from gateway.telemetry import multiprocess as worker_metrics
from gateway.telemetry.logs import announce

log = logging.getLogger("gateway.serve")

# A worker that exits sooner than this after starting is considered broken (bad port, import error):
# restarting it would only loop, so the supervisor stops everything instead.
_MIN_HEALTHY_UPTIME = 3.0


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """Everything ``gateway serve`` needs, after command-line overrides were applied to the config."""

    config: Config
    supergraph_path: str
    pipeline_factory: str | None = None


class StartupError(Exception):
    """Serving cannot start; the message is one line for stderr."""


@dataclass(frozen=True, slots=True)
class LoadedPipeline:
    """A pipeline with its first supergraph loaded, and where that supergraph came from."""

    pipeline: ManagedPipeline
    supergraph_path: str
    supergraph_sdl: str


def prepare_pipeline(options: ServeOptions) -> LoadedPipeline:
    """Create the pipeline and load the first supergraph, or raise ``StartupError``."""
    path = options.supergraph_path
    try:
        sdl = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise StartupError(f"cannot read supergraph {path}: {exc}") from None
    try:
        pipeline = make_pipeline(options.config, options.pipeline_factory)
    except (ImportError, AttributeError, ValueError) as exc:
        raise StartupError(f"cannot create the GraphQL pipeline: {exc}") from None
    try:
        pipeline.load_supergraph(sdl, path)
    except GatewayError as exc:
        raise StartupError(f"invalid supergraph {path}: {one_line(exc.message)}") from None
    except Exception as exc:  # an engine bug must still end in one readable line, not a traceback
        log.debug("supergraph load failed", exc_info=True)
        reason = f"{type(exc).__name__}: {one_line(str(exc))}"
        raise StartupError(f"cannot load supergraph {path}: {reason}") from None
    return LoadedPipeline(pipeline, path, sdl)


_LOCATION = re.compile(r"^\S.*:(\d+):(\d+)$")


def one_line(message: str) -> str:
    """Collapse a multi-line message (graphql-core syntax errors quote the source) into one line.

    Why: start-up errors go to one stderr line that log collectors keep whole; the source excerpt is dropped
    and its ``<source>:line:column`` header kept as "(line L, column C)".
    """
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    if not lines:
        return message
    text = lines[0]
    for line in lines[1:]:
        match = _LOCATION.match(line)
        if match is not None:
            return f"{text} (line {match.group(1)}, column {match.group(2)})"
    return text


async def _serve_app(app: web.Application, config: Config, *, reuse_port: bool) -> None:
    server = config.server
    idle_grace, in_flight_timeout = split_shutdown_timeout(server.shutdown_timeout)
    runner_kwargs: dict[str, object] = {
        "handle_signals": False,
        "shutdown_timeout": in_flight_timeout,
        **runner_options(server),
    }
    # aiohttp's own access log stays off: ours (gateway.telemetry.access, `telemetry.logging.access_log` or
    # `server.access_log`) writes one line per GraphQL request, with its request id.
    runner_kwargs["access_log"] = None
    runner = web.AppRunner(app, **runner_kwargs)  # type: ignore[arg-type]
    await runner.setup()
    drained = False
    try:
        site = GatewaySite(
            runner,
            app[CONNECTIONS_KEY],
            server.host,
            server.port,
            reuse_port=reuse_port or None,
            backlog=1024,
        )
        await site.start()
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        for address in runner.addresses:
            host, port = address[0], address[1]
            announce(f"gateway: listening on http://{host}:{port} (pid {os.getpid()})")
        await stop.wait()
        log.info("draining (pid %d)", os.getpid())
        drained = True
        await drain(runner, app[DRAIN_KEY], idle_grace)
    finally:
        if not drained:  # start-up failed (port in use): close what was set up
            await runner.cleanup()


def loop_factory(name: str) -> Callable[[], asyncio.AbstractEventLoop] | None:
    """The event loop factory for ``server.event_loop`` (``None``: asyncio's default loop).

    Why uvloop: the per-request cost of a small request is dominated by the event loop and socket I/O, not by
    our code; uvloop's libuv loop does that work in C (see docs/http.md for a measurement).
    """
    if name == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        if name == "uvloop":
            raise StartupError("server.event_loop is 'uvloop' but uvloop is not installed") from None
        return None
    return uvloop.new_event_loop


def run_worker(
    config: Config, loaded: LoadedPipeline, *, reuse_port: bool, metrics_directory: str | None = None
) -> int:
    """Serve in this process until SIGTERM/SIGINT; returns the exit code.

    ``metrics_directory``: where the workers of a supervisor share their metrics (``telemetry/multiprocess``).
    """
    ensure_descriptor_room(config.server)
    app = create_app(
        config, loaded.pipeline, supergraph_path=loaded.supergraph_path, supergraph_sdl=loaded.supergraph_sdl
    )
    if metrics_directory is not None:  # in the forked worker: per-worker state is created here
        worker_metrics.share_worker_metrics(
            app, metrics_directory, config.telemetry.metrics.worker_flush_interval
        )
    try:
        with asyncio.Runner(loop_factory=loop_factory(config.server.event_loop)) as runner:
            runner.run(_serve_app(app, config, reuse_port=reuse_port))
    except StartupError as exc:
        announce(str(exc), error=True)
        return 1
    except OSError as exc:
        announce(f"cannot listen on {config.server.host}:{config.server.port}: {exc}", error=True)
        return 1
    return 0


def serve(options: ServeOptions) -> int:
    """``gateway serve``: returns the process exit code."""
    try:
        loop_factory(options.config.server.event_loop)  # fail before forking workers
        loaded = prepare_pipeline(options)
    except StartupError as exc:
        announce(str(exc), error=True)
        return 1
    if options.config.server.workers == 1:
        return run_worker(options.config, loaded, reuse_port=False)
    return _supervise(options, loaded)


def _reserve_port(host: str, port: int) -> socket.socket:
    """Bind (without listening) a SO_REUSEPORT socket: resolves port 0 and keeps the port ours."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock


def _worker_main(config: Config, loaded: LoadedPipeline, metrics_directory: str | None) -> None:
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, signal.SIG_DFL)
    raise SystemExit(run_worker(config, loaded, reuse_port=True, metrics_directory=metrics_directory))


def _supervise(options: ServeOptions, loaded: LoadedPipeline) -> int:
    config = options.config
    try:
        reservation = _reserve_port(config.server.host, config.server.port)
    except OSError as exc:
        announce(f"cannot listen on {config.server.host}:{config.server.port}: {exc}", error=True)
        return 1
    port = reservation.getsockname()[1]
    config = dataclasses.replace(config, server=dataclasses.replace(config.server, port=port))
    context = multiprocessing.get_context("fork")
    workers: dict[int, tuple[multiprocessing.process.BaseProcess, float]] = {}
    stopping = False
    # /metrics on any worker reports the sum over all workers (gateway/telemetry/multiprocess.py)
    metrics_directory: str | None = None
    if config.telemetry.metrics.enabled:
        try:
            metrics_directory = worker_metrics.create_directory()
        except OSError as exc:
            log.warning("cannot create a directory for the workers' metrics (each reports its own): %s", exc)

    def spawn() -> None:
        process = context.Process(target=_worker_main, args=(config, loaded, metrics_directory), daemon=False)
        process.start()
        assert process.pid is not None
        workers[process.sentinel] = (process, time.monotonic())

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for process, _started in workers.values():
            if process.pid is not None and process.exitcode is None:
                os.kill(process.pid, signal.SIGTERM)

    exit_code = 0
    try:
        for _ in range(config.server.workers):
            spawn()
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        announce(f"gateway: {config.server.workers} workers on http://{config.server.host}:{port}")
        while workers:
            ready = multiprocessing.connection.wait(list(workers), timeout=1.0)
            for sentinel in ready:
                assert isinstance(sentinel, int)
                process, started = workers.pop(sentinel)
                process.join()
                if metrics_directory is not None and process.pid is not None:
                    worker_metrics.retire_worker(metrics_directory, process.pid)
                if stopping:
                    continue
                uptime = time.monotonic() - started
                if uptime < _MIN_HEALTHY_UPTIME:
                    announce(
                        f"worker {process.pid} exited during start-up (code {process.exitcode}); stopping",
                        error=True,
                    )
                    exit_code = 1
                    on_signal(signal.SIGTERM, None)
                else:
                    log.error("worker %s exited with code %s; restarting it", process.pid, process.exitcode)
                    spawn()
    finally:
        deadline = time.monotonic() + config.server.shutdown_timeout + 5.0
        for process, _started in list(workers.values()):
            process.join(max(0.0, deadline - time.monotonic()))
            if process.exitcode is None:
                process.kill()
                process.join()
        reservation.close()
        if metrics_directory is not None:
            worker_metrics.remove_directory(metrics_directory)
    return exit_code
