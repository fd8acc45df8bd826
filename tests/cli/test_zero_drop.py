"""Operational guarantees of ``python -m gateway serve`` under steady load, with real subgraphs on 127.0.0.1.

* hot reload: the supergraph file is rewritten ten times under load; no request fails or gets a non-200;
* SIGTERM (one process, and ``--workers 2`` through the supervisor): every request that got a connection gets
  a complete 200, requests in flight finish, the process exits 0 within ``shutdown_timeout`` + a margin;
  requests made after the listener closed are refused (counted apart: they never reached the gateway);
* draining: on SIGTERM ``/health/ready`` turns 503 ``draining: true`` at once (seen on a kept-alive
  connection) while ``/health/live`` stays 200;
* load shedding: with a slow subgraph and ``max_concurrent_requests: 2, queue_size: 0``, of 10 concurrent
  requests exactly 2 are answered 200, the 8 others get 503 SERVICE_OVERLOADED + Retry-After at once, and
  the health checks keep answering 200.

Each test is bounded in time and requests (a few seconds, at most a few thousand requests).
"""

from __future__ import annotations

import asyncio
import hashlib
import http.client
import json
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.cli.live_stack import (
    HEADERS,
    ROOT_ONLY,
    ROOT_ONLY_DATA,
    SPANNING,
    SPANNING_DATA,
    LoadResult,
    compose_supergraphs,
    steady_load,
    subgraph_specs,
    write_config,
)
from tests.http.processes import gateway_serve
from tests.support.kit_thread import SubgraphKitThread
from tests.support.subgraph_kit import Fault


@pytest.fixture(scope="module")
def kit() -> Iterator[SubgraphKitThread]:
    with SubgraphKitThread(subgraph_specs()) as running:
        yield running


@pytest.fixture
def stack(kit: SubgraphKitThread, tmp_path: Path) -> Iterator[tuple[SubgraphKitThread, Path, str, str]]:
    """The kit (faults cleared afterwards), a supergraph file holding supergraph A, and both SDLs."""
    sdl_a, sdl_b = compose_supergraphs(kit.urls)
    path = tmp_path / "supergraph.graphql"
    path.write_text(sdl_a)
    try:
        yield kit, path, sdl_a, sdl_b
    finally:
        kit.clear_faults()
        kit.clear_log()


def refused(port: int) -> bool:
    """True when a new connection to ``port`` is refused (nothing listens)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return False
    except ConnectionRefusedError:
        return True


async def wait_exit(process: subprocess.Popen[bytes], within: float) -> int | None:
    """The exit code, or None if the process still runs after ``within`` seconds (polled: a child's exit
    wakes no event loop here)."""
    deadline = time.monotonic() + within
    while process.poll() is None and time.monotonic() < deadline:  # noqa: ASYNC110
        await asyncio.sleep(0.02)
    return process.poll()


# --- hot reload -------------------------------------------------------------------------------------------


def test_ten_reloads_under_steady_load_drop_nothing(
    stack: tuple[SubgraphKitThread, Path, str, str], tmp_path: Path
) -> None:
    _kit, path, sdl_a, sdl_b = stack
    config = write_config(tmp_path, "supergraph:\n  watch: true\n  poll_interval: 50ms\n")
    digests = {sdl: hashlib.sha256(sdl.encode()).hexdigest() for sdl in (sdl_a, sdl_b)}
    with gateway_serve(path, "--config", str(config), pipeline_factory=None) as gateway:
        served: list[str] = []

        async def rewrite_ten_times(done: list[bool]) -> None:
            async with aiohttp.ClientSession() as session:
                for i in range(10):
                    await asyncio.sleep(0.3)
                    sdl = sdl_b if i % 2 == 0 else sdl_a
                    path.write_text(sdl)  # in place, not atomically: the watcher may see it half-written
                    deadline = time.monotonic() + 5
                    while time.monotonic() < deadline:
                        async with session.get(f"{gateway.base}/health/ready") as response:
                            current = (await response.json())["supergraph"]
                        if current == digests[sdl]:
                            served.append(current)
                            break
                        await asyncio.sleep(0.02)
                await asyncio.sleep(0.3)
            done.append(True)

        async def scenario() -> LoadResult:
            done: list[bool] = []
            load = asyncio.create_task(steady_load(gateway.url, clients=4, until=lambda: bool(done)))
            await rewrite_ten_times(done)
            return await load

        result = asyncio.run(scenario())
        stderr = gateway.stderr()
    print(f"reload under load: {result.summary()}")
    assert len(served) == 10, f"not every rewrite was reloaded in time:\n{stderr}"
    assert stderr.count("supergraph reloaded from") == 10, stderr
    assert result.dropped == [], result.summary()
    assert result.refused == 0, result.summary()
    assert not result.statuses, result.summary()
    assert result.wrong_body == 0, result.summary()
    assert result.ok >= 100, result.summary()


# --- SIGTERM under load -----------------------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_under_load_answers_every_accepted_request(
    stack: tuple[SubgraphKitThread, Path, str, str], tmp_path: Path, workers: int
) -> None:
    kit, path, _sdl_a, _sdl_b = stack
    shutdown_timeout = 5.0
    config = write_config(tmp_path, f"server:\n  shutdown_timeout: {shutdown_timeout:g}s\n")
    # _entities calls go to reviews: SPANNING requests take 0.8 s (several are in flight at SIGTERM),
    # ROOT_ONLY requests take milliseconds (steady keep-alive traffic).
    kit.set_fault("reviews", Fault("delay", delay_seconds=0.8))
    with gateway_serve(path, "--config", str(config), "--workers", str(workers), pipeline_factory=None) as gw:
        process = gw.process
        exited = lambda: process.poll() is not None  # noqa: E731

        async def scenario() -> tuple[LoadResult, LoadResult, float, int | None, float]:
            fast = asyncio.create_task(
                steady_load(gw.url, clients=4, until=exited, payload=ROOT_ONLY, expected=ROOT_ONLY_DATA)
            )
            slow = asyncio.create_task(steady_load(gw.url, clients=3, until=exited, max_requests=200))
            await asyncio.sleep(1.2)  # the slow clients' second requests are in flight, 0.4 s from done
            signalled = time.monotonic()
            process.send_signal(signal.SIGTERM)
            code = await wait_exit(process, shutdown_timeout + 10)
            took = time.monotonic() - signalled
            return await fast, await slow, signalled, code, took

        fast_result, slow_result, signalled, code, took = asyncio.run(scenario())
        stderr = gw.stderr()
    print(
        f"SIGTERM under load (workers={workers}): fast {fast_result.summary()}; "
        f"slow {slow_result.summary()}; exit {code} after {took:.2f}s"
    )
    assert code == 0, stderr
    assert took < shutdown_timeout + 3, f"took {took:.2f}s"
    assert stderr.count("draining (pid") == workers, stderr  # the supervisor forwarded SIGTERM to each
    for result in (fast_result, slow_result):
        assert result.dropped == [], result.summary()
        assert not result.statuses, result.summary()
        assert result.wrong_body == 0, result.summary()
    assert fast_result.ok >= 20, fast_result.summary()
    assert fast_result.refused >= 1, fast_result.summary()  # the load went on after the listener closed
    in_flight = [span for span in slow_result.spans if span[0] < signalled < span[1]]
    assert len(in_flight) >= 2, f"requests in flight at SIGTERM were not answered: {slow_result.spans}"


def test_sigterm_turns_ready_off_at_once_and_keeps_live(
    stack: tuple[SubgraphKitThread, Path, str, str],
) -> None:
    kit, path, _sdl_a, _sdl_b = stack
    kit.set_fault("reviews", Fault("delay", delay_seconds=1.5))
    with gateway_serve(path, pipeline_factory=None) as gw:
        ready_conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=5)
        live_conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=5)
        for conn, target in ((ready_conn, "/health/ready"), (live_conn, "/health/live")):
            conn.request("GET", target)
            answer = conn.getresponse()
            answer.read()
            assert answer.status == 200  # both connections are now open, idle, kept alive
        slow: dict[str, Any] = {}

        def slow_request() -> None:
            conn = http.client.HTTPConnection("127.0.0.1", gw.port, timeout=10)
            conn.request("POST", "/graphql", json.dumps(SPANNING), HEADERS)
            answer = conn.getresponse()
            slow["answer"] = (answer.status, json.loads(answer.read()))

        thread = threading.Thread(target=slow_request)
        thread.start()
        time.sleep(0.3)  # the slow request is in flight
        gw.process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 2
        while not refused(gw.port):  # the listener closes right after the process marks itself draining
            assert time.monotonic() < deadline, "the listener was not closed after SIGTERM"
            time.sleep(0.01)
        assert gw.process.poll() is None  # still draining: the slow request is in flight

        ready_conn.request("GET", "/health/ready")
        ready = ready_conn.getresponse()
        ready_body = json.loads(ready.read())
        live_conn.request("GET", "/health/live")
        live = live_conn.getresponse()
        live_body = json.loads(live.read())

        thread.join(10)
        code = gw.process.wait(10)
    assert ready.status == 503
    assert ready_body["status"] == "not_ready"
    assert ready_body["draining"] is True
    assert ready.getheader("Connection") == "close"
    assert (live.status, live_body) == (200, {"status": "live"})
    assert slow["answer"] == (200, {"data": SPANNING_DATA})
    assert code == 0


# --- load shedding ----------------------------------------------------------------------------------------


def test_overload_is_shed_at_once_while_health_answers(
    stack: tuple[SubgraphKitThread, Path, str, str], tmp_path: Path
) -> None:
    kit, path, _sdl_a, _sdl_b = stack
    router = "    max_concurrent_requests: 2\n    queue_size: 0\n    retry_after: 1.5s\n"
    config = write_config(tmp_path, f"traffic_shaping:\n  router:\n{router}")
    delay = 1.0
    kit.set_fault("reviews", Fault("delay", delay_seconds=delay))
    with gateway_serve(path, "--config", str(config), pipeline_factory=None) as gw:

        async def one(session: aiohttp.ClientSession) -> tuple[int, str | None, Any, float]:
            started = time.monotonic()
            async with session.post(gw.url, json=SPANNING, headers=HEADERS) as response:
                body = await response.json(content_type=None)
                return response.status, response.headers.get("Retry-After"), body, time.monotonic() - started

        async def health(session: aiohttp.ClientSession) -> list[int]:
            await asyncio.sleep(0.3)  # while the two admitted requests wait on the slow subgraph
            statuses = []
            for target in ("/health", "/health/ready", "/health/live"):
                async with session.get(f"{gw.base}{target}") as response:
                    statuses.append(response.status)
            return statuses

        async def scenario() -> tuple[list[tuple[int, str | None, Any, float]], list[int], int, str]:
            connector = aiohttp.TCPConnector(limit=0)
            async with aiohttp.ClientSession(connector=connector) as session:
                answers, health_statuses = await asyncio.gather(
                    asyncio.gather(*(one(session) for _ in range(10))), health(session)
                )
                after, _retry, _body, _took = await one(session)  # the slots were given back
                async with session.get(f"{gw.base}/metrics") as response:
                    metrics = await response.text()
            return list(answers), health_statuses, after, metrics

        answers, health_statuses, after, metrics = asyncio.run(scenario())
    admitted = [a for a in answers if a[0] == 200]
    shed = [a for a in answers if a[0] != 200]
    print(
        f"shedding: admitted {len(admitted)} in {[round(a[3], 2) for a in admitted]}s, "
        f"shed {len(shed)} in at most {max(a[3] for a in shed):.3f}s"
    )
    assert len(admitted) == 2
    assert all(a[2] == {"data": SPANNING_DATA} and delay <= a[3] < delay + 2 for a in admitted), admitted
    assert len(shed) == 8
    for status, retry_after, body, took in shed:
        assert (status, retry_after) == (503, "2")
        assert body["errors"][0]["extensions"]["code"] == "SERVICE_OVERLOADED"
        assert took < delay / 2
    assert health_statuses == [200, 200, 200]
    assert after == 200
    assert "gateway_http_requests_shed_total 8.0" in metrics
