"""The Redis client every gateway feature uses: fails fast, never retries.

Why: Redis sits on the request path (rate limit buckets, the shared APQ store) as an optimisation or a shared
view, never as something a request may wait on. A call must fail within the configured timeout, connecting
included, so the caller can fall back (allow, refuse, or use its local cache) instead of holding the request;
redis-py's defaults (no socket timeout, retry on timeout, periodic health checks) would do the opposite.
"""

from __future__ import annotations

import redis.asyncio as redis_asyncio


def fast_failing_client(url: str, timeout: float) -> redis_asyncio.Redis:
    """A client for ``url`` whose connects and calls each give up after ``timeout`` seconds."""
    return redis_asyncio.Redis.from_url(
        url,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry_on_timeout=False,
        health_check_interval=0,
    )
