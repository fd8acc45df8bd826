"""A JWKS URL's keys: fetched at start, polled, refetched on an unknown ``kid`` at a bounded rate.

Why a cache with a rate limit: identity providers rotate keys by publishing the new key before signing with
it, so a token with an unknown ``kid`` usually means "refetch now". But an attacker can send endless random
``kid`` values, so a refetch happens at most once per ``min_refetch_interval``. When the endpoint is down the
last good keys keep serving: an outage of the identity provider must not log everybody out.
"""

from __future__ import annotations

import asyncio
import logging
import time

import aiohttp

from gateway.auth.keys import KeyLoadError, VerificationKey, keys_from_jwks
from gateway.config.auth import JwtKeySource

log = logging.getLogger("gateway.auth")


class JwksCache:
    """The keys of one JWKS URL."""

    def __init__(self, source: JwtKeySource) -> None:
        assert source.url is not None
        self.source = source
        self.url: str = source.url
        self.keys: tuple[VerificationKey, ...] = ()
        self.fetches = 0  # successful fetches, for tests and metrics
        self._last_attempt = float("-inf")
        self._lock = asyncio.Lock()
        self._session: aiohttp.ClientSession | None = None
        self._poller: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Fetch once (a failure is logged, not fatal) and start polling."""
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.source.fetch_timeout))
        await self.refresh()
        self._poller = asyncio.create_task(self._poll(), name=f"jwks-poll {self.url}")

    async def close(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            try:
                await self._poller
            except asyncio.CancelledError:
                pass
            self._poller = None
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def _poll(self) -> None:
        while True:
            await asyncio.sleep(self.source.poll_interval)
            try:
                await self.refresh()
            except Exception:  # the poller must survive anything a fetch can raise; keys stay cached
                log.exception("JWKS %s poll failed; keeping cached keys", self.url)

    async def refresh(self) -> bool:
        """Fetch the JWKS now; keep the cached keys on any failure. Returns whether the fetch succeeded."""
        async with self._lock:
            return await self._fetch()

    async def refetch_for_unknown_kid(self) -> bool:
        """Refetch unless one happened less than ``min_refetch_interval`` ago; True when keys were fetched.

        Concurrent callers wait on the same lock, and the interval check runs under it, so a burst of tokens
        with unknown kids causes one fetch.
        """
        async with self._lock:
            if time.monotonic() - self._last_attempt < self.source.min_refetch_interval:
                return False
            return await self._fetch()

    async def _fetch(self) -> bool:
        self._last_attempt = time.monotonic()
        session = self._session
        if session is None:
            return False
        try:
            async with session.get(self.url, headers={"accept": "application/json"}) as response:
                if response.status != 200:
                    log.warning("JWKS %s answered HTTP %d; keeping cached keys", self.url, response.status)
                    return False
                document = await response.json(content_type=None)
            keys = keys_from_jwks(document)
        except (aiohttp.ClientError, TimeoutError, ValueError, KeyLoadError) as exc:
            log.warning("JWKS %s fetch failed (%s); keeping %d cached keys", self.url, exc, len(self.keys))
            return False
        self.keys = keys
        self.fetches += 1
        log.info("JWKS %s: %d keys", self.url, len(keys))
        return True
