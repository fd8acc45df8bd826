"""Fixtures: a real aiohttp server (pytest-aiohttp) around the HTTP layer and the fake pipeline."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from gateway.app import create_app
from gateway.config.model import Config, ServerConfig
from gateway.config.policies import CsrfConfig
from tests.http.fake_pipeline import FAKE_SDL, FakePipeline

GRJ = "application/graphql-response+json"
JSON = "application/json"


@pytest.fixture
def pipeline() -> FakePipeline:
    fake = FakePipeline()
    fake.load_supergraph(FAKE_SDL)
    return fake


@pytest.fixture
def make_client(aiohttp_client: Any, pipeline: FakePipeline) -> Callable[..., Awaitable[Any]]:
    async def factory(
        server: ServerConfig | None = None, fake: FakePipeline | None = None, csrf: bool = False
    ) -> Any:
        # CSRF prevention (on by default, owned by gateway/http/csrf.py) refuses GETs and "simple" POSTs
        # before the handler runs; these tests check the handler's own rules, so it is off unless asked for.
        config = Config(server=server or ServerConfig(), csrf=CsrfConfig(enabled=csrf))
        return await aiohttp_client(create_app(config, fake or pipeline))

    return factory


@pytest.fixture
async def client(make_client: Callable[..., Awaitable[Any]]) -> Any:
    return await make_client()
