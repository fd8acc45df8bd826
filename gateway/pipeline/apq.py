"""Persisted queries as a pipeline plugin: automatic persisted queries (Apollo's APQ protocol) and trusted
documents from a manifest (``gateway.pipeline.manifest``), with an optional safelist.

Why: mobile and web clients (Apollo Client's persisted-query link) send a sha256 hash instead of a multi-KB
query once the gateway knows it; a gateway that refuses the protocol breaks those clients. The APQ store is a
per-process LRU of query texts keyed by their hash, optionally in front of Redis shared by every instance
(``gateway.pipeline.apq_store``): the hash is verified before anything is stored, so a client can never make
another client's hash resolve to different text.

APQ protocol: ``extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}``.
  - hash only, known   -> the stored query runs
  - hash only, unknown -> ``PERSISTED_QUERY_NOT_FOUND`` (the client retries with the query)
  - hash + query       -> the hash is checked (``PERSISTED_QUERY_HASH_MISMATCH``), stored, the query runs

Trusted documents: ``documentId`` (a top-level request parameter) or ``extensions.persistedQuery.sha256Hash``
naming a manifest id runs the manifest's text; an unknown ``documentId`` is ``PERSISTED_QUERY_NOT_FOUND``.
Safelist ``enforce`` refuses every other document (full text, APQ) with 400 ``PERSISTED_QUERY_NOT_IN_LIST``
unless its text is in the manifest; ``log`` lets them through, logs them (rate-limited) and counts them.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from gateway.config.model import PersistedQueriesConfig
from gateway.errors import make_error
from gateway.pipeline.apq_store import MemoryAPQStore, RedisAPQStore
from gateway.pipeline.context import BasePlugin, RequestContext
from gateway.pipeline.manifest import Manifest, sha256_hex
from gateway.pipeline.types import GraphQLResponse

log = logging.getLogger("gateway.apq")

PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"
PERSISTED_QUERY_NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
_LOG_EVERY = 10.0


def _error(message: str, code: str, status: int) -> GraphQLResponse:
    return GraphQLResponse({"errors": [make_error(message, code)]}, status)


def build_store(config: PersistedQueriesConfig) -> MemoryAPQStore:
    if config.store == "redis" and config.redis_url:
        return RedisAPQStore(
            config.max_entries, config.redis_url, config.key_prefix, config.ttl, config.redis_timeout
        )
    return MemoryAPQStore(config.max_entries)


class PersistedQueriesPlugin(BasePlugin):
    """Resolves ``documentId`` / ``extensions.persistedQuery`` into ``request.query`` before parsing, and
    applies the safelist."""

    name = "persisted_queries"

    def __init__(
        self,
        config: PersistedQueriesConfig,
        manifest: Manifest | None = None,
        store: MemoryAPQStore | None = None,
    ) -> None:
        """Loads ``config.manifest`` unless ``manifest`` is given; a bad file raises ``ManifestError``."""
        self.enabled = config.enabled
        self.safelist = config.safelist
        if manifest is None and config.manifest:
            manifest = Manifest.load(config.manifest)
        self.manifest = manifest
        self.store = store if store is not None else build_store(config)
        self.not_in_list = 0  # documents outside the manifest seen in safelist mode (refused or logged)
        self._last_log = -math.inf

    async def close(self) -> None:
        await self.store.close()

    def _outside_list(self, query: str) -> GraphQLResponse | None:
        """The safelist decision for a document that did not come from the manifest."""
        if self.safelist == "off" or self.manifest is None or self.manifest.contains_text(query):
            return None
        self.not_in_list += 1
        if self.safelist == "enforce":
            return _error("PersistedQueryNotInList", PERSISTED_QUERY_NOT_IN_LIST, 400)
        now = time.monotonic()
        if now - self._last_log >= _LOG_EVERY:
            self._last_log = now
            log.warning(
                "operation not in the persisted query manifest (sha256 %s); allowed by safelist: log "
                "(%d so far)",
                sha256_hex(query),
                self.not_in_list,
            )
        return None

    async def on_request(self, ctx: RequestContext) -> GraphQLResponse | None:
        request = ctx.request
        extensions = request.extensions
        if request.document_id is not None:
            return self._by_document_id(request.document_id, ctx)
        if not extensions or "persistedQuery" not in extensions:
            return None if request.query is None else self._outside_list(request.query)
        if not self.enabled and self.manifest is None:
            return _error("PersistedQueryNotSupported", PERSISTED_QUERY_NOT_SUPPORTED, 400)
        persisted: Any = extensions["persistedQuery"]
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            return _error("Unsupported persisted query version; expected version 1.", "BAD_REQUEST", 400)
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or not digest:
            return _error("extensions.persistedQuery.sha256Hash must be a string.", "BAD_REQUEST", 400)
        query = request.query
        trusted = self.manifest.get(digest) if self.manifest is not None else None
        if trusted is not None:
            if query is not None and query != trusted and sha256_hex(query) != digest.lower():
                return _error("provided sha does not match query", PERSISTED_QUERY_HASH_MISMATCH, 400)
            request.query = trusted
            return None
        if not self.enabled:
            # a manifest but no APQ: the hash names nothing the gateway knows
            return _error("PersistedQueryNotFound", PERSISTED_QUERY_NOT_FOUND, 400)
        digest = digest.lower()
        if query is None:
            stored = await self.store.get(digest)
            if stored is None:
                # 200 like Apollo: this is the protocol's normal first round trip, not a failure
                return _error("PersistedQueryNotFound", PERSISTED_QUERY_NOT_FOUND, 200)
            request.query = stored
            # a shared store may hold texts registered by an instance that does not enforce the list
            return self._outside_list(stored)
        if sha256_hex(query) != digest:
            return _error("provided sha does not match query", PERSISTED_QUERY_HASH_MISMATCH, 400)
        refused = self._outside_list(query)
        if refused is not None:
            return refused
        await self.store.put(digest, query)
        return None

    def _by_document_id(self, document_id: str, ctx: RequestContext) -> GraphQLResponse | None:
        if self.manifest is None:
            return _error("documentId needs a persisted query manifest", PERSISTED_QUERY_NOT_SUPPORTED, 400)
        body = self.manifest.get(document_id)
        if body is None:
            return _error(f"unknown documentId {document_id!r}", PERSISTED_QUERY_NOT_FOUND, 400)
        if ctx.request.query is not None and ctx.request.query != body:
            return _error("the query does not match the documentId's document", "BAD_REQUEST", 400)
        ctx.request.query = body
        return None
