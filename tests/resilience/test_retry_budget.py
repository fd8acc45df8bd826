"""The retry budget bounds the extra load on a subgraph that always fails, whatever ``max_attempts`` says.

``flaky`` answers every request with 503; the breaker is off (so only the budget limits retries);
``max_attempts`` 3 and no backoff, so without a budget each fetch would cost 3 requests. Load: 10 concurrent
clients, 20 requests each, paced over about 2 s, every request with its own ``n`` (distinct bodies: nothing is
coalesced). A fetch's retries repeat its body, so the request log tells first attempts (distinct bodies) from
retries (repeats).

- ``budget_ratio`` 0.2, ``budget_min_per_second`` 0: retries <= 0.2 x first attempts, exactly (and the budget
  is used up: every failing fetch asks for a retry);
- ``budget_ratio`` 0.2, ``budget_min_per_second`` 2, ``budget_window`` 10 s: retries <= 0.2 x first attempts
  + 2/s x 10 s.
"""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.resilience.harness import FLAKY_ONLY, Answer, Gateway, ResilienceEnv, sample
from tests.support.subgraph_kit import Fault

CLIENTS = 10
PER_CLIENT = 20
PACE = 0.1  # seconds between two requests of one client


def _config(min_per_second: float) -> str:
    return f"""
traffic_shaping:
  all:
    circuit_breaker:
      enabled: false
  subgraphs:
    flaky:
      retry:
        max_attempts: 3
        backoff: 0s
        budget_ratio: 0.2
        budget_min_per_second: {min_per_second}
        budget_window: 10s
"""


def _load(gateway: Gateway) -> tuple[list[Answer], float]:
    def client(number: int) -> list[Answer]:
        answers = []
        for i in range(PER_CLIENT):
            answers.append(gateway.post(FLAKY_ONLY, {"n": number * 1000 + i}))
            time.sleep(PACE)
        return answers

    started = time.monotonic()
    with ThreadPoolExecutor(CLIENTS) as pool:
        answers = [a for batch in pool.map(client, range(CLIENTS)) for a in batch]
    return answers, time.monotonic() - started


@pytest.mark.parametrize("min_per_second", [0, 2])
def test_retries_stay_within_the_budget(env: ResilienceEnv, min_per_second: float) -> None:
    gateway = env.gateway(_config(min_per_second), f"budget-{min_per_second}")
    try:
        env.kit.set_fault("flaky", Fault("http_503"))
        answers, duration = _load(gateway)
        samples = gateway.metrics()
    finally:
        gateway.stop()

    assert len(answers) == CLIENTS * PER_CLIENT
    for answer in answers:
        assert answer.status == 200, answer.body
        assert answer.only_error()["extensions"]["code"] == "SUBREQUEST_HTTP_ERROR"
    per_fetch = Counter(r.body["variables"]["n"] for r in env.kit.requests("flaky"))
    first_attempts = len(per_fetch)
    total = sum(per_fetch.values())
    retries = total - first_attempts
    assert first_attempts == CLIENTS * PER_CLIENT
    assert max(per_fetch.values()) <= 3
    allowed = 0.2 * first_attempts + min_per_second * 10
    print(
        f"\nbudget min_per_second={min_per_second}: {first_attempts} fetches, {total} subgraph requests "
        f"({retries} retries, bound {allowed:g}) in {duration:.2f}s"
    )
    assert retries <= allowed
    # every fetch fails and asks for a retry, so the budget is used up (to the last retry when it is exact)
    assert retries >= allowed - (2 if min_per_second else 0)
    assert sample(samples, "gateway_subgraph_retries_total", subgraph="flaky", result="retried") == retries
    exhausted = sample(samples, "gateway_subgraph_retries_total", subgraph="flaky", result="budget_exhausted")
    assert exhausted >= first_attempts - retries
    # the attempts each client answer reports add up to the log
    reported = sum(a.only_error()["extensions"].get("attempts", 1) for a in answers)
    assert reported == total
