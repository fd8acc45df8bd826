"""Typed ``web.AppKey``s shared by the app factory and the HTTP handlers, and the pipeline they hold.

Why: typed keys give handlers a checked type for ``request.app[KEY]`` (aiohttp warns about string keys), and
keeping them in one tiny module avoids import cycles between ``app.py`` and ``gateway/http``.
"""

from __future__ import annotations

from typing import Protocol

from aiohttp import web

from gateway.config.model import Config
from gateway.http.connections import ConnectionTracker
from gateway.http.drain import DrainState
from gateway.pipeline.types import Pipeline


class ManagedPipeline(Pipeline, Protocol):
    """A pipeline with a lifetime and a swappable supergraph (``gateway.pipeline.runner`` implements it)."""

    async def start(self) -> None: ...

    async def close(self) -> None: ...

    def load_supergraph(self, sdl: str, source: str = "<supergraph>") -> None: ...

    @property
    def ready(self) -> bool: ...


CONFIG_KEY = web.AppKey("config", Config)
PIPELINE_KEY = web.AppKey("pipeline", ManagedPipeline)
# Set to draining by ``gateway.workers`` on SIGTERM; read by /health/ready and the Connection: close hook.
DRAIN_KEY = web.AppKey("drain", DrainState)
# Open client connections and the per-connection policy; ``gateway.http.connections.GatewaySite`` uses it.
CONNECTIONS_KEY = web.AppKey("connections", ConnectionTracker)
