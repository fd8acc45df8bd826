"""The running ``gateway dev`` stack: start, compose, serve in-process, poll, recompose, stop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable, Mapping, Sequence

import aiohttp
from aiohttp import web

from gateway.dev.children import SubgraphProcess, emit
from gateway.dev.options import (
    DevError,
    DevOptions,
    SubgraphEndpoint,
    default_source_root,
    discover_subgraphs,
    endpoints,
)
from gateway.dev.watch import SourceWatcher, all_or_nothing, check_port_free, fetch_sdl, wait_healthy
from gateway.errors import GatewayError
from gateway.keys import ManagedPipeline

log = logging.getLogger("gateway.dev")


def compose_supergraph(sdls: Mapping[str, str], urls: Mapping[str, str]) -> str:
    """Compose the SDLs with ``gateway.compose``; raises ``DevError`` listing every composition error."""
    from gateway.compose import SubgraphSource, compose

    result = compose([SubgraphSource(name, urls[name], sdl) for name, sdl in sdls.items()])
    if result.supergraph_sdl is None:
        lines = [f"composition failed with {len(result.errors)} error(s):"]
        lines += [f"  [{error.code}] {error.message}" for error in result.errors]
        raise DevError("\n".join(lines))
    return result.supergraph_sdl


class DevStack:
    """Subgraphs + composition + in-process gateway, driven by one polling loop until ``stop`` is set."""

    def __init__(self, options: DevOptions) -> None:
        self.options = options
        self.source_root = (options.source_root or default_source_root()).resolve()
        names = discover_subgraphs(self.source_root / "subgraphs")
        self.endpoints = endpoints(options.subgraph_port_base, names)
        self.children: dict[str, SubgraphProcess] = {}
        if options.start_subgraphs:
            self.children = {ep.name: SubgraphProcess(ep, self.source_root) for ep in self.endpoints}
        self.stop = asyncio.Event()
        self._sdls: dict[str, str] = {}
        self._rejected: dict[str, str] | None = None
        self._runner: web.AppRunner | None = None
        self._pipeline: ManagedPipeline | None = None
        self._sources: SourceWatcher | None = None
        self.port = options.port  # the bound port once the gateway listens (differs when 0 was asked)

    # start-up ---------------------------------------------------------------------------------------------

    async def start(self, session: aiohttp.ClientSession) -> None:
        if not self.endpoints:
            raise DevError(
                f"no subgraph packages (with a __main__.py) under {self.source_root / 'subgraphs'}"
            )
        if self.options.port != 0:
            check_port_free(self.options.host, self.options.port)
        for ep in self.endpoints if self.children else ():
            check_port_free(ep.host, ep.port)
        if self.children:
            # Snapshot before the children start, so an edit made while they boot is not missed.
            self._sources = SourceWatcher(self.source_root / "subgraphs", tuple(self.children))
        for child in self.children.values():
            await child.start()
        await self._wait_all_healthy(session, self.endpoints)
        self._sdls = await self._fetch_all(session)
        supergraph = compose_supergraph(self._sdls, self._urls())
        self._write_out(supergraph)
        await self._start_gateway(supergraph)
        self._print_banner()

    async def _wait_all_healthy(
        self, session: aiohttp.ClientSession, targets: Sequence[SubgraphEndpoint]
    ) -> None:
        def alive(name: str) -> Callable[[], bool]:
            child = self.children.get(name)
            return (lambda: True) if child is None else child.running

        waits = [wait_healthy(session, ep, self.options.startup_timeout, alive(ep.name)) for ep in targets]
        await _until_stopped(self.stop, asyncio.ensure_future(all_or_nothing(waits)))

    async def _fetch_all(self, session: aiohttp.ClientSession) -> dict[str, str]:
        sdls = await asyncio.gather(*(fetch_sdl(session, ep) for ep in self.endpoints))
        return {ep.name: sdl for ep, sdl in zip(self.endpoints, sdls)}

    def _urls(self) -> dict[str, str]:
        return {ep.name: ep.url for ep in self.endpoints}

    def _write_out(self, supergraph: str) -> None:
        if self.options.supergraph_out is not None:
            self.options.supergraph_out.parent.mkdir(parents=True, exist_ok=True)
            self.options.supergraph_out.write_text(supergraph, encoding="utf-8")

    async def _start_gateway(self, supergraph: str) -> None:
        from gateway.app import create_app, make_pipeline
        from gateway.http.connections import GatewaySite, ensure_descriptor_room, runner_options
        from gateway.keys import CONNECTIONS_KEY

        config = self.options.config
        pipeline = make_pipeline(config)
        try:
            pipeline.load_supergraph(supergraph, "gateway dev (composed from the live subgraphs)")
        except GatewayError as exc:
            raise DevError(f"the composed supergraph does not load: {exc.message}") from None
        self._pipeline = pipeline
        ensure_descriptor_room(config.server)
        app = create_app(config, pipeline)
        runner_kwargs: dict[str, object] = {
            "handle_signals": False,
            "shutdown_timeout": 2.0,
            **runner_options(config.server),
        }
        runner_kwargs["access_log"] = None  # ours replaces aiohttp's (gateway.telemetry.access)
        runner = web.AppRunner(app, **runner_kwargs)  # type: ignore[arg-type]
        await runner.setup()
        self._runner = runner
        site = GatewaySite(runner, app[CONNECTIONS_KEY], self.options.host, self.options.port)
        try:
            await site.start()
        except OSError as exc:
            raise DevError(f"cannot listen on {self.options.host}:{self.options.port}: {exc}") from None
        self.port = int(runner.addresses[0][1])

    def _print_banner(self) -> None:
        server = self.options.config.server
        base = f"http://{self.options.host}:{self.port}"
        emit("")
        emit(f"gateway dev: gateway   {base}{server.graphql_path}  (health {base}{server.health_path})")
        if server.graphiql:
            emit(f"gateway dev: GraphiQL  {base}{server.graphql_path}  (open it in a browser)")
        for ep in self.endpoints:
            origin = "started" if ep.name in self.children else "external"
            emit(f"gateway dev: {ep.name:<9} {ep.url}  ({origin})")
        for demo in self.options.demo_keys:
            scopes = ", ".join(demo.scopes) or "no scopes"
            emit(f"gateway dev: demo key  x-api-key: {demo.key}  (user {demo.user_id}; {scopes})")
        if self.options.supergraph_out is not None:
            emit(f"gateway dev: supergraph written to {self.options.supergraph_out}")
        emit(f"gateway dev: watching subgraph schemas every {self.options.poll_interval:g}s; Ctrl-C stops")
        emit("")

    # the loop -----------------------------------------------------------------------------------------------

    async def watch(self, session: aiohttp.ClientSession) -> None:
        """Poll sources and schemas until ``stop`` is set."""
        sources = self._sources
        while not self.stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), self.options.poll_interval)
                return
            try:
                if sources is not None:
                    await self._restart_changed(session, sources.changed_subgraphs())
                    self._report_exits()
                await self.check_schemas(session)
            except Exception:  # one bad poll must not end the dev loop
                log.exception("gateway dev: poll failed; will retry")

    async def _restart_changed(self, session: aiohttp.ClientSession, names: set[str]) -> None:
        if not names:
            return
        ordered = [name for name in self.children if name in names]
        emit(f"gateway dev: source changed, restarting {', '.join(ordered)}")
        for name in ordered:
            await self.children[name].stop()
            await self.children[name].start()
        targets = [ep for ep in self.endpoints if ep.name in names]
        try:
            await self._wait_all_healthy(session, targets)
        except DevError as exc:
            if not self.stop.is_set():
                emit(f"gateway dev: {exc}; fix the source and save again")

    def _report_exits(self) -> None:
        for name, child in self.children.items():
            if child.returncode is not None and not child.exit_reported:
                child.exit_reported = True
                emit(
                    f"gateway dev: the {name} subgraph exited with code {child.returncode}; "
                    "it restarts when its source changes"
                )

    async def check_schemas(self, session: aiohttp.ClientSession) -> bool:
        """Recompose and hot-reload when any subgraph's SDL changed; ``True`` when a new supergraph loaded."""
        try:
            sdls = await self._fetch_all(session)
        except (DevError, aiohttp.ClientError, OSError, TimeoutError, ValueError):
            return False  # a subgraph is down or restarting: keep serving the last supergraph
        if sdls == self._sdls or sdls == self._rejected:
            return False
        changed = sorted(name for name in sdls if sdls[name] != self._sdls.get(name))
        try:
            supergraph = compose_supergraph(sdls, self._urls())
            try:
                self._load(supergraph)
            except GatewayError as exc:
                raise DevError(f"the composed supergraph does not load: {exc.message}") from None
        except DevError as exc:
            self._rejected = sdls
            emit(f"gateway dev: schema of {', '.join(changed)} changed but {exc}")
            emit("gateway dev: still serving the previous supergraph")
            return False
        self._sdls, self._rejected = sdls, None
        self._write_out(supergraph)
        emit(f"gateway dev: schema of {', '.join(changed)} changed; supergraph recomposed and reloaded")
        return True

    def _load(self, supergraph: str) -> None:
        assert self._pipeline is not None, "the gateway starts before the watch loop"
        self._pipeline.load_supergraph(supergraph, "gateway dev (recomposed)")

    # shutdown -----------------------------------------------------------------------------------------------

    async def close(self) -> None:
        """Stop the gateway first (no request is sent to a dying subgraph), then every child."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
        await asyncio.gather(*(child.stop() for child in self.children.values()))


async def _until_stopped(stop: asyncio.Event, work: asyncio.Future[object]) -> None:
    """Await ``work`` unless ``stop`` is set first (then cancel it and raise ``DevError``)."""
    stopper = asyncio.ensure_future(stop.wait())
    try:
        done, _pending = await asyncio.wait({work, stopper}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopper.cancel()
    if work not in done:
        work.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await work
        raise DevError("interrupted during start-up")
    work.result()


async def run_stack(options: DevOptions) -> int:
    """Run until SIGINT/SIGTERM; returns the exit code (0 after a clean stop, 1 when start-up failed)."""
    stack = DevStack(options)
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stack.stop.set)
    timeout = aiohttp.ClientTimeout(total=10.0)
    exit_code = 0
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session:
            try:
                await stack.start(session)
            except DevError as exc:
                if not stack.stop.is_set():
                    print(f"error: {exc}", file=sys.stderr, flush=True)
                    exit_code = 1
            else:
                await stack.watch(session)
    finally:
        emit("gateway dev: stopping")
        await stack.close()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    emit("gateway dev: stopped")
    return exit_code


def run(options: DevOptions) -> int:
    """``gateway dev``: returns the process exit code."""
    from gateway.telemetry.logs import configure_logging

    configure_logging(options.config.telemetry.logging)
    return asyncio.run(run_stack(options))
