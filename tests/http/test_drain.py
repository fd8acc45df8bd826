"""``gateway.http.drain.drain`` on the app served by an ``AppRunner`` on a real 127.0.0.1 port: what an
in-flight request, an idle kept-alive connection and a request past the shutdown timeout each get.

The same sequence in a real process on SIGTERM, under load, is ``tests/cli/test_zero_drop.py``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp import web

from gateway.app import create_app
from gateway.config.model import Config
from gateway.config.policies import CsrfConfig
from gateway.http.drain import drain, split_shutdown_timeout
from gateway.keys import DRAIN_KEY
from tests.http.fake_pipeline import FAKE_SDL, FakePipeline


@dataclass
class Served:
    app: web.Application
    runner: web.AppRunner
    pipeline: FakePipeline
    url: str
    port: int


async def start(shutdown_timeout: float = 5.0) -> Served:
    pipeline = FakePipeline()
    pipeline.load_supergraph(FAKE_SDL)
    app = create_app(Config(csrf=CsrfConfig(enabled=False)), pipeline)
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=shutdown_timeout, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return Served(app, runner, pipeline, f"http://127.0.0.1:{port}/graphql", port)


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as client:
        yield client


async def query(session: aiohttp.ClientSession, url: str, text: str) -> tuple[int, str | None, object]:
    async with session.post(url, json={"query": text}) as response:
        return response.status, response.headers.get("Connection"), await response.json()


async def test_in_flight_request_is_answered_and_new_connections_refused(
    session: aiohttp.ClientSession,
) -> None:
    served = await start()
    in_flight = asyncio.create_task(query(session, served.url, "{ slow(ms: 400) }"))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    stopping = asyncio.create_task(drain(served.runner, served.app[DRAIN_KEY], idle_grace=1.0))
    await asyncio.sleep(0.05)
    with pytest.raises(aiohttp.ClientConnectorError):
        async with aiohttp.ClientSession() as fresh:
            await query(fresh, served.url, "{ hello }")
    assert await in_flight == (200, "close", {"data": {"slow": "done"}})
    await stopping
    assert 0.25 <= time.monotonic() - started < 1.0  # ended when the last connection closed, not at 1 s
    assert served.pipeline.closed == 1


async def test_idle_keep_alive_connection_is_closed_after_the_grace(session: aiohttp.ClientSession) -> None:
    served = await start()
    assert (await query(session, served.url, "{ hello }"))[0] == 200  # leaves an idle pooled connection
    started = time.monotonic()
    await drain(served.runner, served.app[DRAIN_KEY], idle_grace=0.3)
    assert 0.3 <= time.monotonic() - started < 1.0
    assert served.pipeline.closed == 1


async def test_request_past_the_shutdown_timeout_is_cancelled(session: aiohttp.ClientSession) -> None:
    served = await start(shutdown_timeout=0.3)
    in_flight = asyncio.create_task(query(session, served.url, "{ slow(ms: 5000) }"))
    await asyncio.sleep(0.1)
    started = time.monotonic()
    await drain(served.runner, served.app[DRAIN_KEY], idle_grace=0.1)
    assert time.monotonic() - started < 2.0
    with pytest.raises(aiohttp.ClientError):
        await in_flight
    assert served.pipeline.closed == 1


def test_shutdown_timeout_is_split_between_idle_grace_and_in_flight() -> None:
    assert split_shutdown_timeout(10.0) == (1.0, 9.0)
    assert split_shutdown_timeout(0.5) == (0.25, 0.25)
    assert split_shutdown_timeout(0.0) == (0.0, 0.0)
