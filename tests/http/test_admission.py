"""Load shedding (``traffic_shaping.router``): the admission gate on the app served on a real 127.0.0.1 port,
and the gate's bookkeeping (hand-over, expiry, cancellation) on its own.

The fake pipeline's ``slow(ms:)`` field holds a slot for a known time; the end-to-end version with a real slow
subgraph and the CLI is ``tests/cli/test_zero_drop.py::test_overload_is_shed_at_once_while_health_answers``.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from aiohttp import web

from gateway.app import create_app
from gateway.config.model import Config, TrafficShapingConfig
from gateway.config.policies import CsrfConfig
from gateway.config.resilience import RouterTrafficConfig
from gateway.http.admission import AdmissionGate, admission_controlled
from tests.http.fake_pipeline import FAKE_SDL, FakePipeline

GRJ = {"Accept": "application/graphql-response+json"}


async def serve(aiohttp_client: Any, **router: Any) -> Any:
    config = Config(
        traffic_shaping=TrafficShapingConfig(router=RouterTrafficConfig(**router)),
        csrf=CsrfConfig(enabled=False),
    )
    pipeline = FakePipeline()
    pipeline.load_supergraph(FAKE_SDL)
    return await aiohttp_client(create_app(config, pipeline))


async def timed_query(client: Any, query: str) -> tuple[int, dict[str, str], Any, float]:
    started = time.monotonic()
    response = await client.post("/graphql", json={"query": query}, headers=GRJ)
    body = await response.json(content_type=None)
    return response.status, dict(response.headers), body, time.monotonic() - started


async def test_beyond_limit_and_queue_is_shed_at_once(aiohttp_client: Any) -> None:
    client = await serve(aiohttp_client, max_concurrent_requests=1, queue_size=1, queue_timeout=5.0)
    answers = await asyncio.gather(*(timed_query(client, "{ slow(ms: 400) }") for _ in range(3)))
    by_status = sorted(answers, key=lambda a: a[3])
    shed, first, queued = by_status
    assert shed[0] == 503
    assert shed[3] < 0.35  # the others take 0.4 s and more
    assert shed[1]["Retry-After"] == "1"
    assert shed[1]["Content-Type"] == "application/graphql-response+json; charset=utf-8"
    assert shed[2] == {
        "errors": [
            {
                "message": "The gateway is overloaded; retry later.",
                "extensions": {"code": "SERVICE_OVERLOADED"},
            }
        ]
    }
    assert (first[0], first[2]) == (200, {"data": {"slow": "done"}})
    assert (queued[0], queued[2]) == (200, {"data": {"slow": "done"}})
    assert queued[3] >= 0.75  # it waited for the first one's slot


async def test_queued_request_is_shed_after_queue_timeout(aiohttp_client: Any) -> None:
    client = await serve(
        aiohttp_client, max_concurrent_requests=1, queue_size=5, queue_timeout=0.2, retry_after=2.5
    )
    slow, queued = await asyncio.gather(
        timed_query(client, "{ slow(ms: 800) }"), timed_query(client, "{ hello }")
    )
    assert slow[0] == 200
    assert queued[0] == 503
    assert queued[1]["Retry-After"] == "3"
    assert 0.15 <= queued[3] < 0.75  # shed at queue_timeout, before the 0.8 s request ends


async def test_health_and_metrics_are_never_shed(aiohttp_client: Any) -> None:
    client = await serve(aiohttp_client, max_concurrent_requests=1, queue_size=0)
    busy = asyncio.create_task(timed_query(client, "{ slow(ms: 500) }"))
    await asyncio.sleep(0.1)
    assert (await timed_query(client, "{ hello }"))[0] == 503
    for path in ("/health", "/health/live", "/health/ready", "/metrics"):
        assert (await client.get(path)).status == 200, path
    assert (await busy)[0] == 200
    assert (await timed_query(client, "{ hello }"))[0] == 200  # the slot was given back
    scrape = await (await client.get("/metrics")).text()
    assert "gateway_http_requests_shed_total 1.0" in scrape


async def test_a_shed_request_keeps_its_media_type(aiohttp_client: Any) -> None:
    client = await serve(aiohttp_client, max_concurrent_requests=1, queue_size=0)
    busy = asyncio.create_task(timed_query(client, "{ slow(ms: 300) }"))
    await asyncio.sleep(0.1)
    response = await client.post("/graphql", json={"query": "{ hello }"})  # no Accept: legacy JSON
    assert response.status == 503
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    await busy


def test_no_limit_leaves_the_handler_unwrapped() -> None:
    async def handler(_request: web.Request) -> web.StreamResponse:
        return web.Response()

    assert admission_controlled(handler, RouterTrafficConfig()) is handler
    assert admission_controlled(handler, RouterTrafficConfig(max_concurrent_requests=1)) is not handler
    app = create_app(Config(), FakePipeline())
    graphql = next(r for r in app.router.routes() if r.resource and r.resource.canonical == "/graphql")
    assert getattr(graphql.handler, "__name__", "") == "handle"  # GraphQLHandler.handle itself


# --- the gate's bookkeeping -------------------------------------------------------------------------------


class Held:
    """A handler that holds its slot until released."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.entered = 0

    async def __call__(self, _request: Any) -> web.StreamResponse:
        self.entered += 1
        await self.release.wait()
        return web.Response(text="ok")


class FakeRequest:
    headers: dict[str, str] = {}


async def test_slots_go_to_waiters_in_arrival_order_and_come_back() -> None:
    gate = AdmissionGate(RouterTrafficConfig(max_concurrent_requests=1, queue_size=2, queue_timeout=5.0))
    held = Held()
    handler = gate.wrap(held)
    tasks = [asyncio.create_task(handler(FakeRequest())) for _ in range(4)]  # type: ignore[arg-type]
    await asyncio.sleep(0.01)
    assert (gate.active, gate.waiting, held.entered) == (1, 2, 1)
    shed = tasks[3]
    assert shed.done()
    assert shed.result().status == 503
    held.release.set()
    results = await asyncio.gather(*tasks[:3])
    assert [r.status for r in results] == [200, 200, 200]
    assert (gate.active, gate.waiting) == (0, 0)


async def test_a_cancelled_waiter_leaves_the_queue() -> None:
    gate = AdmissionGate(RouterTrafficConfig(max_concurrent_requests=1, queue_size=1, queue_timeout=5.0))
    held = Held()
    handler = gate.wrap(held)
    running = asyncio.create_task(handler(FakeRequest()))  # type: ignore[arg-type]
    waiting = asyncio.create_task(handler(FakeRequest()))  # type: ignore[arg-type]
    await asyncio.sleep(0.01)
    assert gate.waiting == 1
    waiting.cancel()  # the client went away while queued
    await asyncio.sleep(0.01)
    assert (gate.active, gate.waiting) == (1, 0)
    held.release.set()
    await running
    assert (gate.active, gate.waiting) == (0, 0)


async def test_a_slot_handed_to_a_cancelled_waiter_is_passed_on() -> None:
    gate = AdmissionGate(RouterTrafficConfig(max_concurrent_requests=1, queue_size=2, queue_timeout=5.0))
    held = Held()
    handler = gate.wrap(held)
    first = asyncio.create_task(handler(FakeRequest()))  # type: ignore[arg-type]
    second = asyncio.create_task(handler(FakeRequest()))  # type: ignore[arg-type]
    third = asyncio.create_task(handler(FakeRequest()))  # type: ignore[arg-type]
    await asyncio.sleep(0.01)
    held.release.set()
    await asyncio.sleep(0)  # first finishes and hands its slot to second...
    second.cancel()  # ...which is cancelled before it could run
    await asyncio.gather(first, third, return_exceptions=True)
    assert second.cancelled()
    assert third.result().status == 200
    assert held.entered == 2  # first and third: second never ran the handler
    assert (gate.active, gate.waiting) == (0, 0)
