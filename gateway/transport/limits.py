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


class ConcurrencyLimiter:
    """At most ``limit`` calls in flight; a caller waits at most ``max_wait`` for a slot, then gives up.

    Slots are handed over in arrival order (a releasing call gives its slot to the oldest waiter), so a waiter
    can never be overtaken by a newcomer and starve.
    """

    __slots__ = ("in_flight", "limit", "max_wait", "waiters")

    def __init__(self, limit: int, max_wait: float) -> None:
        self.limit = limit
        self.max_wait = max_wait
        self.in_flight = 0
        self.waiters: deque[asyncio.Future[None]] = deque()

    def try_acquire(self) -> bool:
        """Take a free slot without waiting (no coroutine: the hot path)."""
        if self.in_flight < self.limit and not self.waiters:
            self.in_flight += 1
            return True
        return False

    async def acquire(self, wait: float | None = None) -> bool:
        """Take a slot; False when none freed within ``wait`` (default ``max_wait``) seconds."""
        if self.in_flight < self.limit and not self.waiters:
            self.in_flight += 1
            return True
        wait = self.max_wait if wait is None else min(wait, self.max_wait)
        if wait <= 0:
            return False
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.waiters.append(waiter)
        try:
            async with asyncio.timeout(wait):
                await waiter
        except TimeoutError:
            if waiter.done() and not waiter.cancelled():
                return True  # the slot arrived just as the wait ran out: keep it
            waiter.cancel()
            return False
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # handed a slot, but the caller is gone: pass it on
            else:
                waiter.cancel()
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


class RetryBudget:
    """Retries may add at most ``ratio`` of the calls made in the last ``window`` seconds, plus
    ``min_per_second`` per second: however much a subgraph fails, retries never multiply its load."""

    __slots__ = ("_calls", "_clock", "_epochs", "_retries", "_width", "buckets", "min_per_second", "ratio")

    def __init__(
        self,
        ratio: float,
        min_per_second: float,
        window: float,
        buckets: int = 10,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ratio = ratio
        self.min_per_second = min_per_second
        self.buckets = buckets
        self._width = window / buckets
        self._clock = clock
        self._epochs = [-1] * buckets
        self._calls = [0] * buckets
        self._retries = [0] * buckets

    def _slot(self) -> int:
        epoch = int(self._clock() / self._width)
        index = epoch % self.buckets
        if self._epochs[index] != epoch:
            self._epochs[index] = epoch
            self._calls[index] = 0
            self._retries[index] = 0
        return index

    def record_call(self) -> None:
        """A first attempt was made (it earns ``ratio`` of a retry)."""
        self._calls[self._slot()] += 1

    def try_spend(self) -> bool:
        """Take one retry from the budget; False when it is spent."""
        index = self._slot()
        oldest = self._epochs[index] - self.buckets
        calls = retries = 0
        for i in range(self.buckets):
            if self._epochs[i] > oldest:
                calls += self._calls[i]
                retries += self._retries[i]
        allowed = self.ratio * calls + self.min_per_second * self._width * self.buckets
        if retries + 1 > allowed:
            return False
        self._retries[index] += 1
        return True
