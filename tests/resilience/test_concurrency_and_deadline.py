"""The per-subgraph concurrency bound and the client request's deadline, against a slow or hanging subgraph.

Concurrency: ``flaky`` allows 2 calls in flight and a wait of at most 100 ms for a slot. Six concurrent client
requests with distinct variables (so coalescing cannot merge them) against a subgraph that takes 0.5 s: two
are answered completely, four fail fast with ``SUBGRAPH_OVERLOADED`` (healthy part present) long before
0.5 s, and only two requests reach the subgraph. With a fast subgraph the waiters get their slot within the
wait and all answers are complete.

Deadline: ``server.request_timeout`` 1 s, subgraph timeout 30 s, a subgraph that never answers: the client is
answered after about 1 s, and the gateway keeps serving.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from tests.resilience.harness import (
    BOTH_ROOTS,
    BOTH_ROOTS_DATA,
    FLAKY_ONLY,
    Answer,
    Gateway,
    ResilienceEnv,
    sample,
)
from tests.support.subgraph_kit import Fault

CONCURRENCY = """
traffic_shaping:
  all:
    circuit_breaker:
      enabled: false
  subgraphs:
    flaky:
      retry:
        enabled: false
      concurrency:
        max_in_flight: 2
        max_wait: 100ms
"""

DEADLINE = """
server:
  request_timeout: 1s
traffic_shaping:
  subgraphs:
    flaky:
      timeout: 30s
      circuit_breaker:
        minimum_requests: 2
        open_duration: 300ms
        max_open_duration: 300ms
        half_open_probes: 1
"""


@pytest.fixture(scope="module")
def bounded(env: ResilienceEnv) -> Iterator[Gateway]:
    gateway = env.gateway(CONCURRENCY, "concurrency")
    yield gateway
    gateway.stop()


@pytest.fixture(scope="module")
def deadline(env: ResilienceEnv) -> Iterator[Gateway]:
    gateway = env.gateway(DEADLINE, "deadline")
    yield gateway
    gateway.stop()


def _distinct(count: int) -> list[tuple[str, dict[str, int]]]:
    return [(BOTH_ROOTS, {"n": i}) for i in range(count)]


def test_full_concurrency_bound_fails_fast(env: ResilienceEnv, bounded: Gateway) -> None:
    before = sample(
        bounded.metrics(), "gateway_subgraph_fetches_rejected_total", subgraph="flaky", reason="overloaded"
    )
    env.kit.set_fault("flaky", Fault("delay", delay_seconds=0.5))
    answers = bounded.post_concurrently(_distinct(6))
    complete = [a for a in answers if "errors" not in a.body]
    overloaded = [a for a in answers if "errors" in a.body]
    assert len(complete) == 2, [a.body for a in answers]
    assert len(overloaded) == 4
    for answer in complete:
        assert answer.status == 200
        assert answer.elapsed >= 0.5
    for answer in overloaded:
        assert answer.status == 200
        assert answer.data["hello"] == "world"
        assert answer.data["flaky"] is None
        error = answer.only_error()
        assert error["extensions"]["code"] == "SUBGRAPH_OVERLOADED", error
        assert error["extensions"]["service"] == "flaky"
        assert 0.09 <= answer.elapsed < 0.45, f"overloaded answer after {answer.elapsed:.3f}s"
    assert env.flaky_requests() == 2
    after = sample(
        bounded.metrics(), "gateway_subgraph_fetches_rejected_total", subgraph="flaky", reason="overloaded"
    )
    assert after - before == 4

    # no slot leaked: once the slow calls are over, calls go through at once
    env.kit.set_fault("flaky", None)
    for i in range(3):
        answer = bounded.post(BOTH_ROOTS, {"n": 100 + i})
        assert answer.body == {"data": {"hello": "world", "flaky": f"flaky-{100 + i}"}}


def test_waiters_get_a_slot_within_max_wait(env: ResilienceEnv, bounded: Gateway) -> None:
    env.kit.set_fault("flaky", Fault("delay", delay_seconds=0.02))
    answers = bounded.post_concurrently(_distinct(4))
    for i, answer in enumerate(answers):
        assert answer.body == {"data": {"hello": "world", "flaky": f"flaky-{i}"}}, answer.body
    assert env.flaky_requests() == 4


def test_request_deadline_bounds_a_hanging_subgraph(env: ResilienceEnv, deadline: Gateway) -> None:
    env.kit.set_fault("flaky", Fault("hang"))
    answer = deadline.post(BOTH_ROOTS, timeout=10)
    print(f"\ndeadline: HTTP {answer.status} after {answer.elapsed:.3f}s: {answer.body}")
    assert 0.95 <= answer.elapsed < 1.5, answer.elapsed
    # What the code gives: the HTTP layer's request_timeout (started before the pipeline computed the same
    # deadline) fires first and answers 504 without data; the subgraph call, capped at what was left of the
    # deadline, is cancelled with the request.
    assert answer.status == 504, answer.body
    assert answer.codes == ["GATEWAY_TIMEOUT"]
    assert "data" not in answer.body
    assert env.flaky_requests() == 1
    env.kit.set_fault("flaky", None)
    ok = deadline.post(BOTH_ROOTS)
    assert ok.body == {"data": BOTH_ROOTS_DATA}


def test_a_probe_cut_by_the_request_deadline_does_not_wedge_the_breaker(
    env: ResilienceEnv, deadline: Gateway
) -> None:
    """A half-open probe whose client request times out (the call is cancelled, so it never reports an
    outcome) must not keep its probe slot: the breaker would stay half-open and reject every call forever."""
    env.kit.set_fault("flaky", Fault("http_500"))
    for _ in range(5):  # minimum_requests 2 (the window may hold a success of the previous test)
        codes = deadline.post(BOTH_ROOTS).codes
        if codes == ["SUBREQUEST_CIRCUIT_OPEN"]:
            break
        assert codes == ["SUBREQUEST_HTTP_ERROR"]
    else:
        raise AssertionError("the breaker did not open")
    failures = env.flaky_requests()
    time.sleep(0.35)
    env.kit.set_fault("flaky", Fault("hang"))
    cut = deadline.post(BOTH_ROOTS, timeout=10)  # the probe: hangs until the 1 s request deadline
    assert cut.status == 504, cut.body
    assert env.flaky_requests() == failures + 1
    env.kit.set_fault("flaky", None)  # recovered
    time.sleep(0.35)
    answer = deadline.post(BOTH_ROOTS)
    assert answer.body == {"data": BOTH_ROOTS_DATA}, answer.body
    assert env.flaky_requests() == failures + 2


def test_a_coalesced_follower_survives_its_leaders_deadline(env: ResilienceEnv, deadline: Gateway) -> None:
    env.kit.set_fault("flaky", Fault("hang"))
    answers: dict[str, Answer | BaseException] = {}

    def send(name: str, wait: float) -> None:
        time.sleep(wait)
        try:
            answers[name] = deadline.post(FLAKY_ONLY, {"n": 7}, timeout=10)
        except Exception as error:
            answers[name] = error

    threads = [
        threading.Thread(target=send, args=("leader", 0.0)),
        threading.Thread(target=send, args=("follower", 0.5)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    leader = answers["leader"]
    assert isinstance(leader, Answer)
    assert leader.status == 504
    follower = answers["follower"]
    # what the follower is owed: an answer (a 504 or a timeout error), not a dropped connection
    assert isinstance(follower, Answer), repr(follower)
    assert follower.codes == ["GATEWAY_TIMEOUT"], follower.body
