"""Where automatic persisted queries are kept: a per-process LRU, optionally in front of Redis.

Why Redis: behind a load balancer the request that registers a hash (hash + query) and the next one (hash
only) often reach different instances; with a shared store every instance knows a hash registered on any
one. The per-process LRU stays as the first level, so a known hash costs no network round trip.

Redis failures (refused, timeout; the timeout is short) never fail a request: the store falls back to the
local LRU alone, counts the failure and logs it at most once per ``_LOG_EVERY`` seconds. redis-py reconnects
on the next call, so recovery is automatic. Only texts whose hash was verified are ever stored.
"""

from __future__ import annotations

import logging
import math
import time

import redis

from gateway.cache.lru import LRUCache
from gateway.cache.redis_client import fast_failing_client

log = logging.getLogger("gateway.apq")

_LOG_EVERY = 10.0
_REDIS_FAILURES = (redis.RedisError, OSError, TimeoutError)


class MemoryAPQStore:
    """Query texts by sha256 in a per-process LRU."""

    def __init__(self, max_entries: int) -> None:
        self.local: LRUCache[str, str] = LRUCache(max_entries)

    async def get(self, digest: str) -> str | None:
        return self.local.get(digest)

    async def put(self, digest: str, query: str) -> None:
        self.local.put(digest, query)

    async def close(self) -> None:
        return None


class RedisAPQStore(MemoryAPQStore):
    """The LRU first, then Redis (``GET``/``SET`` with a TTL under ``prefix + sha256``)."""

    def __init__(self, max_entries: int, url: str, prefix: str, ttl: float, timeout: float) -> None:
        super().__init__(max_entries)
        self._client = fast_failing_client(url, timeout)
        self._prefix = prefix
        self._ttl_ms = max(1, math.ceil(ttl * 1000))
        self.redis_errors = 0
        self._last_log = -math.inf

    def _log_failure(self, error: BaseException) -> None:
        self.redis_errors += 1
        now = time.monotonic()
        if now - self._last_log >= _LOG_EVERY:
            self._last_log = now
            log.warning(
                "APQ store unavailable (%s: %s); using this process's cache only (%d failures so far)",
                type(error).__name__,
                error,
                self.redis_errors,
            )

    async def get(self, digest: str) -> str | None:
        found = self.local.get(digest)
        if found is not None:
            return found
        try:
            raw = await self._client.get(self._prefix + digest)
        except _REDIS_FAILURES as error:
            self._log_failure(error)
            return None
        if raw is None:
            return None
        query = raw.decode() if isinstance(raw, bytes) else str(raw)
        self.local.put(digest, query)
        return query

    async def put(self, digest: str, query: str) -> None:
        self.local.put(digest, query)
        try:
            await self._client.set(self._prefix + digest, query, px=self._ttl_ms)
        except _REDIS_FAILURES as error:
            self._log_failure(error)

    async def close(self) -> None:
        await self._client.aclose()
