"""Token bucket arithmetic and the in-memory bucket store (one gateway process).

Why a token bucket in cost units: a client may burst up to ``capacity`` cost units and sustains
``refill_per_second``; an expensive operation drains more than a cheap one. The arithmetic is a pure function
so the Redis Lua script and the in-memory store follow the same rules, and the clock is injectable so the
math is tested without sleeping.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from gateway.config.policies import RateLimitTier


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome of taking ``cost`` tokens from one bucket."""

    allowed: bool
    limit: float
    remaining: float  # tokens left after this request (unchanged when refused)
    retry_after: float  # seconds until this request could pass (0 when allowed)
    reset_after: float  # seconds until the bucket is full again


def decide(tier: RateLimitTier, tokens: float, cost: float) -> tuple[bool, float, Decision]:
    """Take ``cost`` from a bucket holding ``tokens`` (refilled): (allowed, tokens after, decision)."""
    capacity, rate = tier.capacity, tier.refill_per_second
    allowed = tokens >= cost
    after = tokens - cost if allowed else tokens
    retry = 0.0 if allowed else ((cost - tokens) / rate if cost <= capacity else math.inf)
    reset = (capacity - after) / rate
    return allowed, after, Decision(allowed, capacity, after, retry, reset)


def refill(tier: RateLimitTier, tokens: float, elapsed: float) -> float:
    """Tokens after ``elapsed`` seconds of refill, capped at capacity."""
    return min(tier.capacity, tokens + max(0.0, elapsed) * tier.refill_per_second)


class MemoryBuckets:
    """Buckets kept in this process, bounded (least recently used clients are forgotten, i.e. refilled)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, max_clients: int = 100_000) -> None:
        self._clock = clock
        self._max = max_clients
        self._state: OrderedDict[str, tuple[float, float]] = OrderedDict()

    async def take(self, key: str, tier: RateLimitTier, cost: float) -> Decision:
        now = self._clock()
        state = self._state.get(key)
        tokens = tier.capacity if state is None else refill(tier, state[0], now - state[1])
        _allowed, after, decision = decide(tier, tokens, cost)
        self._state[key] = (after, now)
        self._state.move_to_end(key)
        while len(self._state) > self._max:
            self._state.popitem(last=False)
        return decision

    async def close(self) -> None:
        return None
