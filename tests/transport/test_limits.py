"""Concurrency limiter and retry budget."""

from __future__ import annotations

import asyncio

import pytest

from gateway.transport.limits import ConcurrencyLimiter, RetryBudget


async def test_limiter_fast_path_and_bounded_wait() -> None:
    limiter = ConcurrencyLimiter(2, 0.05)
    assert await limiter.acquire()
    assert await limiter.acquire()
    started = asyncio.get_running_loop().time()
    assert not await limiter.acquire()
    assert asyncio.get_running_loop().time() - started < 0.5
    assert limiter.in_flight == 2
    limiter.release()
    assert limiter.in_flight == 1
    assert await limiter.acquire()


async def test_limiter_hands_slots_to_waiters_in_order() -> None:
    limiter = ConcurrencyLimiter(1, 1.0)
    assert await limiter.acquire()
    order: list[int] = []

    async def wait(i: int) -> None:
        assert await limiter.acquire()
        order.append(i)
        await asyncio.sleep(0)
        limiter.release()

    tasks = [asyncio.create_task(wait(i)) for i in range(3)]
    await asyncio.sleep(0)
    limiter.release()
    await asyncio.gather(*tasks)
    assert order == [0, 1, 2]
    assert limiter.in_flight == 0


async def test_limiter_cancelled_waiter_does_not_leak_a_slot() -> None:
    limiter = ConcurrencyLimiter(1, 5.0)
    assert await limiter.acquire()
    waiter = asyncio.create_task(limiter.acquire())
    await asyncio.sleep(0)
    waiter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await waiter
    limiter.release()
    assert limiter.in_flight == 0
    assert await limiter.acquire()


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


def test_budget_allows_the_ratio_of_recent_calls() -> None:
    clock = Clock()
    budget = RetryBudget(0.2, 0.0, 10.0, clock=clock)
    for _ in range(50):
        budget.record_call()
    allowed = sum(budget.try_spend() for _ in range(100))
    assert allowed == 10  # 20 % of 50


def test_budget_floor_per_second_and_expiry() -> None:
    clock = Clock()
    budget = RetryBudget(0.2, 1.0, 10.0, clock=clock)
    assert sum(budget.try_spend() for _ in range(100)) == 10  # 1/s over a 10 s window, no calls
    clock.now += 10.5
    assert budget.try_spend()  # the spent retries left the window
