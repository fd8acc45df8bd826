"""Coalescing of identical in-flight subgraph queries (never mutations).

Why: under load many clients ask the same thing at once; one HTTP call can answer all of them. The key is
everything that can change the subgraph's answer: the subgraph, the exact body (query + variables) and the
forwarded headers. Nothing is kept once the call completes: this is not a cache.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

DedupKey = tuple[str, bytes, tuple[tuple[str, str], ...]]


class InFlightMap:
    """Leader/follower map: the first caller for a key runs the call, later ones await its result."""

    def __init__(self) -> None:
        self._inflight: dict[DedupKey, asyncio.Future[Any]] = {}

    def __len__(self) -> int:
        return len(self._inflight)

    async def run(self, key: DedupKey, call: Callable[[], Awaitable[Any]]) -> Any:
        existing = self._inflight.get(key)
        if existing is not None:
            # shield: a follower cancelled by its own client must not cancel the leader's call
            return await asyncio.shield(existing)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            result = await call()
        except BaseException as error:
            if not future.done():
                if isinstance(error, asyncio.CancelledError):
                    future.cancel()
                else:
                    future.set_exception(error)
                    future.exception()  # mark retrieved: followers may be none
            raise
        else:
            future.set_result(result)
            return result
        finally:
            self._inflight.pop(key, None)
