"""``telemetry.tracing`` settings, and the small pieces of the runtime that need no server."""

from __future__ import annotations

import textwrap

import pytest
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

from gateway.config import ConfigError, load_config_text
from gateway.config.model import Config
from gateway.telemetry import tracing
from gateway.telemetry.tracing_sdk import _QuietLogs, make_sampler, traces_url
from subgraphs.common.tracing import tracing_enabled


def load(text: str) -> Config:
    return load_config_text(textwrap.dedent(text), "config.yaml", {})


def errors(text: str) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load(text)
    return [str(issue) for issue in info.value.issues]


def test_tracing_is_off_by_default():
    settings = Config().telemetry.tracing
    assert settings.enabled is False
    assert (settings.protocol, settings.sampler.ratio, settings.sampler.parent_based) == (
        "http/protobuf",
        1.0,
        True,
    )
    assert settings.include_variables is False
    assert settings.include_document is False


def test_a_full_tracing_section_loads():
    settings = load(
        """
        telemetry:
          tracing:
            enabled: true
            endpoint: https://otlp.example.com:4318
            protocol: grpc
            headers: { x-api-key: k }
            timeout: 2s
            compression: gzip
            service_name: edge-gateway
            resource_attributes: { deployment.environment.name: prod }
            sampler: { ratio: 0.25, parent_based: false }
            batch: { schedule_delay: 500ms, max_queue_size: 100, max_export_batch_size: 10 }
            include_variables: true
        """
    ).telemetry.tracing
    assert settings.enabled
    assert settings.endpoint == "https://otlp.example.com:4318"
    assert settings.protocol == "grpc"
    assert dict(settings.headers) == {"x-api-key": "k"}
    assert settings.timeout == 2.0
    assert dict(settings.resource_attributes) == {"deployment.environment.name": "prod"}
    assert (settings.sampler.ratio, settings.sampler.parent_based) == (0.25, False)
    assert (settings.batch.schedule_delay, settings.batch.max_export_batch_size) == (0.5, 10)
    assert settings.include_variables


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ("protocol: http/json", "protocol must be one of: http/protobuf, grpc"),
        ("endpoint: collector:4317", "endpoint must be an http:// or https:// URL"),
        ("sampler: { ratio: 1.5 }", "ratio must be between 0 and 1"),
        ("sampler: { ratio: -0.1 }", "ratio must be between 0 and 1"),
        ("compression: brotli", "compression must be none or gzip"),
        ("service_name: ''", "service_name must not be empty"),
        ("batch: { max_queue_size: 10, max_export_batch_size: 20 }", "max_export_batch_size must be between"),
        ("batch: { schedule_delay: 0s }", "schedule_delay must be greater than zero"),
        ("sampling_ratio: 0.5", "unknown"),
    ],
)
def test_invalid_tracing_settings_are_refused_with_their_line(section, message):
    found = errors(f"telemetry:\n  tracing:\n    {section}\n")
    assert len(found) == 1
    assert message in found[0]
    assert "line 3" in found[0]


def test_traces_url_adds_the_signal_path_to_a_base_url():
    assert traces_url("http://collector:4318") == "http://collector:4318/v1/traces"
    assert traces_url("http://collector:4318/") == "http://collector:4318/v1/traces"
    assert traces_url("https://vendor.example/otlp/v1/traces") == "https://vendor.example/otlp/v1/traces"


def test_the_sampler_is_parent_based_unless_told_otherwise():
    on = load("telemetry: {tracing: {sampler: {ratio: 0.1}}}").telemetry.tracing
    off = load("telemetry: {tracing: {sampler: {ratio: 0.1, parent_based: false}}}").telemetry.tracing
    assert isinstance(make_sampler(on), ParentBased)
    assert isinstance(make_sampler(off), TraceIdRatioBased)
    assert make_sampler(off).rate == 0.1


def test_repeated_export_errors_are_logged_once_per_interval():
    import logging

    quiet = _QuietLogs(interval=60.0)
    records = [
        logging.LogRecord("otel", logging.ERROR, __file__, 1, "export failed", None, None) for _ in range(5)
    ]
    assert [quiet.filter(r) for r in records] == [True, False, False, False, False]
    other = logging.LogRecord("otel", logging.ERROR, __file__, 1, "another message", None, None)
    assert quiet.filter(other)


async def test_install_switches_the_hot_paths_on_and_uninstall_off():
    from gateway.transport.client import OUTGOING_HEADER_HOOKS

    settings = load("telemetry: {tracing: {enabled: true, batch: {schedule_delay: 10ms}}}").telemetry.tracing
    memory = InMemorySpanExporter()
    assert tracing.ACTIVE is False
    runtime = tracing.install(settings, memory)
    try:
        assert tracing.ACTIVE is True
        assert runtime.inject in OUTGOING_HEADER_HOOKS
        with pytest.raises(RuntimeError):
            tracing.install(settings, memory)  # one runtime per process
        assert tracing.stage("graphql.plan") is not tracing._NOT_TRACED
        with tracing.stage("graphql.plan", cache_hit=True):
            pass  # no span: the current trace (none) is not recording
        with runtime.tracer.start_as_current_span("op"), tracing.stage("graphql.plan", cache_hit=True):
            pass
    finally:
        await tracing.uninstall(runtime)
    assert tracing.ACTIVE is False
    assert runtime.inject not in OUTGOING_HEADER_HOOKS
    finished = memory.get_finished_spans()  # exported at uninstall
    assert [s.name for s in finished] == ["graphql.plan", "op"]
    assert finished[0].parent.span_id == finished[1].context.span_id
    assert finished[0].attributes["gateway.cache.hit"] is True
    assert tracing.stage("graphql.plan") is tracing._NOT_TRACED  # off: a shared no-op context


@pytest.mark.parametrize(
    ("environ", "enabled"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_TRACES_EXPORTER": "otlp"}, True),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, False),
    ],
)
def test_demo_subgraphs_trace_when_the_standard_variables_ask(environ, enabled):
    assert tracing_enabled(environ) is enabled
