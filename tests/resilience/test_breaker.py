"""The circuit breaker of a failing subgraph, watched from outside: client answers, the subgraph's request log
and ``/metrics`` of a real gateway process.

Settings of ``flaky`` (retries off, so one fetch is one HTTP request and the log counts calls exactly):
window 2 s in 4 buckets, ``minimum_requests`` 5, ``error_threshold`` 0.5, ``open_duration`` 0.5 s (doubling on
a failed probe, capped at 4 s), one probe at a time. The story, in one test because every step depends on the
breaker state the previous one left:

1. five failing fetches (HTTP 500) reach the subgraph; the fifth opens the breaker;
2. while open, fetches fail at once with ``SUBREQUEST_CIRCUIT_OPEN`` and the log stays flat; ``healthy``
   still answers its part of every request;
3. after ``open_duration`` the subgraph has recovered: the next fetch is a probe, it succeeds, the breaker
   closes and answers are complete again;
4. the window restarts empty on closing: with 2 successes in it, 3 failures (3 >= 0.5 x 5) reopen it;
5. a probe that fails reopens it for twice the duration (1 s): the log stays flat for that long, and in
   particular beyond the first 0.5 s;
6. after 1 s the recovered subgraph's probe closes it again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.resilience.harness import BOTH_ROOTS, BOTH_ROOTS_DATA, Answer, Gateway, ResilienceEnv, sample
from tests.support.subgraph_kit import Fault

OPEN = 0.5
CONFIG = f"""
traffic_shaping:
  subgraphs:
    flaky:
      retry:
        enabled: false
      circuit_breaker:
        window: 2s
        buckets: 4
        minimum_requests: 5
        error_threshold: 0.5
        open_duration: {OPEN}s
        max_open_duration: 4s
        half_open_probes: 1
"""

STATE = "gateway_subgraph_circuit_breaker_state"
TRANSITIONS = "gateway_subgraph_circuit_breaker_transitions_total"
REJECTED = "gateway_subgraph_fetches_rejected_total"


@pytest.fixture(scope="module")
def gateway(env: ResilienceEnv) -> Iterator[Gateway]:
    gateway = env.gateway(CONFIG, "breaker")
    yield gateway
    gateway.stop()


def _failed(answer: Answer, code: str) -> None:
    assert answer.status == 200, answer.body
    assert answer.data == {"hello": "world", "flaky": None}, answer.body
    error = answer.only_error()
    assert error["extensions"]["code"] == code, error
    assert error["extensions"]["service"] == "flaky", error


def _complete(answer: Answer) -> None:
    assert answer.status == 200, answer.body
    assert answer.body == {"data": BOTH_ROOTS_DATA}, answer.body


def _sleep_until(moment: float) -> None:
    time.sleep(max(0.0, moment - time.monotonic()))


def test_breaker_opens_rejects_without_calls_probes_closes_and_backs_off(
    env: ResilienceEnv, gateway: Gateway
) -> None:
    url = env.kit.urls["flaky"]

    def state(samples: dict) -> str:
        current = [
            s
            for s in ("closed", "open", "half_open")
            if sample(samples, STATE, subgraph="flaky", url=url, state=s)
        ]
        assert len(current) == 1, current
        return current[0]

    assert state(gateway.metrics()) == "closed"

    # 1. five failures reach the subgraph; the fifth opens the breaker
    env.kit.set_fault("flaky", Fault("http_500"))
    for _ in range(5):
        _failed(gateway.post(BOTH_ROOTS), "SUBREQUEST_HTTP_ERROR")
    opened = time.monotonic()
    assert env.flaky_requests() == 5

    # 2. open: fail fast, no call, the healthy half still answered
    for _ in range(5):
        answer = gateway.post(BOTH_ROOTS)
        _failed(answer, "SUBREQUEST_CIRCUIT_OPEN")
        assert answer.elapsed < 1.0, answer.elapsed  # no call: the flat request log is the proof
        assert "circuit breaker is open" in answer.only_error()["message"]
    assert time.monotonic() - opened < OPEN, "the open phase must be observed before open_duration ends"
    assert env.flaky_requests() == 5, "no request may reach a subgraph whose breaker is open"
    assert len(env.kit.requests("healthy")) == 10
    samples = gateway.metrics()
    assert state(samples) == "open"
    assert sample(samples, TRANSITIONS, subgraph="flaky", state="open") == 1
    assert sample(samples, REJECTED, subgraph="flaky", reason="circuit_open") == 5
    assert sample(samples, STATE, subgraph="healthy", url=env.kit.urls["healthy"], state="closed") == 1

    # 3. the subgraph recovers; after open_duration the next fetch is a probe, which closes the breaker
    env.kit.set_fault("flaky", None)
    _sleep_until(opened + OPEN + 0.05)
    _complete(gateway.post(BOTH_ROOTS))
    assert env.flaky_requests() == 6
    samples = gateway.metrics()
    assert state(samples) == "closed"
    assert sample(samples, TRANSITIONS, subgraph="flaky", state="half_open") == 1
    assert sample(samples, TRANSITIONS, subgraph="flaky", state="closed") == 1

    # 4. fresh window: 2 successes, then exactly 3 failures get through before it opens again
    for _ in range(2):
        _complete(gateway.post(BOTH_ROOTS))
    env.kit.set_fault("flaky", Fault("http_500"))
    for _ in range(3):
        _failed(gateway.post(BOTH_ROOTS), "SUBREQUEST_HTTP_ERROR")
    reopened = time.monotonic()
    _failed(gateway.post(BOTH_ROOTS), "SUBREQUEST_CIRCUIT_OPEN")
    assert env.flaky_requests() == 6 + 2 + 3

    # 5. the probe fails (the subgraph still answers 500): open again, for 2 x 0.5 s
    _sleep_until(reopened + OPEN + 0.05)
    _failed(gateway.post(BOTH_ROOTS), "SUBREQUEST_HTTP_ERROR")
    probe_failed = time.monotonic()
    assert env.flaky_requests() == 12
    env.kit.set_fault("flaky", None)  # recovered, but the breaker cannot know before its next probe
    flat_until = probe_failed + 2 * OPEN - 0.1
    rejected_after_first_duration = rejected_in_loop = 0
    while time.monotonic() < flat_until:
        answer = gateway.post(BOTH_ROOTS)
        _failed(answer, "SUBREQUEST_CIRCUIT_OPEN")
        rejected_in_loop += 1
        if time.monotonic() - probe_failed > OPEN + 0.05:
            rejected_after_first_duration += 1
        time.sleep(0.05)
    assert rejected_after_first_duration >= 2, "the doubled open duration was not observed"
    assert env.flaky_requests() == 12, "the log must stay flat for the doubled open duration"
    samples = gateway.metrics()
    assert state(samples) == "open"
    assert sample(samples, TRANSITIONS, subgraph="flaky", state="open") == 3
    assert sample(samples, TRANSITIONS, subgraph="flaky", state="half_open") == 2

    # 6. after the doubled duration: probe, success, closed, complete answers
    _sleep_until(probe_failed + 2 * OPEN + 0.05)
    _complete(gateway.post(BOTH_ROOTS))
    _complete(gateway.post(BOTH_ROOTS))
    assert env.flaky_requests() == 14
    samples = gateway.metrics()
    assert state(samples) == "closed"
    assert sample(samples, TRANSITIONS, subgraph="flaky", state="closed") == 2
    assert sample(samples, TRANSITIONS, subgraph="flaky", state="half_open") == 3
    assert sample(samples, TRANSITIONS, subgraph="healthy", state="open") == 0
    assert sample(samples, REJECTED, subgraph="flaky", reason="circuit_open") == 5 + 1 + rejected_in_loop
