"""The GraphiQL IDE page served on ``GET /graphql`` when a browser asks for HTML.

Why: developers open the endpoint in a browser to explore the schema and try operations. Every asset (GraphiQL
3's UMD build, React, their fonts, the gateway's bootstrap script) is served by the gateway itself from files
shipped in the package (``gateway.http.assets``), so the page works offline and no other origin can run code
on the gateway's origin; the Content-Security-Policy below says so to the browser. The page holds no inline
script: its settings travel in a ``<script type="application/json">`` block that ``graphiql-gateway.js``
reads. The page depends only on configuration, so it is rendered once per app and served as bytes.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from gateway.config.model import ServerConfig
from gateway.http.assets import graphiql_assets

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        # GraphiQL's dialogs (Radix UI) add <style> elements at run time; CodeMirror and React set styles
        # through the CSSOM, which CSP does not restrict.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    )
)
"""Only the gateway's own origin: scripts, styles, fonts, images and fetches (the GraphQL endpoint)."""

_TEMPLATE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="referrer" content="no-referrer">
  <title>{title}</title>
  <link rel="icon" href="{base}/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="{base}/vendor/graphiql.min.css">
  <link rel="stylesheet" href="{base}/graphiql-gateway.css">
</head>
<body>
  <div id="graphiql"><p class="gateway-loading">Loading GraphiQL&hellip;</p></div>
  <noscript><p class="gateway-loading">GraphiQL needs JavaScript.</p></noscript>
  <script id="graphiql-settings" type="application/json">{settings}</script>
  <script src="{base}/vendor/react.production.min.js"></script>
  <script src="{base}/vendor/react-dom.production.min.js"></script>
  <script src="{base}/vendor/graphiql.min.js"></script>
  <script src="{base}/graphiql-gateway.js"></script>
</body>
</html>
"""


def _json_for_html(value: Any) -> str:
    """JSON that cannot close its ``<script>`` element nor start a comment or entity."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_graphiql(
    endpoint: str,
    assets_base: str,
    *,
    headers: Mapping[str, str] | None = None,
    expose_query_plan: bool = False,
    title: str = "pygraph gateway",
) -> bytes:
    """The page as UTF-8 bytes, pointed at ``endpoint`` (a path on this server), loading assets from
    ``assets_base``; ``headers`` prefill the headers editor, ``expose_query_plan`` makes the page ask for the
    plan and cost of each run (the gateway honours that only with ``server.expose_query_plan``)."""
    settings = {
        "endpoint": endpoint,
        "headers": dict(headers or {}),
        "exposeQueryPlan": expose_query_plan,
    }
    return _TEMPLATE.format(
        title=html.escape(title),
        base=html.escape(assets_base, quote=True),
        settings=_json_for_html(settings),
    ).encode("utf-8")


@dataclass(frozen=True, slots=True)
class GraphiQLPage:
    """The rendered page and the headers it is always sent with."""

    body: bytes
    headers: Mapping[str, str]

    def response(self) -> web.Response:
        return web.Response(body=self.body, headers=dict(self.headers))


def graphiql_page(server: ServerConfig) -> GraphiQLPage | None:
    """The page for ``server``, or ``None`` when ``server.graphiql`` is off."""
    if not server.graphiql:
        return None
    body = render_graphiql(
        server.graphql_path,
        graphiql_assets().base_url(server.graphql_path),
        headers=server.graphiql_headers,
        expose_query_plan=server.expose_query_plan,
    )
    headers = {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        # Revalidated on every load: the page names the asset digest, which changes with an upgrade.
        "Cache-Control": "no-cache",
        # The same URL answers JSON to GraphQL clients.
        "Vary": "Accept",
    }
    return GraphiQLPage(body, headers)
