"""Per-subgraph concurrency bound and retry budget: the two counters that keep a sick subgraph's load bounded.

Why here, beside the transport: both count real HTTP calls to one subgraph URL, below in-flight coalescing (a
coalesced fetch makes no call and takes no slot), and both must cost next to nothing on the fast path: the
limiter is a counter until it is full, the budget two list updates per call.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable

from gateway.transport.window import RollingCounts


class ConcurrencyLimiter:
    """At most ``limit`` holders at once; a caller waits at most ``max_wait`` for a slot (and, with
    ``max_waiters``, only while fewer than that many already wait), then gives up.

    Slots are handed over in arrival order (a releasing holder gives its slot to the oldest waiter), so a
    waiter can never be overtaken by a newcomer and starve. One mechanism for both bounds of the gateway: the
    calls in flight to one subgraph (transport) and the client requests running at once (HTTP admission).
    Everything runs on the event loop's thread: plain integers and a deque need no lock.
    """

    __slots__ = ("in_flight", "limit", "max_wait", "max_waiters", "waiters")

    def __init__(self, limit: int, max_wait: float, max_waiters: int | None = None) -> None:
        self.limit = limit
        self.max_wait = max_wait
        self.max_waiters = max_waiters
        self.in_flight = 0
        # only callers still waiting: a waiter leaves on hand-over, expiry or cancellation
        self.waiters: deque[asyncio.Future[None]] = deque()

    def try_acquire(self) -> bool:
        """Take a free slot without waiting (no coroutine: the hot path)."""
        if self.in_flight < self.limit and not self.waiters:
            self.in_flight += 1
            return True
        return False

    async def acquire(self, wait: float | None = None) -> bool:
        """Take a slot; False when none freed within ``wait`` (default ``max_wait``) seconds, or when the
        waiting line is full."""
        if self.try_acquire():
            return True
        wait = self.max_wait if wait is None else min(wait, self.max_wait)
        if wait <= 0 or (self.max_waiters is not None and len(self.waiters) >= self.max_waiters):
            return False
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            async with asyncio.timeout(wait):
                await waiter
        except TimeoutError:
            if waiter.done() and not waiter.cancelled():
                return True  # the slot arrived just as the wait ran out: keep it
            self._discard(waiter)
            return False
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed a slot, but the caller is gone: pass it on
            else:
                self._discard(waiter)
            raise
        return True

    def release(self) -> None:
        """Give the slot to the oldest live waiter, or free it."""
        while self.waiters:
            waiter = self.waiters.popleft()
            if not waiter.done():
                waiter.set_result(None)
                return
        self.in_flight -= 1

    def _discard(self, waiter: asyncio.Future[None]) -> None:
        waiter.cancel()
        try:
            self.waiters.remove(waiter)
        except ValueError:
            pass


class RetryBudget:
    """Retries may add at most ``ratio`` of the calls made in the last ``window`` seconds, plus
    ``min_per_second`` per second: however much a subgraph fails, retries never multiply its load."""

    __slots__ = ("_counts", "_floor", "ratio")

    def __init__(
        self,
        ratio: float,
        min_per_second: float,
        window: float,
        buckets: int = 10,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ratio = ratio
        self._floor = min_per_second * window
        self._counts = RollingCounts(window, buckets, clock)  # (first attempts, retries)

    def record_call(self) -> None:
        """A first attempt was made (it earns ``ratio`` of a retry)."""
        self._counts.add(1)

    def try_spend(self) -> bool:
        """Take one retry from the budget; False when it is spent."""
        calls, retries = self._counts.sums()
        if retries + 1 > self.ratio * calls + self._floor:
            return False
        self._counts.add(0, 1)
        return True
