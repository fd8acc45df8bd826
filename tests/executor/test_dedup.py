"""In-flight coalescing: one call for identical concurrent requests, nothing kept afterwards."""

from __future__ import annotations

import asyncio

import pytest

from gateway.executor.dedup import InFlightMap

KEY = ("http://127.0.0.1:1/graphql", b'{"query":"{a}"}', ())


async def test_concurrent_identical_calls_share_one_execution() -> None:
    inflight = InFlightMap()
    calls = 0
    release = asyncio.Event()

    async def call() -> bytes:
        nonlocal calls
        calls += 1
        await release.wait()
        return b"result"

    tasks = [asyncio.create_task(inflight.run(KEY, call)) for _ in range(5)]
    await asyncio.sleep(0)
    release.set()
    assert await asyncio.gather(*tasks) == [b"result"] * 5
    assert calls == 1
    assert len(inflight) == 0  # not a cache: nothing outlives the call


async def test_different_keys_do_not_share() -> None:
    inflight = InFlightMap()
    calls: list[str] = []

    async def call(name: str) -> str:
        calls.append(name)
        await asyncio.sleep(0)
        return name

    other = (KEY[0], KEY[1], (("authorization", "Bearer x"),))
    results = await asyncio.gather(
        inflight.run(KEY, lambda: call("a")), inflight.run(other, lambda: call("b"))
    )
    assert results == ["a", "b"]
    assert calls == ["a", "b"]


async def test_leader_failure_reaches_every_follower() -> None:
    inflight = InFlightMap()
    release = asyncio.Event()

    async def call() -> bytes:
        await release.wait()
        raise ConnectionError("subgraph down")

    tasks = [asyncio.create_task(inflight.run(KEY, call)) for _ in range(3)]
    await asyncio.sleep(0)
    release.set()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert all(isinstance(r, ConnectionError) for r in results)
    assert len(inflight) == 0


async def test_follower_cancellation_does_not_cancel_the_leader() -> None:
    inflight = InFlightMap()
    release = asyncio.Event()

    async def call() -> bytes:
        await release.wait()
        return b"ok"

    leader = asyncio.create_task(inflight.run(KEY, call))
    await asyncio.sleep(0)
    follower = asyncio.create_task(inflight.run(KEY, call))
    await asyncio.sleep(0)
    follower.cancel()
    with pytest.raises(asyncio.CancelledError):
        await follower
    release.set()
    assert await leader == b"ok"


async def test_after_completion_a_new_call_runs_again() -> None:
    inflight = InFlightMap()
    calls = 0

    async def call() -> int:
        nonlocal calls
        calls += 1
        return calls

    assert await inflight.run(KEY, call) == 1
    assert await inflight.run(KEY, call) == 2


async def test_leader_cancellation_does_not_cancel_the_followers() -> None:
    inflight = InFlightMap()
    release = asyncio.Event()
    calls = 0

    async def call() -> bytes:
        nonlocal calls
        calls += 1
        await release.wait()
        return b"ok"

    leader = asyncio.create_task(inflight.run(KEY, call))
    await asyncio.sleep(0)
    follower = asyncio.create_task(inflight.run(KEY, call))
    await asyncio.sleep(0)
    leader.cancel()  # e.g. the leader's own request deadline passed
    with pytest.raises(asyncio.CancelledError):
        await leader
    release.set()
    assert await follower == b"ok"
    assert calls == 1


async def test_the_call_is_cancelled_when_its_last_waiter_leaves() -> None:
    inflight = InFlightMap()
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def call() -> bytes:
        started.set()
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            cancelled.set()
            raise
        return b"never"

    waiters = [asyncio.create_task(inflight.run(KEY, call)) for _ in range(2)]
    await started.wait()
    for waiter in waiters:
        waiter.cancel()
    await asyncio.gather(*waiters, return_exceptions=True)
    await asyncio.wait_for(cancelled.wait(), 1.0)
    assert len(inflight) == 0

    async def fresh() -> bytes:
        return b"fresh"

    assert await inflight.run(KEY, fresh) == b"fresh"  # a newcomer starts its own call
