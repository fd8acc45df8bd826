"""Static files shipped in the Python package (GraphiQL and its assets), served from memory by the gateway.

Why: the GraphiQL page must work with no network beyond the gateway (an air-gapped cluster, a laptop on a
plane) and must not let a third-party CDN run script on the gateway's origin. The files live under
``gateway/http/static/`` (installed as package data) and are read once per process, the first time an app
that serves GraphiQL is built.

URLs carry a digest of the whole bundle (``<graphql_path>/_graphiql/<digest>/<file>``), so every file can be
cached for a year (``immutable``) and an upgraded gateway's page never mixes old and new files. A request
for another digest (a page rendered by an older gateway, during a rolling upgrade) still gets the current
file, revalidated instead of cached. Scripts and stylesheets are gzipped once, on the first request that
accepts it; fonts and images are already compressed.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from aiohttp import web

STATIC_DIR = Path(__file__).resolve().parent / "static"
GRAPHIQL_DIR = STATIC_DIR / "graphiql"
ASSETS_SEGMENT = "_graphiql"

CONTENT_TYPES: dict[str, str] = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
"""What is served, by suffix; anything else under the directory (licences, README, manifest) is not."""
_COMPRESSIBLE = frozenset({".js", ".css", ".svg"})
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"


@dataclass(slots=True)
class Asset:
    """One served file: its bytes, type and validator, and its gzip form once asked for."""

    body: bytes
    content_type: str
    etag: str
    compressible: bool
    _gzipped: bytes | None = field(default=None, repr=False)

    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=9, mtime=0)
        return self._gzipped


class StaticAssets:
    """The files under ``root`` with a served suffix, keyed by their path relative to ``root``."""

    def __init__(self, root: Path) -> None:
        self.files: dict[str, Asset] = {}
        bundle = hashlib.sha256()
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            suffix = path.suffix.lower()
            content_type = CONTENT_TYPES.get(suffix)
            if content_type is None:
                continue
            name = path.relative_to(root).as_posix()
            body = path.read_bytes()
            digest = hashlib.sha256(body).hexdigest()
            bundle.update(f"{name}\0{digest}\n".encode())
            self.files[name] = Asset(body, content_type, f'"{digest[:20]}"', suffix in _COMPRESSIBLE)
        self.digest = bundle.hexdigest()[:12]

    def base_url(self, graphql_path: str) -> str:
        """Where the files are served for an endpoint at ``graphql_path`` (no trailing slash)."""
        return f"{assets_prefix(graphql_path)}/{self.digest}"

    def route(self, graphql_path: str) -> str:
        """The aiohttp route pattern serving them."""
        return f"{assets_prefix(graphql_path)}/{{digest}}/{{name:.+}}"

    async def handle(self, request: web.Request) -> web.StreamResponse:
        asset = self.files.get(request.match_info["name"])
        if asset is None:
            raise web.HTTPNotFound()
        current = request.match_info["digest"] == self.digest
        headers = {
            "Content-Type": asset.content_type,
            "Cache-Control": IMMUTABLE if current else REVALIDATE,
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Resource-Policy": "same-origin",
        }
        body = asset.body
        etag = asset.etag
        if asset.compressible:
            headers["Vary"] = "Accept-Encoding"
            if _accepts_gzip(request.headers.get("Accept-Encoding")):
                body = asset.gzipped()
                etag = etag[:-1] + '-gz"'
                headers["Content-Encoding"] = "gzip"
        headers["ETag"] = etag
        if etag in _entity_tags(request.headers.get("If-None-Match")):
            return web.Response(status=304, headers={k: v for k, v in headers.items() if k != "Content-Type"})
        return web.Response(body=body, headers=headers)


def assets_prefix(graphql_path: str) -> str:
    """``<graphql_path>/_graphiql``: under the endpoint, so a proxy forwarding only that path still works."""
    return f"{graphql_path.rstrip('/')}/{ASSETS_SEGMENT}"


@functools.cache
def graphiql_assets() -> StaticAssets:
    """GraphiQL's files (vendor/ plus the gateway's bootstrap), read once per process."""
    return StaticAssets(GRAPHIQL_DIR)


def _accepts_gzip(header: str | None) -> bool:
    if not header:
        return False
    for part in header.split(","):
        coding, _, params = part.partition(";")
        if coding.strip().lower() in ("gzip", "*"):
            quality = params.strip().lower()
            return not quality.startswith("q=") or _quality(quality[2:]) > 0
    return False


def _quality(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def _entity_tags(header: str | None) -> frozenset[str]:
    if not header:
        return frozenset()
    return frozenset(tag.strip().removeprefix("W/") for tag in header.split(","))
