"""Every way a subgraph can misbehave gives partial data and one precise error, in bounded time.

One gateway process (``python -m gateway serve``), two subgraphs: ``healthy`` and ``flaky``. For each fault on
``flaky`` and for both kinds of fetch (a root fetch next to a healthy root fetch, and an ``_entities`` fetch
below a healthy root fetch), the client gets HTTP 200, the healthy part of the data, ``null`` where ``flaky``
should have answered, and exactly one error with the expected ``extensions.code``, ``extensions.service`` and
``extensions.attempts``; the answer arrives within a bound derived from the configuration (subgraph timeout
500 ms, 2 attempts with 10 ms backoff), never as a 500 and never as a hang. The breaker is disabled here so
that the faults do not open it (that is ``test_breaker.py``); the request log shows how many HTTP requests
each fault cost.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.resilience.harness import (
    BOTH_ROOTS,
    ENTITIES,
    Answer,
    Gateway,
    ResilienceEnv,
    sample,
)
from tests.support.subgraph_kit import Fault

SUBGRAPH_TIMEOUT = 1.5
CONFIG = f"""
traffic_shaping:
  all:
    circuit_breaker:
      enabled: false
  subgraphs:
    flaky:
      timeout: {SUBGRAPH_TIMEOUT}s
      retry:
        max_attempts: 2
        backoff: 10ms
        max_backoff: 20ms
"""

HTTP_ERROR = "SUBREQUEST_HTTP_ERROR"
MALFORMED = "SUBREQUEST_MALFORMED_RESPONSE"
TIMEOUT = "SUBGRAPH_TIMEOUT"  # the subgraph's own traffic_shaping timeout (not the request's deadline)

# No timeout involved: under the subgraph timeout, retries included (typically ~0.02 s; the margin is for a
# test machine loaded by the rest of the suite, where 0.9 s was seen).
FAST = 1.3
# A timeout: the subgraph timeout plus a margin for a loaded test machine.
TIMED_OUT = SUBGRAPH_TIMEOUT + 1.0


@dataclass(frozen=True)
class Expected:
    fault: Fault
    code: str
    requests: int  # HTTP requests flaky receives for the one failing fetch
    attempts: int | None = None  # extensions.attempts (absent when only one attempt was made)
    status: int | None = None  # extensions.http.status
    slowest: float = FAST
    fastest: float = 0.0
    roots: bool = True  # also run the root-fetch query (entities_wrong_length only affects _entities)


CASES: dict[str, Expected] = {
    # refused: retried (a connection error before any response), nothing reaches the log
    "down": Expected(Fault("down"), HTTP_ERROR, requests=0, attempts=2),
    # never answers: cut at the subgraph timeout, and a timeout is not retried
    "hang": Expected(Fault("hang"), TIMEOUT, requests=1, slowest=TIMED_OUT, fastest=SUBGRAPH_TIMEOUT - 0.05),
    # answers, but 1 s after the subgraph timeout: the same as a hang for the client
    "slow": Expected(
        Fault("delay", delay_seconds=SUBGRAPH_TIMEOUT + 1.0),
        TIMEOUT,
        requests=1,
        slowest=TIMED_OUT,
        fastest=SUBGRAPH_TIMEOUT - 0.05,
    ),
    # 500 is a failure but not in retry.statuses (429, 502, 503, 504)
    "http_500": Expected(Fault("http_500"), HTTP_ERROR, requests=1, status=500),
    "http_503": Expected(Fault("http_503"), HTTP_ERROR, requests=2, attempts=2, status=503),
    "garbage": Expected(Fault("garbage"), MALFORMED, requests=1, status=200),
    "truncated_json": Expected(Fault("malformed_json"), MALFORMED, requests=1, status=200),
    "wrong_shape": Expected(Fault("wrong_shape"), MALFORMED, requests=1, status=200),
    # connection dropped after the request, before any byte of the answer: retried
    "dropped": Expected(Fault("close"), HTTP_ERROR, requests=2, attempts=2),
    # status, headers and part of the body, then the connection closes: retried as well (see the report)
    "reset_mid_body": Expected(Fault("reset_mid_body"), HTTP_ERROR, requests=2, attempts=2),
    # a well-formed answer with one entity missing: detected by the executor, not retried
    "entities_wrong_length": Expected(Fault("entities_wrong_length"), MALFORMED, requests=1, roots=False),
}

ROOTS_PARTIAL = {"hello": "world", "flaky": None}
ENTITIES_PARTIAL = {
    "products": [{"id": "1", "name": "Lamp", "stock": None}, {"id": "2", "name": "Desk", "stock": None}]
}


@pytest.fixture(scope="module")
def gateway(env: ResilienceEnv) -> Iterator[Gateway]:
    gateway = env.gateway(CONFIG, "matrix")
    yield gateway
    gateway.stop()


def _check(answer: Answer, expected: Expected, data: Any, path: list[Any] | None) -> None:
    assert answer.status == 200, answer.body
    assert answer.data == data, answer.body
    error = answer.only_error()
    extensions = error["extensions"]
    assert extensions["code"] == expected.code, error
    assert extensions["service"] == "flaky", error
    assert extensions.get("attempts") == expected.attempts, error
    assert (extensions.get("http") or {}).get("status") == expected.status, error
    assert error.get("path") == path, error
    assert "'flaky'" in error["message"]
    assert expected.fastest <= answer.elapsed < expected.slowest, f"answered in {answer.elapsed:.3f}s"


@pytest.mark.parametrize(
    ("name", "shape"),
    [
        (name, shape)
        for name in CASES
        for shape in ("roots", "entities")
        if shape == "entities" or CASES[name].roots
    ],
)
def test_fault_gives_partial_data_and_one_precise_error(
    env: ResilienceEnv, gateway: Gateway, name: str, shape: str
) -> None:
    expected = CASES[name]
    env.kit.set_fault("flaky", expected.fault)
    if shape == "roots":
        answer = gateway.post(BOTH_ROOTS)
        _check(answer, expected, ROOTS_PARTIAL, None)
        assert len(env.kit.requests("healthy")) == 1
    else:
        answer = gateway.post(ENTITIES)
        _check(answer, expected, ENTITIES_PARTIAL, ["products"])
        assert len(env.kit.requests("healthy")) == 1
        assert all(r.is_entities for r in env.kit.requests("flaky"))
    assert len(env.kit.requests("flaky")) == expected.requests


def test_the_gateway_is_still_healthy_and_complete_afterwards(env: ResilienceEnv, gateway: Gateway) -> None:
    assert gateway.alive()
    answer = gateway.post(ENTITIES)
    assert answer.status == 200
    assert "errors" not in answer.body
    samples = gateway.metrics()
    assert (
        sample(samples, "gateway_subgraph_fetches_rejected_total", subgraph="flaky", reason="circuit_open")
        == 0
    )
    assert sample(samples, "gateway_http_requests_total", operation="query", status="500") == 0
