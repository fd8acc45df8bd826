"""Sampling (ratio, parent-based) and tracing off: what is exported, and what the subgraphs receive.

Tracing off is the default: no middleware, no header hook, so nothing is exported even when the standard
OTEL_* variables point at a collector, and the gateway adds no ``traceparent`` to subgraph requests. A
client's own ``traceparent`` then reaches a subgraph only if the header rules propagate it (a header
propagation decision, like any other client header).
"""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from tests.resilience.harness import REPO_ROOT, ResilienceEnv
from tests.tracing.harness import (
    count_in_trace,
    new_trace,
    parse_traceparent,
    post,
    sampled,
    traceparent,
    tracing_config,
)
from tests.tracing.receiver import OtlpHttpReceiver

QUERY = "query Sampled { hello }"
QUIET = 0.6  # with exports every 50 ms, nothing received after this long means nothing was exported


@pytest.fixture(autouse=True)
def _fresh(env: ResilienceEnv, http_receiver: OtlpHttpReceiver) -> None:
    env.reset()
    http_receiver.store.clear()


def test_ratio_zero_records_nothing_but_still_propagates_the_decision(env, http_receiver):
    url = env.gateway(tracing_config(http_receiver.endpoint, ratio=0.0), name="ratio0").url
    for _ in range(5):
        assert post(url, QUERY)[0] == 200
    time.sleep(QUIET)
    assert http_receiver.store.snapshot() == []
    requests = env.kit.requests("healthy")
    assert len(requests) == 5
    for request in requests:  # a valid traceparent, marked not sampled, so the subgraphs drop it too
        _trace, _parent, flags = parse_traceparent(request.headers["traceparent"])
        assert not sampled(flags)

    # parent-based (the default): a client that sampled its trace gets it recorded, whatever the ratio
    trace_id, client_span = new_trace()
    assert post(url, QUERY, headers={"traceparent": traceparent(trace_id, client_span)})[0] == 200
    spans = http_receiver.store.wait_for(count_in_trace(trace_id, 7), what="the client's sampled trace")
    assert {s.trace_id for s in spans} == {trace_id}


def test_ratio_decides_alone_when_not_parent_based(env, http_receiver):
    extra = "    sampler:\n      ratio: 0.0\n      parent_based: false\n"
    config = tracing_config(http_receiver.endpoint).replace("    sampler:\n      ratio: 1.0\n", "") + extra
    url = env.gateway(config, name="not-parent-based").url
    trace_id, client_span = new_trace()
    assert post(url, QUERY, headers={"traceparent": traceparent(trace_id, client_span)})[0] == 200
    time.sleep(QUIET)
    assert http_receiver.store.snapshot() == []
    (request,) = env.kit.requests("healthy")
    sent_trace, _parent, flags = parse_traceparent(request.headers["traceparent"])
    assert sent_trace == trace_id  # still the client's trace, so the subgraph's logs can be correlated
    assert not sampled(flags)


def test_ratio_one_tenth_keeps_about_one_trace_in_ten(env, http_receiver):
    url = env.gateway(tracing_config(http_receiver.endpoint, ratio=0.1), name="ratio01").url
    for _ in range(200):
        assert post(url, QUERY)[0] == 200
    time.sleep(QUIET)
    traces = {s.trace_id for s in http_receiver.store.snapshot()}
    assert 3 <= len(traces) <= 45, len(traces)  # binomial(200, 0.1): 20 expected, this is > 5 sigma wide
    sampled_requests = [
        r for r in env.kit.requests("healthy") if sampled(parse_traceparent(r.headers["traceparent"])[2])
    ]
    assert {parse_traceparent(r.headers["traceparent"])[0] for r in sampled_requests} == traces


def test_off_exports_nothing_and_adds_no_trace_headers(env, http_receiver):
    config = "headers:\n  all:\n    request:\n      - propagate: { named: x-forward-me }\n"
    gateway = env.gateway(config, name="off")
    trace_id, client_span = new_trace()
    headers = {
        "traceparent": traceparent(trace_id, client_span),
        "baggage": "tenant=acme",
        "x-forward-me": "1",
    }
    assert post(gateway.url, QUERY, headers=headers)[0] == 200
    time.sleep(QUIET)
    assert http_receiver.store.snapshot() == []
    (request,) = env.kit.requests("healthy")
    assert request.headers["x-forward-me"] == "1"  # the header rules apply
    assert "traceparent" not in request.headers  # neither ours nor the client's (not propagated by a rule)
    assert "baggage" not in request.headers
    assert "tracestate" not in request.headers


def test_off_with_a_propagation_rule_forwards_the_clients_traceparent_untouched(env):
    config = "headers:\n  all:\n    request:\n      - propagate: { named: traceparent }\n"
    gateway = env.gateway(config, name="off-propagating")
    trace_id, client_span = new_trace()
    assert post(gateway.url, QUERY, headers={"traceparent": traceparent(trace_id, client_span)})[0] == 200
    (request,) = env.kit.requests("healthy")
    assert request.headers["traceparent"] == traceparent(trace_id, client_span)


def test_off_loads_no_tracer_and_starts_no_export_thread():
    # (redis-py imports parts of OpenTelemetry for its own optional metrics when they are installed)
    code = (
        "import asyncio, sys, threading\n"
        "from aiohttp import web\n"
        "from gateway.config.model import Config\n"
        "from gateway.app import create_app\n"
        "from gateway.pipeline.runner import GatewayPipeline\n"
        "from gateway.transport.client import OUTGOING_HEADER_HOOKS\n"
        "async def main():\n"
        "    runner = web.AppRunner(create_app(Config(), GatewayPipeline(Config())))\n"
        "    await runner.setup()  # the app started: cleanup contexts entered\n"
        "    hooks = [h.__qualname__ for h in OUTGOING_HEADER_HOOKS if 'Tracing' in h.__qualname__]\n"
        "    threads = [t.name for t in threading.enumerate() if 'Otel' in t.name]\n"
        "    prefixes = ('opentelemetry.sdk.trace', 'opentelemetry.exporter', 'gateway.telemetry.tracing_')\n"
        "    print(sorted(m for m in sys.modules if m.startswith(prefixes)), hooks, threads)\n"
        "    await runner.cleanup()\n"
        "asyncio.run(main())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout.strip() == "[] [] []"
