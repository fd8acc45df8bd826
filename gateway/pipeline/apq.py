"""Automatic persisted queries (Apollo's APQ protocol) as a pipeline plugin.

Why: mobile and web clients (Apollo Client's persisted-query link) send a sha256 hash instead of a multi-KB
query once the gateway knows it; a gateway that refuses the protocol breaks those clients. The store is a
per-process LRU of query texts keyed by their hash: the hash is verified before anything is stored, so a
client can never make another client's hash resolve to different text.

Protocol: ``extensions.persistedQuery = {"version": 1, "sha256Hash": "<hex>"}``.
  - hash only, known   -> the stored query runs
  - hash only, unknown -> ``PERSISTED_QUERY_NOT_FOUND`` (the client retries with the query)
  - hash + query       -> the hash is checked (``PERSISTED_QUERY_HASH_MISMATCH``), stored, the query runs
"""

from __future__ import annotations

import hashlib
from typing import Any

from gateway.cache.lru import LRUCache
from gateway.config.model import PersistedQueriesConfig
from gateway.errors import make_error
from gateway.pipeline.context import BasePlugin, RequestContext
from gateway.pipeline.types import GraphQLResponse

PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
PERSISTED_QUERY_HASH_MISMATCH = "PERSISTED_QUERY_HASH_MISMATCH"


def _error(message: str, code: str, status: int) -> GraphQLResponse:
    return GraphQLResponse({"errors": [make_error(message, code)]}, status)


class PersistedQueriesPlugin(BasePlugin):
    """Resolves ``extensions.persistedQuery`` into ``request.query`` before parsing."""

    name = "persisted_queries"

    def __init__(self, config: PersistedQueriesConfig) -> None:
        self.enabled = config.enabled
        self.store: LRUCache[str, str] = LRUCache(config.max_entries)

    async def on_request(self, ctx: RequestContext) -> GraphQLResponse | None:
        extensions = ctx.request.extensions
        if not extensions or "persistedQuery" not in extensions:
            return None
        if not self.enabled:
            return _error("PersistedQueryNotSupported", PERSISTED_QUERY_NOT_SUPPORTED, 400)
        persisted: Any = extensions["persistedQuery"]
        if not isinstance(persisted, dict) or persisted.get("version") != 1:
            return _error("Unsupported persisted query version; expected version 1.", "BAD_REQUEST", 400)
        digest = persisted.get("sha256Hash")
        if not isinstance(digest, str) or not digest:
            return _error("extensions.persistedQuery.sha256Hash must be a string.", "BAD_REQUEST", 400)
        digest = digest.lower()
        query = ctx.request.query
        if query is None:
            stored = self.store.get(digest)
            if stored is None:
                # 200 like Apollo: this is the protocol's normal first round trip, not a failure
                return _error("PersistedQueryNotFound", PERSISTED_QUERY_NOT_FOUND, 200)
            ctx.request.query = stored
            return None
        if hashlib.sha256(query.encode()).hexdigest() != digest:
            return _error("provided sha does not match query", PERSISTED_QUERY_HASH_MISMATCH, 400)
        self.store.put(digest, query)
        return None
