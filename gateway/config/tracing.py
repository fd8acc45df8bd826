"""Configuration of OpenTelemetry traces (``telemetry.tracing``): where spans go and which requests are kept.

Why a module of its own: the section is owned by ``gateway/telemetry/tracing.py`` and changes with it;
``telemetry.py`` only adds the ``tracing`` field. Tracing is off by default: a gateway without a collector
must pay nothing for it (no middleware, no header hook, no SDK thread; see docs/tracing.md for the measured
cost when on).

This module must not import ``gateway.config.model`` at import time (``model.py`` imports ``telemetry.py``,
which imports this), so it raises ``InvalidField`` through a lazy import.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Annotated, NoReturn
from urllib.parse import urlsplit

# The loader's duration marker (``gateway.config.model.DURATION``), spelled out: model.py imports this module.
Duration = Annotated[float, "duration"]

PROTOCOLS = ("http/protobuf", "grpc")


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


def _invalid(field_name: str, message: str) -> NoReturn:
    from gateway.config.model import InvalidField

    raise InvalidField(field_name, message)


def _empty() -> Mapping[str, str]:
    return MappingProxyType({})


@dataclass(frozen=True, slots=True)
class SamplerConfig:
    """Which traces are recorded and exported."""

    ratio: float = field(
        default=1.0,
        metadata=_doc(
            "Fraction of traces recorded, 0-1, decided from the trace id (TraceIdRatioBased): 1 keeps every "
            "trace, 0.1 one in ten, 0 none started here."
        ),
    )
    parent_based: bool = field(
        default=True,
        metadata=_doc(
            "Follow the client's decision when its `traceparent` says sampled or not (ParentBased); the "
            "ratio then only applies to traces that start at the gateway. false: the ratio decides always."
        ),
    )

    def __post_init__(self) -> None:
        if not (math.isfinite(self.ratio) and 0.0 <= self.ratio <= 1.0):
            _invalid("ratio", "ratio must be between 0 and 1")


@dataclass(frozen=True, slots=True)
class BatchConfig:
    """The BatchSpanProcessor: spans are queued by requests and exported by a background thread."""

    schedule_delay: Duration = field(
        default=5.0, metadata=_doc("Longest wait between two exports (a full batch goes at once).")
    )
    max_queue_size: int = field(
        default=2048, metadata=_doc("Spans held waiting for export; past it new spans are dropped.")
    )
    max_export_batch_size: int = field(default=512, metadata=_doc("Most spans sent in one export request."))

    def __post_init__(self) -> None:
        if self.schedule_delay <= 0:
            _invalid("schedule_delay", "schedule_delay must be greater than zero")
        if self.max_queue_size < 1:
            _invalid("max_queue_size", "max_queue_size must be at least 1")
        if not 1 <= self.max_export_batch_size <= self.max_queue_size:
            _invalid("max_export_batch_size", "max_export_batch_size must be between 1 and max_queue_size")


@dataclass(frozen=True, slots=True)
class TracingConfig:
    """OpenTelemetry traces exported over OTLP (see docs/tracing.md)."""

    enabled: bool = field(
        default=False,
        metadata=_doc("Record spans for GraphQL requests and export them; off: no per-request cost at all."),
    )
    endpoint: str | None = field(
        default=None,
        metadata=_doc(
            "OTLP receiver URL. http/protobuf: a base URL such as http://collector:4318 (/v1/traces is "
            "added) or the full traces URL; grpc: http://collector:4317 (https for TLS). Unset: the "
            "standard OTEL_EXPORTER_OTLP_TRACES_ENDPOINT / OTEL_EXPORTER_OTLP_ENDPOINT, else localhost."
        ),
    )
    protocol: str = field(default="http/protobuf", metadata=_doc("OTLP transport: http/protobuf or grpc."))
    headers: Mapping[str, str] = field(
        default_factory=_empty,
        metadata=_doc("Headers sent with every export (e.g. a vendor's API key), by name."),
    )
    timeout: Duration = field(default=10.0, metadata=_doc("Time one export request may take."))
    compression: str = field(default="none", metadata=_doc("Export compression: none or gzip."))
    service_name: str = field(
        default="graphql-gateway", metadata=_doc("The `service.name` resource attribute.")
    )
    resource_attributes: Mapping[str, str] = field(
        default_factory=_empty,
        metadata=_doc("More resource attributes (e.g. deployment.environment.name: prod), by name."),
    )
    sampler: SamplerConfig = field(default_factory=SamplerConfig, metadata=_doc("Sampling."))
    batch: BatchConfig = field(default_factory=BatchConfig, metadata=_doc("Span batching and queueing."))
    include_variables: bool = field(
        default=False,
        metadata=_doc(
            "Record the client's variables (JSON) on the operation span as `graphql.variables`. Off by "
            "default: variables carry user data (ids, emails, tokens)."
        ),
    )
    include_document: bool = field(
        default=False,
        metadata=_doc(
            "Record the operation's text as `graphql.document` (literals in it may carry user data); "
            "`graphql.document.hash` (its sha256) is always recorded."
        ),
    )

    def __post_init__(self) -> None:
        if self.protocol not in PROTOCOLS:
            _invalid("protocol", f"protocol must be one of: {', '.join(PROTOCOLS)}")
        if self.compression not in ("none", "gzip"):
            _invalid("compression", "compression must be none or gzip")
        if self.endpoint is not None:
            parts = urlsplit(self.endpoint)
            if parts.scheme not in ("http", "https") or not parts.netloc:
                _invalid("endpoint", "endpoint must be an http:// or https:// URL")
        if not self.service_name:
            _invalid("service_name", "service_name must not be empty")
        if self.timeout <= 0:
            _invalid("timeout", "timeout must be greater than zero")
