"""The tracing runtime's life: per worker after the fork, flushed at shutdown, harmless when the collector is
down (requests unaffected, one log line rather than one per batch)."""

from __future__ import annotations

import time

import pytest

from tests.resilience.harness import ResilienceEnv
from tests.support.ports import free_port
from tests.tracing.harness import new_trace, post, traceparent, tracing_config
from tests.tracing.receiver import OtlpHttpReceiver

QUERY = "query Life { hello }"


@pytest.fixture(autouse=True)
def _fresh(env: ResilienceEnv, http_receiver: OtlpHttpReceiver) -> None:
    env.reset()
    http_receiver.store.clear()


def test_an_unreachable_collector_fails_no_request_and_does_not_flood_the_log(env):
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    config = tracing_config(dead).replace("service_name:", "timeout: 200ms\n    service_name:")
    gateway = env.gateway(config, name="dead-collector")
    started = time.monotonic()
    while time.monotonic() - started < 2.0:  # about 40 export attempts (every 50 ms)
        assert post(gateway.url, QUERY)[0] == 200
        time.sleep(0.02)
    output = gateway.process.output()
    failures = [line for line in output.splitlines() if "export" in line.lower()]
    assert 1 <= len(failures) <= 3, output


def test_queued_spans_are_exported_at_shutdown(env, http_receiver):
    config = tracing_config(http_receiver.endpoint).replace("schedule_delay: 50ms", "schedule_delay: 60s")
    gateway = env.gateway(config, name="flush-at-exit")
    trace_id, client_span = new_trace()
    assert post(gateway.url, QUERY, headers={"traceparent": traceparent(trace_id, client_span)})[0] == 200
    time.sleep(0.3)
    assert http_receiver.store.snapshot() == []  # still queued: the next export is a minute away
    gateway.stop()  # SIGTERM: drain, then the app's cleanup shuts the provider down
    spans = http_receiver.store.wait_for(lambda s: len(s) >= 7, timeout=5.0, what="the spans flushed at exit")
    assert {s.trace_id for s in spans} == {trace_id}


def test_each_worker_traces_from_its_own_process(env, http_receiver):
    config = tracing_config(http_receiver.endpoint) + "server:\n  workers: 2\n"
    gateway = env.gateway(config, name="workers")
    for _ in range(30):
        assert post(gateway.url, QUERY)[0] == 200
    spans = http_receiver.store.wait_for(lambda s: len(s) >= 30 * 7, what="30 traces")
    pids = {s.resource["process.pid"] for s in spans}
    supervisor = gateway.process.popen.pid
    assert supervisor not in pids  # the provider and its export thread live in the workers, not the parent
    assert 1 <= len(pids) <= 2
