"""CORS: which browser origins may call the gateway, and the answers to their preflight requests.

Why a middleware: preflights (``OPTIONS`` with ``Access-Control-Request-Method``) must be answered before
routing (the GraphQL route does not accept OPTIONS), and every answer to an allowed origin, errors included,
needs ``Access-Control-Allow-Origin`` so that browser clients can read GraphQL errors. A preflight from an
origin that is not allowed gets 403 without CORS headers (the browser then blocks the request).
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from gateway.config.policies import CorsConfig
from gateway.http.serialize import error_response

CORS_ORIGIN_NOT_ALLOWED = "CORS_ORIGIN_NOT_ALLOWED"


def _vary(response: web.StreamResponse, value: str) -> None:
    existing = response.headers.get("Vary")
    if existing is None:
        response.headers["Vary"] = value
    elif value.lower() not in existing.lower():
        response.headers["Vary"] = f"{existing}, {value}"


def make_cors_middleware(config: CorsConfig) -> Middleware:
    """The middleware for ``config`` (a pass-through when CORS is off)."""
    methods = ", ".join(config.methods)
    allow_headers = ", ".join(config.allow_headers)
    expose = ", ".join(config.expose_headers)
    max_age = str(int(config.max_age)) if config.max_age is not None else None

    def allow_origin_value(origin: str) -> str:
        return "*" if config.allow_any_origin else origin

    def preflight(request: web.Request, origin: str) -> web.StreamResponse:
        if not config.origin_allowed(origin):
            return error_response(403, f"origin {origin!r} is not allowed", CORS_ORIGIN_NOT_ALLOWED)
        response = web.Response(status=204)
        response.headers["Access-Control-Allow-Origin"] = allow_origin_value(origin)
        response.headers["Access-Control-Allow-Methods"] = methods
        requested = request.headers.get("Access-Control-Request-Headers")
        if allow_headers:
            response.headers["Access-Control-Allow-Headers"] = allow_headers
        elif requested:
            response.headers["Access-Control-Allow-Headers"] = requested
            _vary(response, "Access-Control-Request-Headers")
        if config.allow_credentials:
            response.headers["Access-Control-Allow-Credentials"] = "true"
        if max_age is not None:
            response.headers["Access-Control-Max-Age"] = max_age
        if not config.allow_any_origin:
            _vary(response, "Origin")
        return response

    @web.middleware
    async def cors_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if not config.enabled:
            return await handler(request)
        origin = request.headers.get("Origin")
        if origin is None:
            return await handler(request)
        if request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers:
            return preflight(request, origin)
        response = await handler(request)
        if config.origin_allowed(origin) and not response.prepared:
            response.headers["Access-Control-Allow-Origin"] = allow_origin_value(origin)
            if config.allow_credentials:
                response.headers["Access-Control-Allow-Credentials"] = "true"
            if expose:
                response.headers["Access-Control-Expose-Headers"] = expose
            if not config.allow_any_origin:
                _vary(response, "Origin")
        return response

    return cors_middleware
