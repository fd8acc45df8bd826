"""The circuit breaker's state machine, on a fake clock (no sleeping, exact boundaries)."""

from __future__ import annotations

from gateway.config.resilience import CircuitBreakerConfig
from gateway.transport.breaker import ADMITTED, PROBE, REJECTED, BreakerRegistry, CircuitBreaker


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def breaker(clock: Clock, **overrides: object) -> tuple[CircuitBreaker, list[tuple[str, str]]]:
    settings: dict[str, object] = {
        "window": 10.0,
        "buckets": 10,
        "minimum_requests": 4,
        "error_threshold": 0.5,
        "open_duration": 5.0,
        "max_open_duration": 20.0,
        "half_open_probes": 2,
    }
    settings.update(overrides)
    seen: list[tuple[str, str]] = []
    b = CircuitBreaker(
        "a",
        "http://a",
        CircuitBreakerConfig(**settings),  # type: ignore[arg-type]
        lambda _s, _u, old, new: seen.append((old, new)),
        clock,
    )
    return b, seen


def test_stays_closed_below_minimum_requests_even_if_all_fail() -> None:
    clock = Clock()
    b, _ = breaker(clock)
    for _ in range(3):
        assert b.allow() == ADMITTED
        b.record(ADMITTED, False)
    assert b.state == "closed"


def test_opens_when_the_failure_ratio_reaches_the_threshold() -> None:
    clock = Clock()
    b, seen = breaker(clock)
    for ok in (True, True, False):
        b.record(b.allow(), ok)
    assert b.state == "closed"  # 1/3 failed, and fewer than 4 calls
    b.record(b.allow(), False)  # 2/4 = 50 %
    assert b.state == "open"
    assert seen == [("closed", "open")]
    assert b.allow() == REJECTED
    assert 4.9 < b.retry_in <= 5.0


def test_old_buckets_leave_the_window() -> None:
    clock = Clock()
    b, _ = breaker(clock)
    for _ in range(3):
        b.record(b.allow(), False)
    clock.now += 11  # the three failures are out of the 10 s window
    for _ in range(3):
        b.record(b.allow(), True)
    b.record(b.allow(), False)
    assert b.state == "closed"  # 1/4 in the window


def test_half_open_admits_a_few_probes_then_a_success_closes() -> None:
    clock = Clock()
    b, seen = breaker(clock)
    for _ in range(4):
        b.record(b.allow(), False)
    clock.now += 5.0
    first, second, third = b.allow(), b.allow(), b.allow()
    assert (first, second, third) == (PROBE, PROBE, REJECTED)
    assert b.state == "half_open"
    b.record(first, True)
    assert b.state == "closed"
    b.record(second, False)  # a late probe outcome does not reopen a closed breaker
    assert b.state == "closed"
    assert seen == [("closed", "open"), ("open", "half_open"), ("half_open", "closed")]
    # a fresh window: one failure does not reopen
    b.record(b.allow(), False)
    assert b.state == "closed"


def test_a_failed_probe_reopens_with_the_duration_doubled_up_to_the_cap() -> None:
    clock = Clock()
    b, _ = breaker(clock)
    for _ in range(4):
        b.record(b.allow(), False)
    durations = []
    for _ in range(4):
        clock.now += b.retry_in
        probe = b.allow()
        assert probe == PROBE
        b.record(probe, False)
        assert b.state == "open"
        durations.append(round(b.retry_in, 3))
    assert durations == [10.0, 20.0, 20.0, 20.0]
    clock.now += 20.0
    probe = b.allow()
    b.record(probe, True)
    assert b.state == "closed"
    # after closing, the next opening starts again from open_duration
    for _ in range(4):
        b.record(b.allow(), False)
    assert round(b.retry_in, 3) == 5.0


def test_released_probe_frees_its_slot() -> None:
    clock = Clock()
    b, _ = breaker(clock, half_open_probes=1)
    for _ in range(4):
        b.record(b.allow(), False)
    clock.now += 5.0
    probe = b.allow()
    assert b.allow() == REJECTED
    b.release(probe)
    assert b.allow() == PROBE


def test_registry_keeps_state_per_url_and_replaces_on_new_settings() -> None:
    registry = BreakerRegistry()
    config = CircuitBreakerConfig(minimum_requests=1)
    first = registry.get("a", "http://one", config)
    assert registry.get("a", "http://one", config) is first
    assert registry.get("a", "http://two", config) is not first
    first.record(first.allow(), False)
    assert registry.states() == {"a": {"http://one": "open", "http://two": "closed"}}
    assert registry.get("a", "http://one", CircuitBreakerConfig(minimum_requests=2)).state == "closed"


def test_registry_forgets_urls_no_longer_used() -> None:
    registry = BreakerRegistry()
    config = CircuitBreakerConfig(minimum_requests=1)
    registry.get("a", "http://old", config).record(ADMITTED, False)
    registry.get("a", "http://new", config)
    registry.retain({("a", "http://new")})
    assert registry.states() == {"a": {"http://new": "closed"}}
