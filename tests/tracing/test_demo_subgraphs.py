"""The demo subgraphs join the gateway's traces: each one's SERVER span is a child of the fetch span.

The three subgraphs run as real processes (``python -m subgraphs.<name>``) configured only by the standard
OpenTelemetry environment variables (one of them exporting over gRPC), the gateway serves the checked-in
demo supergraph with their URLs overridden, and one receiver store collects what every process exports.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from subgraphs import SUBGRAPH_NAMES
from tests.resilience.harness import REPO_ROOT
from tests.support.ports import free_port
from tests.support.processes import RunningProcess, http_ok, start_process, wait_until
from tests.tracing.harness import new_trace, post, traceparent, tracing_config
from tests.tracing.receiver import OtlpGrpcReceiver, OtlpHttpReceiver, SpanStore, children, one

# products (title, weight, price, shipping estimate) and orders (units sold) for one product
QUERY = """query Product {
  product(upc: "536971683528") { title weightGrams price { amount } shippingEstimate { amount } unitsSold }
}"""
GRPC_SUBGRAPH = "orders"


@pytest.fixture(scope="module")
def stack() -> Iterator[tuple[str, SpanStore, dict[str, RunningProcess]]]:
    store = SpanStore()
    http = OtlpHttpReceiver(store).start()
    grpc = OtlpGrpcReceiver(store).start()
    processes: dict[str, RunningProcess] = {}
    workdir = tempfile.TemporaryDirectory(prefix="tracing-demo-")
    try:
        urls = {}
        for name in SUBGRAPH_NAMES:
            port = free_port()
            env = {
                "OTEL_EXPORTER_OTLP_ENDPOINT": http.endpoint,
                "OTEL_BSP_SCHEDULE_DELAY": "50",
                "OTEL_SERVICE_NAME": "",  # the default: the subgraph's name
            }
            if name == GRPC_SUBGRAPH:
                env |= {"OTEL_EXPORTER_OTLP_ENDPOINT": grpc.endpoint, "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}
            process = processes[name] = start_process(
                [sys.executable, "-m", f"subgraphs.{name}", "--port", str(port), "--host", "127.0.0.1"],
                cwd=REPO_ROOT,
                env=env,
            )
            wait_until(process, http_ok(f"http://127.0.0.1:{port}/health"), timeout=20.0, what=name)
            urls[name] = f"http://127.0.0.1:{port}/graphql"
        overrides = "override_subgraph_url:\n" + "".join(f"  {n}: {u}\n" for n, u in urls.items())
        config = Path(workdir.name) / "gateway.yaml"
        config.write_text(tracing_config(http.endpoint) + overrides)
        port = free_port()
        supergraph = REPO_ROOT / "schema" / "supergraph.graphql"
        gateway = processes["gateway"] = start_process(
            [
                sys.executable, "-m", "gateway", "serve", "--supergraph", str(supergraph),
                "--config", str(config), "--port", str(port), "--log-level", "warning",
            ],
            cwd=REPO_ROOT,
        )  # fmt: skip
        wait_until(gateway, http_ok(f"http://127.0.0.1:{port}/health"), timeout=20.0, what="gateway")
        yield f"http://127.0.0.1:{port}/graphql", store, processes
    finally:
        for process in processes.values():
            process.stop()
        http.stop()
        grpc.stop()
        workdir.cleanup()


def test_each_subgraph_span_is_a_child_of_its_fetch_span(stack):
    url, store, _processes = stack
    trace_id, client_span = new_trace()

    status, body = post(url, QUERY, headers={"traceparent": traceparent(trace_id, client_span)})

    assert status == 200
    assert "errors" not in body, body
    assert body["data"]["product"]["unitsSold"] is not None

    def complete(spans: list) -> bool:
        mine = [s for s in spans if s.trace_id == trace_id]
        fetches = [s for s in mine if s.kind == "CLIENT"]
        served = [s for s in mine if s.kind == "SERVER" and s.service != "gateway-under-test"]
        # the gateway's request span ends last and may come in a later export batch than its children
        request = [s for s in mine if s.kind == "SERVER" and s.service == "gateway-under-test"]
        return bool(fetches) and len(served) == len(fetches) and len(request) == 1

    store.wait_for(complete, what="the request span and a subgraph span for every fetch")
    spans = store.trace(trace_id)
    server = one(spans, kind="SERVER", service="gateway-under-test")
    assert server.parent == client_span
    (operation,) = children(spans, server)
    execute = one(children(spans, operation), name="graphql.execute")
    fetches = children(spans, execute)
    assert {f.attributes["subgraph.name"] for f in fetches} >= {"products", "orders"}
    for fetch in fetches:
        subgraph = fetch.attributes["subgraph.name"]
        (served,) = children(spans, fetch)  # the subgraph's span, parented by the traceparent it received
        assert served.kind == "SERVER"
        assert served.service == subgraph
        assert served.name == "POST /graphql"
        assert served.attributes["http.response.status_code"] == 200
        assert served.scope == "subgraphs"
        # the subgraph's work happens within the gateway's fetch
        assert fetch.start_ns <= served.start_ns
        assert served.end_ns <= fetch.end_ns
    # the whole trace: the gateway's spans and one per subgraph request, nothing outside the client's trace
    assert {s.service for s in spans} == {
        "gateway-under-test",
        *(f.attributes["subgraph.name"] for f in fetches),
    }
