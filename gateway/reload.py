"""Hot reload of the supergraph file (``supergraph.watch``).

Why: schema changes should not need a restart. The file is polled (portable, no inotify dependency) and
reloaded when its content changes; a bad new SDL is logged and the running snapshot kept, because a typo in
a deploy must not take the gateway down.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from aiohttp import web

from gateway.errors import GatewayError
from gateway.keys import ManagedPipeline

log = logging.getLogger("gateway.reload")


def _fingerprint(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size)


class SupergraphWatcher:
    """Polls one file and feeds changed content to ``pipeline.load_supergraph``."""

    def __init__(
        self, pipeline: ManagedPipeline, path: str | Path, interval: float, initial_sdl: str | None = None
    ) -> None:
        """``initial_sdl`` is the text that was loaded at start-up: a change made between that load and the
        watcher's start (worker processes start later) is then still noticed on the first poll."""
        self._pipeline = pipeline
        self._path = Path(path)
        self._interval = interval
        if initial_sdl is None:
            self._stat = _fingerprint(self._path)
            self._digest = self._hash(self._read())
        else:
            self._stat = None
            self._digest = self._hash(initial_sdl)

    @staticmethod
    def _hash(text: str | None) -> bytes | None:
        return None if text is None else hashlib.sha256(text.encode("utf-8")).digest()

    def _read(self) -> str | None:
        try:
            return self._path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("cannot read supergraph %s: %s", self._path, exc)
            return None

    def check_once(self) -> bool:
        """Reload if the file changed; ``True`` when a new supergraph was loaded."""
        stat = _fingerprint(self._path)
        if stat is None or stat == self._stat:
            return False
        self._stat = stat
        text = self._read()
        digest = self._hash(text)
        if text is None or digest == self._digest:
            return False
        self._digest = digest
        try:
            self._pipeline.load_supergraph(text, str(self._path))
        except GatewayError as exc:
            log.error("supergraph %s not reloaded, keeping the previous one: %s", self._path, exc.message)
            return False
        log.info("supergraph reloaded from %s", self._path)
        return True

    async def run(self) -> None:
        """Poll until cancelled."""
        while True:
            await asyncio.sleep(self._interval)
            try:
                self.check_once()
            except Exception:
                log.exception("supergraph watcher failed; will retry")


def watch_context(
    pipeline: ManagedPipeline, path: str | Path, interval: float, initial_sdl: str | None = None
) -> Callable[[web.Application], contextlib.AbstractAsyncContextManager[None]]:
    """A ``cleanup_ctx`` entry that runs the watcher for the lifetime of the app."""

    @contextlib.asynccontextmanager
    async def ctx(_app: web.Application) -> AsyncIterator[None]:
        watcher = SupergraphWatcher(pipeline, path, interval, initial_sdl)
        task = asyncio.create_task(watcher.run(), name="supergraph-watcher")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return ctx
