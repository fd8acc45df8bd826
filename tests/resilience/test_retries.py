"""Retries counted on the subgraph's own request log: exactly the attempts the configuration allows, never
for a mutation, once for all the waiters of a coalesced call.

``flaky``: retry ``max_attempts`` 3, backoff 10 ms (max 50 ms), subgraph timeout 300 ms, breaker off (its
opening would stop retries and blur the counts; ``test_breaker.py`` covers it). A second gateway process with
``retry.on_timeout: true`` checks the only difference that setting makes.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.resilience.harness import (
    BOTH_ROOTS,
    BOTH_ROOTS_DATA,
    ENTITIES,
    ENTITIES_DATA,
    FLAKY_ONLY,
    Answer,
    Gateway,
    ResilienceEnv,
    sample,
)
from tests.support.subgraph_kit import Fault

SUBGRAPH_TIMEOUT = 0.3


def _config(on_timeout: bool) -> str:
    return f"""
traffic_shaping:
  all:
    circuit_breaker:
      enabled: false
  subgraphs:
    flaky:
      timeout: {SUBGRAPH_TIMEOUT}s
      retry:
        max_attempts: 3
        backoff: 10ms
        max_backoff: 50ms
        on_timeout: {str(on_timeout).lower()}
"""


RETRIES = "gateway_subgraph_retries_total"
SUBGRAPH_REQUESTS = "gateway_subgraph_requests_total"


@pytest.fixture(scope="module")
def gateway(env: ResilienceEnv) -> Iterator[Gateway]:
    gateway = env.gateway(_config(on_timeout=False), "retries")
    yield gateway
    gateway.stop()


@pytest.fixture(scope="module")
def gateway_retrying_timeouts(env: ResilienceEnv) -> Iterator[Gateway]:
    gateway = env.gateway(_config(on_timeout=True), "retries-on-timeout")
    yield gateway
    gateway.stop()


def _complete(answer: Answer, data: object = BOTH_ROOTS_DATA) -> None:
    assert answer.status == 200, answer.body
    assert answer.body == {"data": data}, answer.body


def _flaky_error(answer: Answer) -> dict:
    assert answer.status == 200, answer.body
    error = answer.only_error()
    assert error["extensions"]["service"] == "flaky", error
    return error


def _retried(gateway: Gateway) -> float:
    return sample(gateway.metrics(), RETRIES, subgraph="flaky", result="retried")


# --- queries: retried as configured ----------------------------------------------------------------------


def test_two_503_then_success_is_three_requests_and_one_complete_answer(
    env: ResilienceEnv, gateway: Gateway
) -> None:
    before = _retried(gateway)
    env.kit.set_fault("flaky", Fault("http_503", times=2))
    _complete(gateway.post(BOTH_ROOTS))
    assert env.flaky_requests() == 3
    assert env.kit.fault_hits("flaky") == 2
    assert _retried(gateway) - before == 2


def test_always_503_is_exactly_max_attempts_requests(env: ResilienceEnv, gateway: Gateway) -> None:
    env.kit.set_fault("flaky", Fault("http_503"))
    answer = gateway.post(BOTH_ROOTS)
    error = _flaky_error(answer)
    assert error["extensions"]["code"] == "SUBREQUEST_HTTP_ERROR"
    assert error["extensions"]["attempts"] == 3
    assert error["extensions"]["http"] == {"status": 503}
    assert "(after 3 attempts)" in error["message"]
    assert answer.data == {"hello": "world", "flaky": None}
    assert env.flaky_requests() == 3


def test_an_entity_fetch_of_a_query_is_retried(env: ResilienceEnv, gateway: Gateway) -> None:
    env.kit.set_fault("flaky", Fault("http_503", only_entities=True, times=1))
    _complete(gateway.post(ENTITIES), ENTITIES_DATA)
    assert len(env.kit.entity_requests("flaky")) == 2


def test_retry_after_is_waited_for(env: ResilienceEnv, gateway: Gateway) -> None:
    env.kit.set_fault("flaky", Fault("http_503", retry_after="1", times=1))
    answer = gateway.post(BOTH_ROOTS)
    _complete(answer)
    first, second = env.kit.requests("flaky")
    gap = second.received_at - first.received_at
    assert gap >= 0.95, f"Retry-After: 1 but the retry came after {gap:.3f}s"
    assert gap < 1.5, gap
    assert answer.elapsed >= 1.0


def test_429_is_retried_after_a_short_backoff(env: ResilienceEnv, gateway: Gateway) -> None:
    env.kit.set_fault("flaky", Fault("http_429", times=1))
    answer = gateway.post(BOTH_ROOTS)
    _complete(answer)
    assert env.flaky_requests() == 2
    assert answer.elapsed < 1.0


def test_dropped_connections_are_retried(env: ResilienceEnv, gateway: Gateway) -> None:
    env.kit.set_fault("flaky", Fault("close", times=2))
    _complete(gateway.post(BOTH_ROOTS))
    assert env.flaky_requests() == 3


def test_refused_connections_are_retried_up_to_max_attempts(env: ResilienceEnv, gateway: Gateway) -> None:
    before = sample(gateway.metrics(), SUBGRAPH_REQUESTS, subgraph="flaky", outcome="network_error")
    env.kit.set_fault("flaky", Fault("down"))
    answer = gateway.post(BOTH_ROOTS)
    error = _flaky_error(answer)
    assert error["extensions"]["code"] == "SUBREQUEST_HTTP_ERROR"
    assert error["extensions"]["attempts"] == 3
    assert answer.elapsed < 1.0
    after = sample(gateway.metrics(), SUBGRAPH_REQUESTS, subgraph="flaky", outcome="network_error")
    assert after - before == 3, "three connection attempts"


# --- timeouts ---------------------------------------------------------------------------------------------


def test_a_timeout_is_not_retried_by_default(env: ResilienceEnv, gateway: Gateway) -> None:
    env.kit.set_fault("flaky", Fault("hang"))
    answer = gateway.post(BOTH_ROOTS)
    error = _flaky_error(answer)
    assert error["extensions"]["code"] == "SUBGRAPH_TIMEOUT"
    assert "attempts" not in error["extensions"]
    assert env.flaky_requests() == 1
    assert SUBGRAPH_TIMEOUT - 0.05 <= answer.elapsed < SUBGRAPH_TIMEOUT + 0.5


def test_a_timeout_is_retried_with_on_timeout(env: ResilienceEnv, gateway_retrying_timeouts: Gateway) -> None:
    env.kit.set_fault("flaky", Fault("hang"))
    answer = gateway_retrying_timeouts.post(BOTH_ROOTS)
    error = _flaky_error(answer)
    assert error["extensions"]["code"] == "SUBGRAPH_TIMEOUT"
    assert error["extensions"]["attempts"] == 3
    assert env.flaky_requests() == 3
    assert 3 * SUBGRAPH_TIMEOUT - 0.05 <= answer.elapsed < 3 * SUBGRAPH_TIMEOUT + 0.6

    env.kit.set_fault("flaky", Fault("hang", times=1))  # one timeout, then the subgraph answers
    env.kit.clear_log()
    _complete(gateway_retrying_timeouts.post(BOTH_ROOTS))
    assert env.flaky_requests() == 2


# --- mutations: sent exactly once --------------------------------------------------------------------------

MUTATION = 'mutation Both { createProduct(id: "5") { id } bump(n: 1) }'


@pytest.mark.parametrize("kind", ["http_503", "http_429", "close", "reset_mid_body", "down"])
def test_a_mutation_is_sent_exactly_once(env: ResilienceEnv, gateway: Gateway, kind: str) -> None:
    before = sample(gateway.metrics(), SUBGRAPH_REQUESTS, subgraph="flaky", outcome="network_error")
    env.kit.set_fault("flaky", Fault(kind))  # type: ignore[arg-type]
    answer = gateway.post(MUTATION)
    error = _flaky_error(answer)
    assert error["extensions"]["code"] == "SUBREQUEST_HTTP_ERROR"
    assert "attempts" not in error["extensions"]
    assert answer.data == {"createProduct": {"id": "5"}, "bump": None}
    if kind == "down":
        after = sample(gateway.metrics(), SUBGRAPH_REQUESTS, subgraph="flaky", outcome="network_error")
        assert after - before == 1, "one connection attempt"
    else:
        assert env.flaky_requests() == 1
    assert len(env.kit.requests("healthy")) == 1


@pytest.mark.parametrize("kind", ["http_503", "close"])
def test_an_entity_fetch_of_a_mutation_is_sent_exactly_once(
    env: ResilienceEnv, gateway: Gateway, kind: str
) -> None:
    env.kit.set_fault("flaky", Fault(kind, only_entities=True))  # type: ignore[arg-type]
    answer = gateway.post('mutation Create { createProduct(id: "7") { id name stock } }')
    error = _flaky_error(answer)
    assert error["extensions"]["code"] == "SUBREQUEST_HTTP_ERROR"
    assert "attempts" not in error["extensions"]
    assert answer.data == {"createProduct": {"id": "7", "name": "new-7", "stock": None}}
    assert len(env.kit.entity_requests("flaky")) == 1
    assert env.flaky_requests() == 1


# --- coalescing ---------------------------------------------------------------------------------------------


def test_coalesced_identical_queries_are_retried_once_for_all_waiters(
    env: ResilienceEnv, gateway: Gateway
) -> None:
    before = gateway.metrics()
    # each failing answer takes 0.3 s, so all six identical requests join the first one's call
    env.kit.set_fault("flaky", Fault("http_503", times=2, delay_seconds=0.25))
    answers = gateway.post_concurrently([(FLAKY_ONLY, {"n": 1})] * 6)
    for answer in answers:
        _complete(answer, {"flaky": "flaky-1"})
    assert env.flaky_requests() == 3, "the attempts of one call, not of six"
    after = gateway.metrics()
    coalesced = "gateway_subgraph_requests_coalesced_total"
    assert sample(after, coalesced, subgraph="flaky") - sample(before, coalesced, subgraph="flaky") == 5
    assert (
        sample(after, RETRIES, subgraph="flaky", result="retried")
        - sample(before, RETRIES, subgraph="flaky", result="retried")
        == 2
    )
