"""The rate limit plugin: charge each operation's estimated cost to its client's token bucket.

Why after demand control: the charge is the estimated cost (``ctx.store["cost"]``, at least 1), so an
expensive operation uses more of the budget than a cheap one. Clients are keyed by JWT ``sub``, else API key
client id, else client IP, and get the bucket shape of their tier (``principal.tier``, else the default).

Headers (IETF draft-ietf-httpapi-ratelimit-headers, the separate-fields form of draft 07):
``RateLimit-Limit`` (bucket capacity), ``RateLimit-Remaining`` (whole tokens left), ``RateLimit-Reset``
(seconds until the bucket is full again) on every response that reached the limiter; a refused request gets
429, ``Retry-After`` (seconds until it could pass) and code ``RATE_LIMITED``.

Redis failures (refused, timeout) never become a 500: by configuration the request is allowed (fail open) or
refused with 429 (fail closed); failures are counted and logged at most once per ``_LOG_EVERY`` seconds.
redis-py reconnects on the next call, so recovery is automatic.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

import redis

from gateway.config.policies import RateLimitConfig, RateLimitTier
from gateway.errors import make_error
from gateway.pipeline.context import BasePlugin, RequestContext
from gateway.pipeline.types import GraphQLResponse
from gateway.ratelimit.bucket import Decision, MemoryBuckets
from gateway.ratelimit.redis_store import RedisBuckets

log = logging.getLogger("gateway.ratelimit")

RATE_LIMITED = "RATE_LIMITED"
STORE_KEY = "rate_limit"
_LOG_EVERY = 10.0
_REDIS_FAILURES = (redis.RedisError, OSError, TimeoutError)


def client_key(ctx: RequestContext) -> str:
    """Who pays: ``sub:<jwt sub>``, ``client:<api key client id>`` or ``ip:<address>``."""
    principal: Any = ctx.principal
    if principal is not None:
        subject = getattr(principal, "subject", None)
        if subject:
            return f"sub:{subject}"
        client_id = getattr(principal, "client_id", None)
        if client_id:
            return f"client:{client_id}"
    return f"ip:{ctx.request.client_address or 'unknown'}"


def _headers(decision: Decision) -> dict[str, str]:
    reset = decision.reset_after
    return {
        "RateLimit-Limit": f"{decision.limit:g}",
        "RateLimit-Remaining": str(max(0, math.floor(decision.remaining))),
        "RateLimit-Reset": str(max(0, math.ceil(reset))),
    }


class RateLimitPlugin(BasePlugin):
    """Token buckets in Redis (``redis_url``) or in memory."""

    name = "rate_limit"

    def __init__(self, config: RateLimitConfig, store: Any = None) -> None:
        self.config = config
        if store is not None:
            self.store = store
        elif config.redis_url:
            self.store = RedisBuckets(config.redis_url, config.key_prefix, config.redis_timeout)
        else:
            self.store = MemoryBuckets()
        self.redis_errors = 0
        self._last_log = -math.inf

    async def close(self) -> None:
        await self.store.close()

    def tier(self, ctx: RequestContext) -> tuple[str, RateLimitTier]:
        name = getattr(ctx.principal, "tier", None) if ctx.principal is not None else None
        if not isinstance(name, str) or name not in self.config.tiers:
            name = self.config.default_tier
        return name, self.config.tiers[name]

    def _log_failure(self, error: BaseException) -> None:
        self.redis_errors += 1
        now = time.monotonic()
        if now - self._last_log >= _LOG_EVERY:
            self._last_log = now
            log.warning(
                "rate limit store unavailable (%s: %s); %s requests (%d failures so far)",
                type(error).__name__,
                error,
                "allowing" if self.config.on_redis_error == "allow" else "refusing",
                self.redis_errors,
            )

    async def on_operation(self, ctx: RequestContext) -> GraphQLResponse | None:
        numbers = ctx.store.get("cost") or {}
        estimated = numbers.get("estimated")
        cost = max(1.0, float(estimated)) if isinstance(estimated, int | float) else 1.0
        tier_name, tier = self.tier(ctx)
        key = client_key(ctx)
        try:
            decision = await self.store.take(f"{tier_name}:{key}", tier, cost)
        except _REDIS_FAILURES as error:
            self._log_failure(error)
            ctx.metrics.redis_error()
            ctx.store[STORE_KEY] = {"client": key, "tier": tier_name, "cost": cost, "store_error": True}
            if self.config.on_redis_error == "allow":
                ctx.metrics.rate_limit("failed_open")
                return None
            ctx.metrics.rate_limit("failed_closed")
            message = "rate limiting is unavailable; try again later"
            return GraphQLResponse({"errors": [make_error(message, RATE_LIMITED)]}, 429, {"Retry-After": "1"})
        ctx.store[STORE_KEY] = {"client": key, "tier": tier_name, "cost": cost, "decision": decision}
        ctx.response_headers.update(_headers(decision))
        ctx.metrics.rate_limit("allowed" if decision.allowed else "limited")
        if decision.allowed:
            return None
        retry = decision.retry_after
        retry_header = (
            str(max(1, math.ceil(retry))) if math.isfinite(retry) else str(math.ceil(decision.reset_after))
        )
        message = (
            f"rate limit exceeded: this operation costs {cost:g} and {decision.remaining:g} of "
            f"{decision.limit:g} remain"
        )
        error = make_error(
            message, RATE_LIMITED, extensions={"cost": cost, "retryAfter": float(retry_header)}
        )
        return GraphQLResponse({"errors": [error]}, 429, {"Retry-After": retry_header})
