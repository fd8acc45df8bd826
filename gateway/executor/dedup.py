"""Coalescing of identical in-flight subgraph queries (never mutations).

Why: under load many clients ask the same thing at once; one HTTP call can answer all of them. The key is
everything that can change the subgraph's answer: the subgraph, the exact body (query + variables) and the
forwarded headers. Nothing is kept once the call completes: this is not a cache.

The shared call runs in a task of its own, owned by nobody in particular: a waiter that leaves (its client
went away, its own deadline passed) never takes the call down with it while others still wait; the call is
cancelled only when its last waiter has left, so no work runs that nobody waits for.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

DedupKey = tuple[str, bytes, tuple[tuple[str, str], ...]]


class _Shared:
    __slots__ = ("task", "waiters")

    def __init__(self, task: asyncio.Future[Any]) -> None:
        self.task = task
        self.waiters = 0


class InFlightMap:
    """The first caller for a key starts the call; every caller (first included) awaits its result."""

    def __init__(self) -> None:
        self._inflight: dict[DedupKey, _Shared] = {}

    def __len__(self) -> int:
        return len(self._inflight)

    async def run(self, key: DedupKey, call: Callable[[], Awaitable[Any]]) -> Any:
        shared = self._inflight.get(key)
        if shared is None:
            shared = _Shared(asyncio.ensure_future(call()))
            self._inflight[key] = shared
            shared.task.add_done_callback(lambda task, k=key, s=shared: self._finished(k, s, task))
        shared.waiters += 1
        try:
            # shield: one waiter's cancellation must not cancel the call the others wait for
            return await asyncio.shield(shared.task)
        finally:
            shared.waiters -= 1
            if shared.waiters == 0 and not shared.task.done():
                # nobody waits any more: stop the work, and let a newcomer start a fresh call
                if self._inflight.get(key) is shared:
                    del self._inflight[key]
                shared.task.cancel()

    def _finished(self, key: DedupKey, shared: _Shared, task: asyncio.Future[Any]) -> None:
        if self._inflight.get(key) is shared:
            del self._inflight[key]
        if not task.cancelled():
            task.exception()  # retrieved here: the waiters may all have left
