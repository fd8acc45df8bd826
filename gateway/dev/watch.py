"""What ``gateway dev`` polls: subgraph source files, health and ``_service { sdl }``, and free ports."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any

import aiohttp

from gateway.dev.options import DevError, SubgraphEndpoint

_SDL_QUERY = "query SubgraphIntrospectQuery { _service { sdl } }"


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


async def all_or_nothing(coroutines: Sequence[Coroutine[Any, Any, None]]) -> None:
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
