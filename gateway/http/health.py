"""The health check: 200 ``{"status":"pass"}`` once a supergraph is loaded, 503 before.

Why: load balancers and orchestrators must not route traffic to a gateway that cannot plan queries yet; the
body follows the ``application/health+json`` draft's ``status`` values.
"""

from __future__ import annotations

from aiohttp import web
from aiohttp.typedefs import Handler

from gateway.keys import ManagedPipeline

_PASS = b'{"status":"pass"}'
_FAIL = b'{"status":"fail"}'
_HEADERS = {"Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store"}


def health_handler(pipeline: ManagedPipeline) -> Handler:
    """A handler bound to ``pipeline`` (no app lookup per request)."""

    async def health(_request: web.Request) -> web.Response:
        if pipeline.ready:
            return web.Response(body=_PASS, status=200, headers=_HEADERS)
        return web.Response(body=_FAIL, status=503, headers=_HEADERS)

    return health
