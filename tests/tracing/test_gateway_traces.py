"""Traces of one query, as a real OTLP/HTTP receiver gets them from a real ``gateway serve``.

The span tree of a cross-subgraph query, parented by the client's ``traceparent``: the request span, the
operation span, every stage (parse, validate, plan, execute) and one CLIENT span per subgraph fetch; each
subgraph request carries a ``traceparent`` naming its fetch span, and the client's ``baggage``. Then the
caches (hit on the second request), coalesced fetches (linked to the one that made the call), retries
(events on the fetch span), failures (error status) and what is never recorded (variables, the document).
"""

from __future__ import annotations

import hashlib
import itertools
import time
from typing import Any

import pytest

from tests.resilience.harness import ResilienceEnv
from tests.support.subgraph_kit import Fault
from tests.tracing.harness import (
    MIXED,
    MIXED_DATA,
    MIXED_VARIABLES,
    by_name,
    count_in_trace,
    new_trace,
    parse_traceparent,
    post,
    sampled,
    traceparent,
    tracing_config,
)
from tests.tracing.receiver import OtlpHttpReceiver, ReceivedSpan, children, one

STAGES = ("graphql.parse", "graphql.validate", "graphql.plan", "graphql.execute")


@pytest.fixture(scope="module")
def gateway_url(env: ResilienceEnv, http_receiver: OtlpHttpReceiver) -> str:
    extra = "    headers:\n      x-collector-key: secret-value\n"
    return env.gateway(tracing_config(http_receiver.endpoint, extra=extra), name="traced").url


@pytest.fixture(autouse=True)
def _fresh(env: ResilienceEnv, http_receiver: OtlpHttpReceiver) -> None:
    env.reset()
    http_receiver.store.clear()


def _tree(spans: list[ReceivedSpan], trace_id: str) -> dict[str, Any]:
    """The request, operation, stage and fetch spans of one trace, checked to form the expected tree."""
    mine = [s for s in spans if s.trace_id == trace_id]
    server = one(mine, kind="SERVER")
    (operation,) = children(mine, server)
    stages = {s.name: s for s in children(mine, operation)}
    assert set(stages) == set(STAGES), sorted(stages)
    fetches = children(mine, stages["graphql.execute"])
    return {"server": server, "operation": operation, "stages": stages, "fetches": fetches, "all": mine}


def test_a_cross_subgraph_query_is_one_trace_under_the_clients_span(env, gateway_url, http_receiver):
    trace_id, client_span = new_trace()
    headers = {"traceparent": traceparent(trace_id, client_span), "baggage": "tenant=acme"}

    status, body = post(gateway_url, MIXED, MIXED_VARIABLES, headers)

    assert (status, body) == (200, {"data": MIXED_DATA})
    spans = http_receiver.store.wait_for(count_in_trace(trace_id, 9), what="9 spans of the query")
    tree = _tree(spans, trace_id)
    assert len(tree["all"]) == 9
    assert all(s.trace_id == trace_id for s in tree["all"])

    server = tree["server"]
    assert server.parent == client_span  # the client's span is the parent of the gateway's request span
    assert server.name == "POST /graphql"
    assert server.status == "UNSET"
    assert server.attributes["http.request.method"] == "POST"
    assert server.attributes["url.path"] == "/graphql"
    assert server.attributes["http.route"] == "/graphql"
    assert server.attributes["http.response.status_code"] == 200
    assert server.attributes["server.address"] == "127.0.0.1"
    assert server.attributes["client.address"] == "127.0.0.1"
    assert server.resource["service.name"] == "gateway-under-test"
    assert server.resource["deployment.environment.name"] == "test"
    assert server.scope == "pygraph-gateway"

    operation = tree["operation"]
    assert operation.name == "query Mixed"
    assert operation.kind == "INTERNAL"
    assert operation.attributes["graphql.operation.type"] == "query"
    assert operation.attributes["graphql.operation.name"] == "Mixed"
    assert operation.attributes["graphql.document.hash"] == hashlib.sha256(MIXED.encode()).hexdigest()
    assert operation.status == "UNSET"

    stages = tree["stages"]
    for name in ("graphql.parse", "graphql.validate", "graphql.plan"):
        assert stages[name].attributes["gateway.cache.hit"] is False, name
    assert stages["graphql.execute"].attributes["gateway.plan.fetches"] == 3
    # the stages run in order, inside the operation
    order = [stages[name] for name in STAGES]
    assert all(a.end_ns <= b.start_ns for a, b in itertools.pairwise(order)), [s.name for s in order]
    assert operation.start_ns <= order[0].start_ns
    assert order[-1].end_ns <= operation.end_ns

    fetches = tree["fetches"]
    assert sorted(f.name for f in fetches) == ["fetch flaky", "fetch flaky", "fetch healthy"]
    for fetch in fetches:
        attributes = fetch.attributes
        assert fetch.kind == "CLIENT"
        assert attributes["subgraph.name"] == fetch.name.removeprefix("fetch ")
        assert attributes["url.full"] == env.kit.urls[attributes["subgraph.name"]]
        assert attributes["http.request.method"] == "POST"
        assert attributes["http.response.status_code"] == 200
        assert attributes["gateway.fetch.coalesced"] is False
        assert attributes["gateway.fetch.attempts"] == 1
        assert attributes["gateway.circuit_breaker.state"] == "closed"
        assert attributes["graphql.operation.type"] == "query"
        assert fetch.status == "UNSET"
    healthy = one(fetches, name="fetch healthy")
    entities = [f for f in by_name(fetches, "fetch flaky") if "_entities" in _sent_query(env, f)]
    assert len(entities) == 1
    assert healthy.end_ns <= entities[0].start_ns  # the _entities fetch waited for the products

    # every subgraph request names its fetch span as parent, in the client's trace, with the baggage
    received = env.kit.requests()
    assert len(received) == 3
    parents = set()
    for request in received:
        sent_trace, parent, flags = parse_traceparent(request.headers["traceparent"])
        assert (sent_trace, flags) == (trace_id, "01")
        parents.add(parent)
        assert request.headers["baggage"] == "tenant=acme"
    assert parents == {f.span_id for f in fetches}

    # variables and the document are not recorded by default
    for span in tree["all"]:
        assert "graphql.variables" not in span.attributes
        assert "graphql.document" not in span.attributes
        assert "424242" not in repr(span.attributes), span.name
    # the exporter's configured headers reach the collector
    assert http_receiver.store.exports[-1]["x-collector-key"] == "secret-value"


def _sent_query(env: ResilienceEnv, fetch: ReceivedSpan) -> str:
    """The query the subgraph received from this fetch span."""
    for request in env.kit.requests():
        if parse_traceparent(request.headers["traceparent"])[1] == fetch.span_id:
            return request.query
    raise AssertionError(f"no subgraph request came from {fetch.name} {fetch.span_id}")


def test_the_second_request_is_answered_by_the_caches(gateway_url, http_receiver):
    query = "query Twice { hello }"
    first, _ = new_trace()
    second, _ = new_trace()
    for trace_id in (first, second):
        status, _body = post(
            gateway_url, query, headers={"traceparent": traceparent(trace_id, "00f067aa0ba902b7")}
        )
        assert status == 200
    spans = http_receiver.store.wait_for(
        lambda s: count_in_trace(first, 7)(s) and count_in_trace(second, 7)(s), what="both traces"
    )
    hits = {}
    for trace_id in (first, second):
        stages = _tree(spans, trace_id)["stages"]
        hits[trace_id] = {n: stages[n].attributes["gateway.cache.hit"] for n in STAGES[:3]}
    assert hits[first] == dict.fromkeys(STAGES[:3], False)
    assert hits[second] == dict.fromkeys(STAGES[:3], True)


def test_without_a_client_traceparent_the_trace_starts_at_the_gateway(env, gateway_url, http_receiver):
    status, _body = post(gateway_url, "query Root { hello }")
    assert status == 200
    spans = http_receiver.store.wait_for(lambda s: len(s) >= 7, what="the request's spans")
    server = one(spans, kind="SERVER")
    assert server.parent == ""
    assert {s.trace_id for s in spans} == {server.trace_id}
    (request,) = env.kit.requests()
    sent_trace, parent, flags = parse_traceparent(request.headers["traceparent"])
    assert sent_trace == server.trace_id
    assert sampled(flags)
    assert parent == one(spans, name="fetch healthy").span_id
    assert "baggage" not in request.headers


def test_coalesced_fetches_link_to_the_fetch_that_made_the_call(env, gateway_url, http_receiver):
    env.kit.set_fault("healthy", Fault("delay", delay_seconds=0.5))
    query = "query Shared { hello }"
    traces = [new_trace(), new_trace()]

    answers = _concurrently([(gateway_url, query, {"traceparent": traceparent(t, s)}) for t, s in traces])

    assert [a[0] for a in answers] == [200, 200]
    ids = [t for t, _ in traces]
    spans = http_receiver.store.wait_for(
        lambda s: all(count_in_trace(t, 7)(s) for t in ids), what="both traces"
    )
    fetches = [one([s for s in spans if s.trace_id == t], kind="CLIENT") for t in ids]
    flags = sorted((f.attributes["gateway.fetch.coalesced"], i) for i, f in enumerate(fetches))
    assert [coalesced for coalesced, _ in flags] == [False, True], [f.attributes for f in fetches]
    leader, follower = (fetches[i] for _, i in flags)
    assert leader.attributes["gateway.fetch.attempts"] == 1
    assert follower.attributes["gateway.fetch.attempts"] == 0  # it sent nothing itself
    assert follower.attributes["http.response.status_code"] == 200
    assert follower.links == [(leader.trace_id, leader.span_id, {"gateway.link": "coalesced_with"})]
    (request,) = env.kit.requests("healthy")  # one call for both clients, made in the leader's trace
    assert parse_traceparent(request.headers["traceparent"])[:2] == (leader.trace_id, leader.span_id)


def _concurrently(calls: list[tuple[str, str, dict[str, str]]]) -> list[tuple[int, Any]]:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    barrier = threading.Barrier(len(calls))

    def one_call(call: tuple[str, str, dict[str, str]]) -> tuple[int, Any]:
        barrier.wait(5)
        return post(call[0], call[1], headers=call[2])

    with ThreadPoolExecutor(len(calls)) as pool:
        return list(pool.map(one_call, calls))


def test_a_retried_fetch_is_one_span_with_a_retry_event(env, gateway_url, http_receiver):
    env.kit.set_fault("flaky", Fault("http_503", times=1))
    trace_id, client_span = new_trace()

    status, body = post(
        gateway_url,
        "query Retried { flaky(n: 3) }",
        headers={"traceparent": traceparent(trace_id, client_span)},
    )

    assert (status, body) == (200, {"data": {"flaky": "flaky-3"}})
    spans = http_receiver.store.wait_for(count_in_trace(trace_id, 7), what="the trace")
    fetch = one(spans, kind="CLIENT")
    assert fetch.attributes["gateway.fetch.attempts"] == 2
    assert fetch.attributes["http.response.status_code"] == 200
    assert fetch.events == [("retry", {"gateway.fetch.attempt": 2})]
    requests = env.kit.requests("flaky")
    assert len(requests) == 2
    assert {parse_traceparent(r.headers["traceparent"])[1] for r in requests} == {fetch.span_id}


def test_a_failed_fetch_and_its_operation_carry_the_error(env, gateway_url, http_receiver):
    env.kit.set_fault("flaky", Fault("http_500"))
    trace_id, client_span = new_trace()

    status, body = post(
        gateway_url,
        "query Broken { hello flaky }",
        headers={"traceparent": traceparent(trace_id, client_span)},
    )

    assert status == 200
    assert body["errors"][0]["extensions"]["code"] == "SUBREQUEST_HTTP_ERROR"
    spans = http_receiver.store.wait_for(count_in_trace(trace_id, 8), what="the trace")
    failed = one(spans, name="fetch flaky")
    assert failed.status == "ERROR"
    assert failed.attributes["error.type"] == "SUBREQUEST_HTTP_ERROR"
    assert failed.attributes["http.response.status_code"] == 500
    assert one(spans, name="fetch healthy").status == "UNSET"
    operation = one(spans, name="query Broken")
    assert operation.status == "ERROR"
    assert operation.attributes["error.type"] == "SUBREQUEST_HTTP_ERROR"
    assert operation.attributes["gateway.graphql.errors"] == 1
    assert one(spans, kind="SERVER").status == "UNSET"  # a 200 with partial data is not a server error


def test_an_invalid_document_stops_at_its_stage(env, gateway_url, http_receiver):
    trace_id, client_span = new_trace()
    headers = {"traceparent": traceparent(trace_id, client_span)}

    status, body = post(gateway_url, "query Bad { nope }", headers=headers)

    assert status == 200  # application/json: errors are answered with 200 (GraphQL over HTTP)
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    spans = http_receiver.store.wait_for(count_in_trace(trace_id, 4), what="the trace")
    time.sleep(0.2)  # nothing more comes
    spans = [s for s in http_receiver.store.snapshot() if s.trace_id == trace_id]
    assert sorted(s.name for s in spans) == [
        "GraphQL Operation",
        "POST /graphql",
        "graphql.parse",
        "graphql.validate",
    ]
    validate = one(spans, name="graphql.validate")
    assert validate.status == "ERROR"
    assert validate.attributes["error.type"] == "GRAPHQL_VALIDATION_FAILED"
    assert one(spans, name="graphql.parse").status == "UNSET"
    assert one(spans, kind="SERVER").attributes["http.response.status_code"] == 200
    assert one(spans, name="GraphQL Operation").status == "ERROR"
    assert env.kit.requests() == []


def test_every_span_of_a_request_carries_its_request_id(env, gateway_url, http_receiver):
    """The request id (x-request-id, gateway.telemetry.access) is on every span of the request, the SERVER
    span included, so logs and traces can be matched either way."""
    trace_id, client_span = new_trace()
    headers = {"traceparent": traceparent(trace_id, client_span), "x-request-id": "probe-42"}

    status, _ = post(gateway_url, MIXED, MIXED_VARIABLES, headers)

    assert status == 200
    spans = http_receiver.store.wait_for(count_in_trace(trace_id, 9), what="9 spans of the query")
    mine = [s for s in spans if s.trace_id == trace_id]
    assert len(mine) == 9
    assert {s.name: s.attributes.get("gateway.request_id") for s in mine} == {
        s.name: "probe-42" for s in mine
    }
