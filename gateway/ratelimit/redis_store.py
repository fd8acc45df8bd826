"""Token buckets in Redis, updated atomically by one Lua script, shared by every gateway instance.

Why Lua: read-refill-take-write must be atomic or two gateways could both spend the last tokens. The script
runs inside Redis (``EVALSHA``; redis-py's ``register_script`` loads it again after a Redis restart) and uses
Redis' own clock (``TIME``), so gateways with skewed clocks agree. Keys expire once the bucket would be full
again, so idle clients cost no memory. Timeouts are short: a slow Redis must not slow every request; the
plugin decides what a failure means (fail open or closed).
"""

from __future__ import annotations

from gateway.cache.redis_client import fast_failing_client
from gateway.config.policies import RateLimitTier
from gateway.ratelimit.bucket import Decision, decide

# KEYS[1] bucket key; ARGV: capacity, refill per second, cost. Returns {allowed (0/1), tokens after}.
TAKE_SCRIPT = """
local capacity = tonumber(ARGV[1])
local rate = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1])
local ts = tonumber(state[2])
if tokens == nil or ts == nil then
  tokens = capacity
  ts = now
end
local elapsed = now - ts
if elapsed < 0 then elapsed = 0 end
tokens = math.min(capacity, tokens + elapsed * rate)
local allowed = 0
if tokens >= cost then
  tokens = tokens - cost
  allowed = 1
end
redis.call('HSET', KEYS[1], 'tokens', string.format('%.17g', tokens), 'ts', string.format('%.17g', now))
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) / rate * 1000) + 1000)
return {allowed, string.format('%.17g', tokens)}
"""


class RedisBuckets:
    """Buckets in Redis under ``prefix + client key``; calls may raise ``RedisError`` or ``OSError``."""

    def __init__(self, url: str, prefix: str, timeout: float) -> None:
        self._client = fast_failing_client(url, timeout)
        self._prefix = prefix
        self._script = self._client.register_script(TAKE_SCRIPT)

    async def take(self, key: str, tier: RateLimitTier, cost: float) -> Decision:
        reply = await self._script(
            keys=[self._prefix + key], args=[repr(tier.capacity), repr(tier.refill_per_second), repr(cost)]
        )
        tokens_after = float(reply[1])
        allowed = bool(int(reply[0]))
        # Rebuild the decision from the bucket as it was before this request (same arithmetic as in memory).
        before = tokens_after + cost if allowed else tokens_after
        return decide(tier, before, cost)[2]

    async def close(self) -> None:
        await self._client.aclose()
