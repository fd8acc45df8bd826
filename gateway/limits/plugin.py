"""The operation limits plugin: every limit is checked before the gateway parses, validates or plans.

Why before the pipeline's own parse: validation and planning cost grows with the *expanded* operation, so a
fragment bomb (fragments spreading each other twice per level) or a deep nesting must be refused before
graphql-core validates it or the planner expands it. This plugin parses new documents itself (parsing is
linear, validation and planning are not), measures them once (``measure.py``, linear thanks to per-fragment
memoisation) and caches the verdict per (query text, operation name), so a repeated operation costs one dict
lookup. Violations answer 400 with Apollo Router's codes before anything is sent to a subgraph.
"""

from __future__ import annotations

import hashlib
import logging

from graphql import GraphQLError, parse

from gateway.cache.lru import LRUCache
from gateway.config.policies import LimitsConfig
from gateway.errors import FormattedError, make_error
from gateway.limits.measure import OperationShape, measure_operation
from gateway.limits.tokens import exceeds_token_limit
from gateway.pipeline.context import BasePlugin, RequestContext
from gateway.pipeline.types import GraphQLResponse
from gateway.planner.operation import find_operation, fragments_of

log = logging.getLogger("gateway.limits")

MAX_DEPTH_LIMIT = "MAX_DEPTH_LIMIT"
MAX_HEIGHT_LIMIT = "MAX_HEIGHT_LIMIT"
MAX_ALIASES_LIMIT = "MAX_ALIASES_LIMIT"
MAX_ROOT_FIELDS_LIMIT = "MAX_ROOT_FIELDS_LIMIT"
MAX_RECURSIVE_SELECTIONS_LIMIT = "MAX_RECURSIVE_SELECTIONS_LIMIT"
# Apollo Router reports every parser failure, the token limit included, with this code.
PARSING_ERROR = "PARSING_ERROR"
TOKEN_LIMIT_MESSAGE = "parsing error: token limit reached, aborting lexing"
STORE_KEY = "limits"
_VERDICTS_KEPT = 2048
_KEY_TEXT_MAX = 4096

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
    (
        "max_recursive_selections",
        "selections",
        MAX_RECURSIVE_SELECTIONS_LIMIT,
        "Maximum recursive selections limit exceeded in this operation",
    ),
)


def _query_key(query: str) -> tuple[bool, str]:
    """The cache key of a query text: itself when short, a digest when long.

    Why: verdicts are also kept for refused documents, which the pipeline never caches; keeping a few
    thousand multi-megabyte attack documents alive would be a memory attack of its own.
    """
    if len(query) <= _KEY_TEXT_MAX:
        return False, query
    return True, hashlib.blake2b(query.encode("utf-8", "surrogatepass"), digest_size=20).hexdigest()


class _Verdict:
    """What the limits say about one (query, operation name): the shape (if parsed) and the errors."""

    __slots__ = ("errors", "shape")

    def __init__(self, shape: OperationShape | None, errors: list[FormattedError]) -> None:
        self.shape = shape
        self.errors = errors


class LimitsPlugin(BasePlugin):
    """Enforces ``LimitsConfig`` (or only logs violations with ``warn_only``)."""

    name = "limits"

    def __init__(self, config: LimitsConfig) -> None:
        self.config = config
        self._verdicts: LRUCache[tuple[tuple[bool, str], str | None], _Verdict] = LRUCache(_VERDICTS_KEPT)
        self._verdicts_for: object = None  # the schema generation the verdicts were measured against

    def check(self, ctx: RequestContext, query: str) -> _Verdict:
        """Tokens, then shape; a document that does not parse is left to the pipeline's error."""
        limit = self.config.parser_max_tokens
        if limit is not None and exceeds_token_limit(query, limit):
            # Apollo Router's message and code; the configured value is in ``extensions.limit``, as for the
            # shape limits (counting stops past the limit, so there is no ``measured``).
            return _Verdict(
                None, [make_error(TOKEN_LIMIT_MESSAGE, PARSING_ERROR, extensions={"limit": limit})]
            )
        try:
            document = parse(query, no_location=True, max_tokens=limit)
        except GraphQLError:
            return _Verdict(None, [])
        operation = find_operation(document, ctx.request.operation_name)
        if operation is None:
            return _Verdict(None, [])
        schema = ctx.snapshot.api_schema if ctx.snapshot is not None else None
        shape = measure_operation(operation, fragments_of(document), schema)
        errors: list[FormattedError] = []
        for option, attribute, code, message in _CHECKS:
            maximum = getattr(self.config, option)
            measured = getattr(shape, attribute)
            if maximum is not None and measured > maximum:
                errors.append(make_error(message, code, extensions={"limit": maximum, "measured": measured}))
        return _Verdict(shape, errors)

    async def on_request(self, ctx: RequestContext) -> GraphQLResponse | None:
        query = ctx.request.query
        if not query:
            return None
        if ctx.snapshot is not self._verdicts_for:
            self._verdicts = LRUCache(_VERDICTS_KEPT)  # height depends on the schema's field types
            self._verdicts_for = ctx.snapshot
        key = (_query_key(query), ctx.request.operation_name)
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self.check(ctx, query)
            self._verdicts.put(key, verdict)
        if verdict.shape is not None:
            ctx.store[STORE_KEY] = verdict.shape
        if not verdict.errors:
            return None
        if self.config.warn_only:
            for error in verdict.errors:
                log.warning("operation limit exceeded (warn_only): %s", error["message"])
            return None
        return GraphQLResponse({"errors": list(verdict.errors)}, 400)
