"""``gateway dev``: the whole demo stack from one command, recomposed and hot-reloaded as subgraphs change.

Why it exists: a subgraph team's inner loop is "edit a resolver or a type, look at the result through the
gateway". Doing that by hand means starting three services, exporting SDL, composing, restarting the gateway.
``gateway dev`` does all of it and keeps doing it:

* the subgraphs (``subgraphs.users``/``orders``/``products``, plus any other ``subgraphs/<name>/`` package
  with a ``__main__.py``) run as child processes, each in its own session (process group) with an in-memory
  SQLite database, their output prefixed with their name;
* the supergraph is composed in-process by ``gateway.compose`` from the subgraphs' live ``_service { sdl }``
  answers, i.e. exactly what they serve, not what was last exported;
* the gateway runs in this process on embedded defaults (in-memory caches, no Redis, no Docker), so a new
  supergraph is swapped in with ``pipeline.load_supergraph`` without dropping connections;
* every ``--poll-interval`` seconds the subgraph source files are checked (a changed subgraph is restarted: a
  Strawberry schema is built at import time, so a code change needs a new process) and every subgraph's SDL is
  fetched again; a changed SDL set is recomposed and hot-reloaded. A composition error is printed and the last
  good supergraph keeps serving;
* Ctrl-C or SIGTERM stops the gateway, then every child's process group (SIGTERM, SIGKILL after a grace
  period). Children also get ``PR_SET_PDEATHSIG`` so that even a SIGKILL of this process leaves none behind.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import logging
import os
import signal
import socket
import sys
from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from gateway.config.model import Config
from gateway.errors import GatewayError
from gateway.keys import ManagedPipeline

log = logging.getLogger("gateway.dev")

DEMO_SUBGRAPHS: tuple[str, ...] = ("users", "orders", "products")
"""The demo subgraphs come first, in this order, so they keep their ports (base, base+1, base+2)."""

_SDL_QUERY = "query SubgraphIntrospectQuery { _service { sdl } }"
_STOP_GRACE = 5.0  # seconds a child gets to exit after SIGTERM before SIGKILL
_PR_SET_PDEATHSIG = 1
_OUTPUT_CHUNK = 65536


class DevError(Exception):
    """The stack cannot start; the message is printed as one ``error:`` line."""


@dataclass(frozen=True, slots=True)
class DemoKey:
    """An API key the embedded dev configuration accepts: it stands for one demo user."""

    key: str
    user_id: str
    scopes: tuple[str, ...]


DEMO_KEYS: tuple[DemoKey, ...] = (
    DemoKey("dev-user-1", "1", ("users:read_email",)),
    DemoKey("dev-user-2", "2", ()),
)
"""Why demo keys: orders are ``@authenticated`` and ``User.email`` needs a scope, so exploring the demo graph
needs an identity; fixed, printed keys give one without a token issuer. They exist only in ``gateway dev``."""


@dataclass(frozen=True, slots=True)
class DevOptions:
    """Everything ``gateway dev`` needs, after command-line parsing."""

    host: str = "127.0.0.1"
    port: int = 4000
    subgraph_port_base: int = 4001
    start_subgraphs: bool = True
    source_root: Path | None = None
    poll_interval: float = 2.0
    startup_timeout: float = 60.0
    supergraph_out: Path | None = None
    config: Config = field(default_factory=Config)
    demo_keys: tuple[DemoKey, ...] = ()


@dataclass(frozen=True, slots=True)
class SubgraphEndpoint:
    """Where one demo subgraph listens (subgraphs always bind 127.0.0.1: they are private to the gateway)."""

    name: str
    port: int
    host: str = "127.0.0.1"

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/graphql"

    @property
    def health_url(self) -> str:
        return f"http://{self.host}:{self.port}/health"


def discover_subgraphs(package_dir: Path) -> tuple[str, ...]:
    """The runnable subgraphs: every ``subgraphs/<name>/`` package with a ``__main__.py``.

    Why discover instead of a fixed list: a team that adds ``subgraphs/reviews/`` (same command line as the
    others: ``--host --port --db``) gets it started, composed and watched by the next ``gateway dev``.
    """
    found = {
        path.parent.name
        for path in package_dir.glob("*/__main__.py")
        if not path.parent.name.startswith(("_", "."))
    }
    return tuple(name for name in DEMO_SUBGRAPHS if name in found) + tuple(
        sorted(found - set(DEMO_SUBGRAPHS))
    )


def endpoints(port_base: int, names: Sequence[str] = DEMO_SUBGRAPHS) -> tuple[SubgraphEndpoint, ...]:
    """The subgraphs on consecutive ports starting at ``port_base``, in ``names`` order."""
    return tuple(SubgraphEndpoint(name, port_base + i) for i, name in enumerate(names))


def embedded_config(host: str, port: int) -> Config:
    """The ``gateway dev`` defaults: in-memory everything (no Redis), the demo API keys, and the caller's id
    sent to subgraphs as ``x-user-id`` (what the demo subgraphs read for ``Query.me`` and ``createOrder``)."""
    from gateway.auth.api_keys import hash_key
    from gateway.config.auth import ApiKey, ApiKeysConfig, AuthenticationConfig
    from gateway.config.load import config_with

    keys = tuple(ApiKey(hash_key(k.key), k.user_id, k.scopes) for k in DEMO_KEYS)
    authentication = AuthenticationConfig(
        api_keys=ApiKeysConfig(keys=keys), identity_headers={"x-user-id": "client_id"}
    )
    config = config_with(Config(authentication=authentication), "server", host=host, port=port, workers=1)
    return config


def default_source_root() -> Path:
    """The directory holding the ``subgraphs`` package this interpreter imports (the repository root)."""
    import subgraphs

    return Path(subgraphs.__file__).resolve().parent.parent


def _emit(line: str) -> None:
    print(line, flush=True)


# --- child processes ---------------------------------------------------------------------------------------


def _die_with_parent() -> None:  # runs in the child between fork and exec
    """Ask the kernel to SIGTERM this child when the dev process dies, however it dies.

    (The kernel ties this to the thread that forked: children are always started from the event loop's
    thread, which lives as long as the process.)"""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


class SubgraphProcess:
    """One demo subgraph as a child process: started in its own session, output forwarded with a prefix.

    Why its own session: Ctrl-C in a terminal signals the whole foreground process group; the children must
    not die before the gateway has stopped sending them requests, and a whole group can be killed at once
    if a subgraph ever starts helpers of its own.
    """

    def __init__(self, endpoint: SubgraphEndpoint, source_root: Path) -> None:
        self.endpoint = endpoint
        self._source_root = source_root
        self._process: asyncio.subprocess.Process | None = None
        self._pump: asyncio.Task[None] | None = None
        self.exit_reported = False

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def returncode(self) -> int | None:
        return None if self._process is None else self._process.returncode

    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def start(self) -> None:
        env = dict(os.environ)
        # The source root goes first so an edited copy of ``subgraphs`` wins over an installed one.
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(self._source_root), env.get("PYTHONPATH")) if p)
        env["PYTHONUNBUFFERED"] = "1"
        ep = self.endpoint
        argv = [sys.executable, "-m", f"subgraphs.{ep.name}", "--host", ep.host, "--port", str(ep.port)]
        argv += ["--db", ":memory:"]
        self._process = await asyncio.create_subprocess_exec(
            *argv,
            cwd=str(self._source_root),
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self.exit_reported = False
        self._pump = asyncio.create_task(self._forward_output(self._process), name=f"{ep.name}-output")

    async def _forward_output(self, process: asyncio.subprocess.Process) -> None:
        """Copy the child's output line by line; it must be drained, or a chatty child would block on a full
        pipe (an over-long line is forwarded in chunks instead of ending the pump)."""
        stream = process.stdout
        assert stream is not None
        prefix = f"[{self.endpoint.name}] "
        while True:
            try:
                line = await stream.readline()
            except ValueError:  # longer than the stream limit
                line = await stream.read(_OUTPUT_CHUNK)
            if not line:
                return
            _emit(prefix + line.decode(errors="replace").rstrip())

    async def stop(self) -> None:
        """SIGTERM the child's process group, SIGKILL it after a grace period, and reap it."""
        process = self._process
        if process is None:
            return
        if process.returncode is None:
            # The whole group: anything the subgraph started goes with it.
            _signal_group(process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), _STOP_GRACE)
            except TimeoutError:
                _signal_group(process.pid, signal.SIGKILL)
                await process.wait()
        if self._pump is not None:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._pump, 2.0)  # the rest of its output, then EOF
        self._process = None


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


# --- watching ----------------------------------------------------------------------------------------------

Fingerprint = dict[Path, tuple[int, int]]


def _fingerprint(directory: Path) -> Fingerprint:
    """(mtime, size) of every Python source under ``directory``: cheap enough to poll every few seconds."""
    result: Fingerprint = {}
    for path in directory.rglob("*.py"):
        with contextlib.suppress(OSError):
            stat = path.stat()
            result[path] = (stat.st_mtime_ns, stat.st_size)
    return result


class SourceWatcher:
    """Maps changed files under ``<root>/subgraphs`` to the subgraphs that must restart.

    A file inside ``subgraphs/<name>/`` restarts that subgraph; anything else (``common/``, package files)
    may be imported by all of them, so it restarts all of them.
    """

    def __init__(self, package_dir: Path, names: Sequence[str]) -> None:
        self._dir = package_dir
        self._names = tuple(names)
        self._last = _fingerprint(package_dir)

    def changed_subgraphs(self) -> set[str]:
        current = _fingerprint(self._dir)
        if current == self._last:
            return set()
        changed = {p for p in current.keys() | self._last.keys() if current.get(p) != self._last.get(p)}
        self._last = current
        affected: set[str] = set()
        for path in changed:
            top = path.relative_to(self._dir).parts[0]
            if top in self._names:
                affected.add(top)
            else:
                return set(self._names)
        return affected


async def fetch_sdl(session: aiohttp.ClientSession, endpoint: SubgraphEndpoint) -> str:
    """A subgraph's ``_service { sdl }``: what composition must use, since it is what the service serves."""
    async with session.post(endpoint.url, json={"query": _SDL_QUERY}) as response:
        if response.status != 200:
            raise DevError(f"{endpoint.name}: _service query answered HTTP {response.status}")
        body = await response.json(content_type=None)
    sdl = ((body.get("data") or {}).get("_service") or {}).get("sdl") if isinstance(body, dict) else None
    if not isinstance(sdl, str):
        raise DevError(f"{endpoint.name}: no data._service.sdl in the answer")
    return sdl


async def wait_healthy(
    session: aiohttp.ClientSession,
    endpoint: SubgraphEndpoint,
    within: float,
    alive: Callable[[], bool] = lambda: True,
) -> None:
    """Poll ``GET /health`` until it answers 200; fail fast when the process died, or after ``within`` s."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while True:
        if not alive():
            raise DevError(f"the {endpoint.name} subgraph exited during start-up (see its output above)")
        with contextlib.suppress(aiohttp.ClientError, OSError, TimeoutError):
            async with session.get(endpoint.health_url) as response:
                if response.status == 200:
                    return
        if loop.time() > deadline:
            raise DevError(
                f"the {endpoint.name} subgraph is not healthy at {endpoint.health_url} after {within:g}s"
            )
        await asyncio.sleep(0.1)


# --- composition -------------------------------------------------------------------------------------------


def compose_supergraph(sdls: Mapping[str, str], urls: Mapping[str, str]) -> str:
    """Compose the SDLs with ``gateway.compose``; raises ``DevError`` listing every composition error."""
    from gateway.compose import SubgraphSource, compose

    result = compose([SubgraphSource(name, urls[name], sdl) for name, sdl in sdls.items()])
    if result.supergraph_sdl is None:
        lines = [f"composition failed with {len(result.errors)} error(s):"]
        lines += [f"  [{error.code}] {error.message}" for error in result.errors]
        raise DevError("\n".join(lines))
    return result.supergraph_sdl


# --- the stack ---------------------------------------------------------------------------------------------


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
        await _until_stopped(self.stop, asyncio.ensure_future(_all_or_nothing(waits)))

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

        config = self.options.config
        pipeline = make_pipeline(config)
        try:
            pipeline.load_supergraph(supergraph, "gateway dev (composed from the live subgraphs)")
        except GatewayError as exc:
            raise DevError(f"the composed supergraph does not load: {exc.message}") from None
        self._pipeline = pipeline
        app = create_app(config, pipeline)
        runner_kwargs: dict[str, object] = {"handle_signals": False, "shutdown_timeout": 2.0}
        if not config.server.access_log:
            runner_kwargs["access_log"] = None
        runner = web.AppRunner(app, **runner_kwargs)  # type: ignore[arg-type]
        await runner.setup()
        self._runner = runner
        site = web.TCPSite(runner, self.options.host, self.options.port)
        try:
            await site.start()
        except OSError as exc:
            raise DevError(f"cannot listen on {self.options.host}:{self.options.port}: {exc}") from None
        self.port = int(runner.addresses[0][1])

    def _print_banner(self) -> None:
        server = self.options.config.server
        base = f"http://{self.options.host}:{self.port}"
        _emit("")
        _emit(f"gateway dev: gateway   {base}{server.graphql_path}  (health {base}{server.health_path})")
        if server.graphiql:
            _emit(f"gateway dev: GraphiQL  {base}{server.graphql_path}  (open it in a browser)")
        for ep in self.endpoints:
            origin = "started" if ep.name in self.children else "external"
            _emit(f"gateway dev: {ep.name:<9} {ep.url}  ({origin})")
        for demo in self.options.demo_keys:
            scopes = ", ".join(demo.scopes) or "no scopes"
            _emit(f"gateway dev: demo key  x-api-key: {demo.key}  (user {demo.user_id}; {scopes})")
        if self.options.supergraph_out is not None:
            _emit(f"gateway dev: supergraph written to {self.options.supergraph_out}")
        _emit(f"gateway dev: watching subgraph schemas every {self.options.poll_interval:g}s; Ctrl-C stops")
        _emit("")

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
        _emit(f"gateway dev: source changed, restarting {', '.join(ordered)}")
        for name in ordered:
            await self.children[name].stop()
            await self.children[name].start()
        targets = [ep for ep in self.endpoints if ep.name in names]
        try:
            await self._wait_all_healthy(session, targets)
        except DevError as exc:
            if not self.stop.is_set():
                _emit(f"gateway dev: {exc}; fix the source and save again")

    def _report_exits(self) -> None:
        for name, child in self.children.items():
            if child.returncode is not None and not child.exit_reported:
                child.exit_reported = True
                _emit(
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
            _emit(f"gateway dev: schema of {', '.join(changed)} changed but {exc}")
            _emit("gateway dev: still serving the previous supergraph")
            return False
        self._sdls, self._rejected = sdls, None
        self._write_out(supergraph)
        _emit(f"gateway dev: schema of {', '.join(changed)} changed; supergraph recomposed and reloaded")
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


async def _all_or_nothing(coroutines: Sequence[Coroutine[Any, Any, None]]) -> None:
    """Run concurrently; the first failure cancels the others (a dead subgraph ends the whole wait)."""
    tasks = [asyncio.ensure_future(coroutine) for coroutine in coroutines]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


def check_port_free(host: str, port: int) -> None:
    """Fail before starting anything when a port is taken (e.g. by another ``gateway dev``).

    Why up front: a subgraph that cannot bind exits, but a health check could meanwhile be answered by the
    *other* process on that port, and the stack would silently compose someone else's subgraph.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is fine
        try:
            sock.bind((host, port))
        except OSError as exc:
            raise DevError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


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
        _emit("gateway dev: stopping")
        await stack.close()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)
    _emit("gateway dev: stopped")
    return exit_code


def run(options: DevOptions) -> int:
    """``gateway dev``: returns the process exit code."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    return asyncio.run(run_stack(options))


# --- command line -------------------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The ``gateway dev`` flags (``gateway/cli.py`` only registers the subcommand and delegates here)."""
    parser.add_argument("--host", default="127.0.0.1", help="gateway listen address (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=4000, help="gateway port (default 4000)")
    parser.add_argument(
        "--subgraph-port-base",
        type=int,
        default=4001,
        metavar="PORT",
        help="users on PORT, orders on PORT+1, products on PORT+2, other subgraphs next (default 4001)",
    )
    parser.add_argument(
        "--no-subgraphs",
        action="store_true",
        help="do not start the subgraphs; use the ones already running on those ports (still watched)",
    )
    parser.add_argument(
        "--source-root",
        type=Path,
        metavar="DIR",
        help="directory holding the subgraphs/ package to run and watch (default: the installed one)",
    )
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=2.0,
        metavar="SECONDS",
        help="how often sources and subgraph schemas are checked (default 2)",
    )
    parser.add_argument(
        "--supergraph-out",
        type=Path,
        metavar="FILE",
        help="also write each composed supergraph to FILE (e.g. for `gateway plan`)",
    )
    parser.add_argument("--config", help="YAML gateway configuration (default: embedded defaults)")


def main(args: argparse.Namespace) -> int:
    """Run ``gateway dev`` from parsed arguments; returns the exit code."""
    from gateway.config.errors import ConfigError
    from gateway.config.load import config_with, load_config

    if args.poll_interval <= 0:
        print("error: --poll-interval must be greater than zero", file=sys.stderr)
        return 2
    try:
        if args.config is None:
            config = embedded_config(args.host, args.port)
        else:
            config = config_with(
                load_config(args.config), "server", host=args.host, port=args.port, workers=1
            )
    except ConfigError as exc:
        print(f"error: invalid configuration:\n{exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    options = DevOptions(
        host=args.host,
        port=args.port,
        subgraph_port_base=args.subgraph_port_base,
        start_subgraphs=not args.no_subgraphs,
        source_root=args.source_root,
        poll_interval=args.poll_interval,
        supergraph_out=args.supergraph_out,
        config=config,
        demo_keys=DEMO_KEYS if args.config is None else (),
    )
    return run(options)
