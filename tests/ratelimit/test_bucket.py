"""Token bucket arithmetic with an injectable clock (in-memory store) and the same rules in Redis."""

from __future__ import annotations

import asyncio
import math

import pytest
import redis

from gateway.config.policies import RateLimitTier
from gateway.ratelimit.bucket import MemoryBuckets
from gateway.ratelimit.redis_store import RedisBuckets
from tests.ratelimit.support import REDIS_URL, private_redis, require_redis, unique_prefix
from tests.support.ports import free_port

TIER = RateLimitTier(capacity=10, refill_per_second=2)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_memory_bucket_math() -> None:
    clock = Clock()
    buckets = MemoryBuckets(clock)
    first = await buckets.take("c", TIER, 4)
    assert (first.allowed, first.remaining, first.limit) == (True, 6, 10)
    assert first.reset_after == pytest.approx(2.0)  # 4 tokens at 2/s
    refused = await buckets.take("c", TIER, 7)
    assert not refused.allowed
    assert refused.remaining == 6
    assert refused.retry_after == pytest.approx(0.5)  # one token missing at 2/s
    clock.now += 0.5
    passed = await buckets.take("c", TIER, 7)
    assert passed.allowed
    assert passed.remaining == pytest.approx(0)
    assert passed.reset_after == pytest.approx(5.0)
    clock.now += 100
    full = await buckets.take("c", TIER, 1)
    assert full.remaining == pytest.approx(9)  # refill is capped at capacity


async def test_memory_buckets_are_per_client_and_never_pass_cost_over_capacity() -> None:
    clock = Clock()
    buckets = MemoryBuckets(clock)
    assert (await buckets.take("a", TIER, 10)).allowed
    assert (await buckets.take("b", TIER, 10)).allowed
    too_big = await buckets.take("c", TIER, 11)
    assert not too_big.allowed
    assert math.isinf(too_big.retry_after)


async def test_memory_buckets_forget_least_recent_clients() -> None:
    clock = Clock()
    buckets = MemoryBuckets(clock, max_clients=2)
    await buckets.take("a", TIER, 10)
    await buckets.take("b", TIER, 10)
    await buckets.take("c", TIER, 10)
    assert (await buckets.take("a", TIER, 10)).allowed  # "a" was evicted: a full bucket again


@pytest.mark.redis
async def test_redis_bucket_follows_the_same_rules() -> None:
    require_redis()
    with unique_prefix() as prefix:
        buckets = RedisBuckets(REDIS_URL, prefix, 0.5)
        try:
            tier = RateLimitTier(capacity=10, refill_per_second=0.001)
            first = await buckets.take("c", tier, 4)
            assert (first.allowed, first.limit) == (True, 10)
            assert first.remaining == pytest.approx(6, abs=0.01)
            refused = await buckets.take("c", tier, 7)
            assert not refused.allowed
            assert refused.retry_after == pytest.approx(1000, rel=0.02)
            ttl = redis.Redis.from_url(REDIS_URL).pttl(prefix + "c")
            assert 0 < ttl <= 4_001_000  # expires once the bucket would be full again
        finally:
            await buckets.close()


@pytest.mark.redis
async def test_redis_bucket_is_atomic_under_concurrency() -> None:
    require_redis()
    with unique_prefix() as prefix:
        stores = [RedisBuckets(REDIS_URL, prefix, 1.0) for _ in range(4)]  # four "gateways"
        try:
            tier = RateLimitTier(capacity=20, refill_per_second=0.0001)
            decisions = await asyncio.gather(*(stores[i % 4].take("shared", tier, 1) for i in range(60)))
            assert sum(d.allowed for d in decisions) == 20
        finally:
            for store in stores:
                await store.close()


@pytest.mark.redis
async def test_redis_script_is_reloaded_after_script_flush() -> None:
    port = free_port()
    with private_redis(port):  # a private server: flushing scripts must not disturb anyone else
        url = f"redis://127.0.0.1:{port}/0"
        buckets = RedisBuckets(url, "t:", 1.0)
        try:
            tier = RateLimitTier(capacity=5, refill_per_second=1)
            assert (await buckets.take("c", tier, 1)).allowed
            redis.Redis.from_url(url).script_flush()  # as after a Redis restart
            assert (await buckets.take("c", tier, 1)).allowed  # EVALSHA miss -> loaded again
        finally:
            await buckets.close()
