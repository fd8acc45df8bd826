"""CSRF prevention (Apollo's rule): refuse GraphQL requests a browser could send without a CORS preflight.

Why: a page on any origin can make a browser send a "simple" request (GET, or POST with a text/plain,
form-urlencoded or multipart body) with the user's cookies, and CORS does not stop the request, only the
reading of its answer; a side effect (a mutation, an expensive query) would already have happened. A request
is safe when the browser had to ask first (preflight): it has a Content-Type that is not one of the three
simple ones, or one of the configured headers (``x-apollo-operation-name``, ``apollo-require-preflight``),
which a simple request cannot carry.

Only the GraphQL endpoint is checked, and only the methods a simple request can use (GET, HEAD, POST);
GET requests without a ``query`` (the GraphiQL page) execute nothing and pass. ``application/json`` POSTs
are never affected.
"""

from __future__ import annotations

from collections.abc import Callable

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from multidict import CIMultiDictProxy

from gateway.config.policies import CsrfConfig
from gateway.errors import METHOD_NOT_ALLOWED
from gateway.http.negotiation import APPLICATION_JSON, negotiate
from gateway.http.serialize import error_response

CSRF_ERROR = "CSRF_ERROR"
_SIMPLE_METHODS = frozenset({"GET", "HEAD", "POST"})
MUTATION_OVER_GET = "Mutations cannot be sent over GET; use POST."
SIMPLE_CONTENT_TYPES = frozenset({"text/plain", "application/x-www-form-urlencoded", "multipart/form-data"})


def _media_type(header: str | None) -> str | None:
    if header is None:
        return None
    media = header.split(";", 1)[0].strip().lower()
    # Like Apollo Router: a value that is not a type/subtype is no proof that a preflight happened.
    return media if "/" in media.strip("/") else None


def is_preflighted(headers: CIMultiDictProxy[str], required: tuple[str, ...]) -> bool:
    """Whether the browser must have preflighted a request with these (case-insensitive) headers."""
    media = _media_type(headers.get("Content-Type"))
    if media is not None and media not in SIMPLE_CONTENT_TYPES:
        return True
    return any(name in headers for name in required)


def csrf_message(required: tuple[str, ...]) -> str:
    """Apollo's explanation, so clients know which header to add."""
    return (
        "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). Please either "
        "specify a 'content-type' header (with a mime-type that is not one of "
        "application/x-www-form-urlencoded, multipart/form-data, text/plain) or provide one of the following "
        f"headers: {', '.join(required)}"
    )


def _is_mutation(request: web.Request, kind_of: Callable[[str, str | None], str | None]) -> bool:
    query = request.query.get("query")
    if not query:
        return False
    return kind_of(query, request.query.get("operationName") or None) == "mutation"


def make_csrf_middleware(
    config: CsrfConfig,
    graphql_path: str,
    pipeline: object = None,
    default_media_type: str = APPLICATION_JSON,
) -> Middleware:
    """The middleware for ``config`` on ``graphql_path`` (a pass-through when CSRF prevention is off).

    ``pipeline``: when it can tell an operation's kind (``operation_kind(query, operation_name)``), a GET
    carrying a mutation is answered 405 with ``Allow: POST`` before the CSRF check, as GraphQL over HTTP
    says: the method is wrong whatever the headers, and the client should learn that rather than which
    header to add.
    """
    required = config.required_headers
    message = csrf_message(required)
    kind_of: Callable[[str, str | None], str | None] | None = getattr(pipeline, "operation_kind", None)

    @web.middleware
    async def csrf_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        method = request.method
        if not config.enabled or request.path != graphql_path or method not in _SIMPLE_METHODS:
            return await handler(request)  # other methods always need a preflight (and get 405 anyway)
        if method != "POST" and "query" not in request.query:
            return await handler(request)  # nothing to execute: the GraphiQL page or a parameter error
        if is_preflighted(request.headers, required):
            return await handler(request)
        if method != "POST" and kind_of is not None and _is_mutation(request, kind_of):
            media_type = (
                negotiate(request.headers.get("Accept"), False, default_media_type) or default_media_type
            )
            return error_response(
                405, MUTATION_OVER_GET, METHOD_NOT_ALLOWED, media_type, headers={"Allow": "POST"}
            )
        return error_response(400, message, CSRF_ERROR)

    return csrf_middleware
