"""OTLP over gRPC to a real ``TraceService``, and the options that record more: variables, the document."""

from __future__ import annotations

import json
import urllib.request

import pytest

from tests.resilience.harness import ResilienceEnv
from tests.tracing.harness import (
    MIXED,
    MIXED_DATA,
    MIXED_VARIABLES,
    count_in_trace,
    new_trace,
    parse_traceparent,
    post,
    traceparent,
    tracing_config,
)
from tests.tracing.receiver import OtlpGrpcReceiver, children, one

EXTRA = """    include_variables: true
    include_document: true
    compression: gzip
    headers:
      Authorization: Bearer collector-token
"""


@pytest.fixture(scope="module")
def gateway_url(env: ResilienceEnv, grpc_receiver: OtlpGrpcReceiver) -> str:
    config = (
        tracing_config(grpc_receiver.endpoint, protocol="grpc", extra=EXTRA) + "batching:\n  enabled: true\n"
    )
    return env.gateway(config, name="grpc").url


def test_spans_are_exported_over_grpc_with_the_same_tree(env, gateway_url, grpc_receiver):
    env.reset()
    trace_id, client_span = new_trace()

    status, body = post(
        gateway_url, MIXED, MIXED_VARIABLES, {"traceparent": traceparent(trace_id, client_span)}
    )

    assert (status, body) == (200, {"data": MIXED_DATA})
    grpc_receiver.store.wait_for(count_in_trace(trace_id, 9), what="9 spans over gRPC")
    spans = grpc_receiver.store.trace(trace_id)
    server = one(spans, kind="SERVER")
    assert server.parent == client_span
    (operation,) = children(spans, server)
    execute = one(children(spans, operation), name="graphql.execute")
    fetches = children(spans, execute)
    assert sorted(f.name for f in fetches) == ["fetch flaky", "fetch flaky", "fetch healthy"]
    assert {parse_traceparent(r.headers["traceparent"])[1] for r in env.kit.requests()} == {
        f.span_id for f in fetches
    }
    # gRPC metadata keys are lower case
    assert grpc_receiver.store.exports[-1]["authorization"] == "Bearer collector-token"


def test_variables_and_document_are_recorded_when_enabled(gateway_url, grpc_receiver):
    trace_id, client_span = new_trace()
    post(gateway_url, MIXED, MIXED_VARIABLES, {"traceparent": traceparent(trace_id, client_span)})
    grpc_receiver.store.wait_for(count_in_trace(trace_id, 9), what="the trace")
    spans = grpc_receiver.store.trace(trace_id)
    operation = one(spans, name="query Mixed")
    assert json.loads(operation.attributes["graphql.variables"]) == MIXED_VARIABLES
    assert operation.attributes["graphql.document"] == MIXED
    # only on the operation span
    assert [s.name for s in spans if "graphql.variables" in s.attributes] == ["query Mixed"]


def test_each_operation_of_a_batch_has_its_span_under_the_request(gateway_url, grpc_receiver):
    trace_id, client_span = new_trace()
    batch = [{"query": "query One { hello }"}, {"query": "query Two { flaky(n: 2) }"}]
    request = urllib.request.Request(
        gateway_url,
        data=json.dumps(batch).encode(),
        headers={"content-type": "application/json", "traceparent": traceparent(trace_id, client_span)},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=15) as response:
        answers = json.loads(response.read())
    assert answers == [{"data": {"hello": "world"}}, {"data": {"flaky": "flaky-2"}}]
    grpc_receiver.store.wait_for(count_in_trace(trace_id, 13), what="two operations' spans")
    spans = grpc_receiver.store.trace(trace_id)
    server = one(spans, kind="SERVER")
    assert sorted(s.name for s in children(spans, server)) == ["query One", "query Two"]
    for operation in children(spans, server):
        assert sorted(s.name for s in children(spans, operation)) == sorted(
            ["graphql.parse", "graphql.validate", "graphql.plan", "graphql.execute"]
        )
