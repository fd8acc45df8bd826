"""The pieces of request logging in-process: the formatters, the request-id filter, id validation, the
transport hook's registration, and the access line of a batch and of a request with metrics off (the real
app, aiohttp's test client and real subgraph servers)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.app import create_app
from gateway.config.errors import ConfigError
from gateway.config.load import load_config_text
from gateway.config.logging import LoggingConfig
from gateway.pipeline.runner import GatewayPipeline
from gateway.telemetry.access import _outgoing, request_id_from
from gateway.telemetry.logs import (
    AccessEntry,
    JsonFormatter,
    RequestIdFilter,
    TextFormatter,
    configure_logging,
)
from gateway.telemetry.scope import CURRENT_SCOPE, RequestScope, current_request_id
from gateway.transport.client import OUTGOING_HEADER_HOOKS
from tests.demand.support import GRJ, SUPERGRAPH_SDL, subgraph_specs
from tests.support.subgraph_kit import SubgraphKit, running_subgraphs


def record(message: str, *args: Any, level: int = logging.INFO, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("boom\nsecond line")
        except ValueError:
            import sys

            exc_info = sys.exc_info()
    return logging.LogRecord("gateway.test", level, __file__, 1, message, args, exc_info)


def in_scope(request_id: str | None) -> Any:
    scope = RequestScope(request_id, "x-request-id")
    return CURRENT_SCOPE.set(scope)


def test_the_filter_reads_the_request_id_of_the_current_request() -> None:
    outside = record("outside")
    RequestIdFilter().filter(outside)
    assert outside.request_id is None  # type: ignore[attr-defined]
    token = in_scope("abc-1")
    try:
        inside = record("inside")
        assert RequestIdFilter().filter(inside)
        assert inside.request_id == "abc-1"  # type: ignore[attr-defined]
        assert current_request_id() == "abc-1"
    finally:
        CURRENT_SCOPE.reset(token)
    assert current_request_id() is None


def test_json_lines_are_single_line_objects_with_the_exception_text() -> None:
    token = in_scope("abc-2")
    try:
        entry = record("multi\nline %s", "arg", level=logging.ERROR, exc=True)
        RequestIdFilter().filter(entry)
    finally:
        CURRENT_SCOPE.reset(token)
    line = JsonFormatter().format(entry)
    assert "\n" not in line
    decoded = json.loads(line)
    assert decoded["level"] == "ERROR"
    assert decoded["logger"] == "gateway.test"
    assert decoded["message"] == "multi\nline arg"
    assert decoded["request_id"] == "abc-2"
    assert decoded["time"].endswith("Z")
    assert "ValueError: boom\nsecond line" in decoded["exception"]


def test_json_access_entries_merge_their_fields() -> None:
    entry = record("%s")
    entry.msg = AccessEntry("POST /graphql 200", {"request_id": "r", "status": 200, "error_codes": []})
    entry.args = None
    decoded = json.loads(JsonFormatter().format(entry))
    assert decoded["message"] == "POST /graphql 200"
    assert decoded["status"] == 200
    assert decoded["request_id"] == "r"
    assert decoded["error_codes"] == []
    # any other formatter gets the readable text form
    assert entry.getMessage() == "POST /graphql 200 error_codes=-"


def test_text_lines_add_the_request_id_in_brackets_only_inside_a_request() -> None:
    formatter = TextFormatter()
    outside = record("hello")
    RequestIdFilter().filter(outside)
    assert formatter.format(outside).endswith(" INFO gateway.test: hello")
    token = in_scope("abc-3")
    try:
        inside = record("hello")
        RequestIdFilter().filter(inside)
    finally:
        CURRENT_SCOPE.reset(token)
    assert formatter.format(inside).endswith(" INFO gateway.test [abc-3]: hello")
    # a record that never met the filter (another handler's) formats without brackets
    assert formatter.format(record("plain")).endswith(" INFO gateway.test: plain")


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("abc", True),
        ("0123456789abcdef0123456789abcdef", True),
        ("550e8400-e29b-41d4-a716-446655440000", True),
        ("host-1:42.7_x", True),
        ("a" * 128, True),
        ("a" * 129, False),
        ("", False),
        (None, False),
        ("a b", False),
        ("a\r\nb", False),
        ("a/b", False),
        ("é", False),
    ],
)
def test_request_id_validation(sent: str | None, kept: bool) -> None:
    result = request_id_from(sent)
    assert (result == sent) is kept
    if not kept:
        assert len(result) == 32
        int(result, 16)


def test_logging_configuration_is_validated() -> None:
    config = load_config_text(
        "telemetry:\n  logging:\n    format: json\n    level: WARNING\n    request_id_header: X-Trace\n"
    )
    assert config.telemetry.logging == LoggingConfig(
        format="json", level="warning", access_log=False, request_id=True, request_id_header="x-trace"
    )
    for bad in ("format: xml", "level: loud", "request_id_header: 'bad header'"):
        with pytest.raises(ConfigError):
            load_config_text(f"telemetry:\n  logging:\n    {bad}\n")


def test_configure_logging_leaves_an_existing_setup_alone() -> None:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        root.handlers = []
        stream = io.StringIO()
        handler = configure_logging(LoggingConfig(format="json"), "debug", stream)
        assert handler is not None
        assert root.level == logging.DEBUG
        logging.getLogger("gateway.test").debug("one")
        assert json.loads(stream.getvalue())["message"] == "one"
        assert configure_logging(LoggingConfig(), "info") is None  # a handler exists: nothing added
        assert root.handlers == [handler]
    finally:
        root.handlers, _ = saved
        root.setLevel(saved[1])
        configure_logging.__globals__["_json_handler"] = None
        logging.captureWarnings(False)


def test_the_hook_counts_calls_and_sets_the_header_only_inside_a_request() -> None:
    headers: dict[str, str] = {}
    _outgoing(headers)
    assert headers == {}
    scope = RequestScope("abc-4", "x-trace")
    token = CURRENT_SCOPE.set(scope)
    try:
        _outgoing(headers)
        _outgoing(headers)
    finally:
        CURRENT_SCOPE.reset(token)
    assert headers == {"x-trace": "abc-4"}
    assert scope.subgraph_calls == 2


# ---- through the app ------------------------------------------------------------------------------------


@pytest.fixture
async def kit() -> AsyncIterator[SubgraphKit]:
    async with running_subgraphs(subgraph_specs()) as running:
        yield running


async def app_client(aiohttp_client: Any, kit: SubgraphKit, yaml: str) -> Any:
    urls = "".join(f"  {name}: {url}\n" for name, url in kit.urls.items())
    config = load_config_text(f"{yaml}\noverride_subgraph_url:\n{urls}", "logs-test.yaml")
    pipeline = GatewayPipeline(config)
    pipeline.load_supergraph(SUPERGRAPH_SDL)
    return await aiohttp_client(create_app(config, pipeline))


def access_entries(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    return [r.msg.fields for r in caplog.records if isinstance(r.msg, AccessEntry)]


async def test_a_batch_is_one_line_listing_its_operations(
    aiohttp_client: Any, kit: SubgraphKit, caplog: pytest.LogCaptureFixture
) -> None:
    client = await app_client(
        aiohttp_client, kit, "batching:\n  enabled: true\ntelemetry:\n  logging:\n    access_log: true\n"
    )
    batch = [{"query": "query A { products(first: 1) { id } }"}, {"query": "query B { nope }"}]
    with caplog.at_level(logging.INFO, logger="gateway.access"):
        response = await client.post("/graphql", json=batch, headers={**GRJ, "x-request-id": "batch-1"})
    assert response.status == 200
    assert response.headers["x-request-id"] == "batch-1"
    (fields,) = access_entries(caplog)
    assert fields["request_id"] == "batch-1"
    assert fields["operation_name"] is None
    assert [(op["operation_name"], op["operation_type"]) for op in fields["batch"]] == [
        ("A", "query"),
        (None, None),  # refused by validation: only a name the client sent as operationName is known
    ]
    assert fields["subgraph_calls"] == 1
    assert fields["error_codes"] == ["GRAPHQL_VALIDATION_FAILED"]


async def test_it_works_with_metrics_off_and_registers_the_hook_only_while_running(
    aiohttp_client: Any, kit: SubgraphKit, caplog: pytest.LogCaptureFixture
) -> None:
    # ids and access log off: no header, no hook
    off = await app_client(aiohttp_client, kit, "telemetry:\n  logging:\n    request_id: false\n")
    assert _outgoing not in OUTGOING_HEADER_HOOKS
    response = await off.post("/graphql", json={"query": "{ products(first: 2) { id } }"}, headers=GRJ)
    assert response.status == 200
    assert "x-request-id" not in response.headers
    await off.close()
    kit.clear_log()

    client = await app_client(
        aiohttp_client, kit, "telemetry:\n  metrics:\n    enabled: false\n  logging:\n    access_log: true\n"
    )
    assert _outgoing in OUTGOING_HEADER_HOOKS
    with caplog.at_level(logging.INFO, logger="gateway.access"):
        response = await client.post("/graphql", json={"query": "{ products(first: 2) { id } }"}, headers=GRJ)
    assert response.status == 200
    (fields,) = access_entries(caplog)
    assert fields["request_id"] == response.headers["x-request-id"]
    assert fields["subgraph_calls"] == 1
    assert [r.headers.get("x-request-id") for r in kit.requests()] == [fields["request_id"]]
    await client.close()
    assert _outgoing not in OUTGOING_HEADER_HOOKS


async def test_json_lines_carry_the_trace_and_span_ids_while_tracing() -> None:
    """With tracing on, a JSON line written inside a span names its trace and span (log/trace correlation)."""
    from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

    from gateway.config.tracing import TracingConfig
    from gateway.telemetry import tracing

    runtime = tracing.install(TracingConfig(enabled=True), InMemorySpanExporter())
    try:
        span = runtime.tracer.start_span("probe")
        with tracing_span(span):
            line = json.loads(JsonFormatter().format(record("inside")))
        context = span.get_span_context()
        assert line["trace_id"] == f"{context.trace_id:032x}"
        assert line["span_id"] == f"{context.span_id:016x}"
        span.end()
    finally:
        await tracing.uninstall(runtime)
    assert "trace_id" not in json.loads(JsonFormatter().format(record("outside")))


def tracing_span(span: Any) -> Any:
    from opentelemetry import trace

    return trace.use_span(span)
