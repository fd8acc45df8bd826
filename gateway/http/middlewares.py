"""Middleware that keeps every error response GraphQL-shaped JSON.

Why: aiohttp answers routing errors (404, 405) with text bodies and unexpected exceptions with an HTML 500;
GraphQL clients expect ``{"errors": [...]}`` with ``extensions.code``. Internal details are logged with the
traceback and never sent to the client.
"""

from __future__ import annotations

import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from gateway.errors import (
    INTERNAL_SERVER_ERROR,
    METHOD_NOT_ALLOWED,
    PAYLOAD_TOO_LARGE,
    UNSUPPORTED_MEDIA_TYPE,
    GatewayError,
)
from gateway.http.serialize import error_response

log = logging.getLogger("gateway.http")

_CODES = {
    400: "BAD_REQUEST",
    404: "NOT_FOUND",
    405: METHOD_NOT_ALLOWED,
    413: PAYLOAD_TOO_LARGE,
    415: UNSUPPORTED_MEDIA_TYPE,
}
_PASSED_HEADERS = ("Allow", "Retry-After")


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Turn HTTP exceptions and unexpected errors into GraphQL error responses."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        headers = {name: exc.headers[name] for name in _PASSED_HEADERS if name in exc.headers}
        message = exc.reason if exc.status != 404 else f"no route for {request.method} {request.path}"
        return error_response(
            exc.status, message, _CODES.get(exc.status, f"HTTP_{exc.status}"), headers=headers
        )
    except GatewayError as exc:
        if not exc.expose:
            log.error("gateway error on %s %s", request.method, request.path, exc_info=exc)
        return error_response(exc.http_status, exc.to_graphql()["message"], exc.code)
    except Exception:
        log.exception("unhandled error on %s %s", request.method, request.path)
        return error_response(500, "Internal server error", INTERNAL_SERVER_ERROR)
