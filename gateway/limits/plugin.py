"""The operation limits plugin: parser tokens before parsing, shape limits before planning.

Why two hooks: the token limit must hold before the parser runs (``on_request``); depth, height, aliases and
root fields need the parsed, validated operation (``on_operation``) and are measured once per prepared
operation. Violations answer 400 with Apollo Router's codes, before anything is sent to a subgraph.
"""

from __future__ import annotations

import logging
from typing import Any

from gateway.cache.lru import LRUCache
from gateway.config.policies import LimitsConfig
from gateway.errors import FormattedError, make_error
from gateway.limits.measure import OperationShape, measure_operation
from gateway.limits.tokens import exceeds_token_limit
from gateway.pipeline.context import BasePlugin, RequestContext
from gateway.pipeline.types import GraphQLResponse

log = logging.getLogger("gateway.limits")

MAX_DEPTH_LIMIT = "MAX_DEPTH_LIMIT"
MAX_HEIGHT_LIMIT = "MAX_HEIGHT_LIMIT"
MAX_ALIASES_LIMIT = "MAX_ALIASES_LIMIT"
MAX_ROOT_FIELDS_LIMIT = "MAX_ROOT_FIELDS_LIMIT"
# Apollo Router reports every parser failure, the token limit included, with this code.
PARSING_ERROR = "PARSING_ERROR"
STORE_KEY = "limits"
_SHAPES_KEPT = 2048
_TOKEN_VERDICTS_KEPT = 1024

_CHECKS = (
    ("max_depth", "depth", MAX_DEPTH_LIMIT, "Maximum depth limit exceeded in this operation"),
    (
        "max_height",
        "height",
        MAX_HEIGHT_LIMIT,
        "Maximum height (field count) limit exceeded in this operation",
    ),
    ("max_aliases", "aliases", MAX_ALIASES_LIMIT, "Maximum aliases limit exceeded in this operation"),
    (
        "max_root_fields",
        "root_fields",
        MAX_ROOT_FIELDS_LIMIT,
        "Maximum root fields limit exceeded in this operation",
    ),
)


class LimitsPlugin(BasePlugin):
    """Enforces ``LimitsConfig`` (or only logs violations with ``warn_only``)."""

    name = "limits"

    def __init__(self, config: LimitsConfig) -> None:
        self.config = config
        self._shapes: LRUCache[int, tuple[Any, OperationShape]] = LRUCache(_SHAPES_KEPT)
        # Long documents already lexed: query text -> too many tokens?
        self._token_verdicts: LRUCache[str, bool] = LRUCache(_TOKEN_VERDICTS_KEPT)

    def _reject(self, errors: list[FormattedError]) -> GraphQLResponse | None:
        if self.config.warn_only:
            for error in errors:
                log.warning("operation limit exceeded (warn_only): %s", error["message"])
            return None
        return GraphQLResponse({"errors": errors}, 400)

    async def on_request(self, ctx: RequestContext) -> GraphQLResponse | None:
        limit = self.config.parser_max_tokens
        query = ctx.request.query
        if limit is None or not query or len(query) <= limit:
            return None
        verdict = self._token_verdicts.get(query)
        if verdict is None:
            verdict = exceeds_token_limit(query, limit)
            self._token_verdicts.put(query, verdict)
        if not verdict:
            return None
        return self._reject(
            [make_error("parsing error: token limit reached, aborting lexing", PARSING_ERROR)]
        )

    def shape(self, ctx: RequestContext) -> OperationShape:
        """The measured shape of the client's operation (cached per prepared operation).

        The client's document is measured even if a plugin substituted a filtered operation to plan: the
        limits protect against what was sent.
        """
        prepared = ctx.prepared
        assert prepared is not None
        cached = self._shapes.get(id(prepared))
        if cached is not None and cached[0] is prepared:
            return cached[1]
        shape = measure_operation(prepared.operation, prepared.fragments, ctx.snapshot.api_schema)
        self._shapes.put(id(prepared), (prepared, shape))
        return shape

    async def on_operation(self, ctx: RequestContext) -> GraphQLResponse | None:
        shape = self.shape(ctx)
        ctx.store[STORE_KEY] = shape
        errors: list[FormattedError] = []
        for option, attribute, code, message in _CHECKS:
            limit = getattr(self.config, option)
            measured = getattr(shape, attribute)
            if limit is not None and measured > limit:
                errors.append(make_error(message, code, extensions={"limit": limit, "measured": measured}))
        return self._reject(errors) if errors else None
