"""Configuration of the gateway's own telemetry: the Prometheus ``/metrics`` endpoint.

Why a module of its own: the section is owned by ``gateway/telemetry`` and changes with it; ``model.py`` only
adds the ``telemetry`` field to ``Config``. Metrics are on by default because operators expect a gateway to
expose them and their per-request cost is measured to be small (see docs/telemetry.md).

This module must not import ``gateway.config.model`` at import time (``model.py`` imports it), so it raises
``InvalidField`` through a lazy import, like ``policies.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, NoReturn

from gateway.config.logging import LoggingConfig
from gateway.config.tracing import TracingConfig

# Must equal ``gateway.config.model.Duration`` (checked by tests/telemetry/test_workers_metrics_merge.py).
Duration = Annotated[float, "duration"]


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


def _invalid(field_name: str, message: str) -> NoReturn:
    from gateway.config.model import InvalidField

    raise InvalidField(field_name, message)


@dataclass(frozen=True, slots=True)
class MetricsConfig:
    """Prometheus metrics, served in the text exposition format."""

    enabled: bool = field(
        default=True, metadata=_doc("Collect metrics and serve them on `path` (GET, never CSRF-checked).")
    )
    path: str = field(default="/metrics", metadata=_doc("URL path of the Prometheus scrape endpoint."))
    worker_flush_interval: Duration = field(
        default=1.0,
        metadata=_doc(
            "With `server.workers` > 1: how often each worker publishes its values for the other "
            "workers' scrapes (also when it answers a scrape, and at exit): a scrape sees the other "
            "workers' values at most this old."
        ),
    )

    def __post_init__(self) -> None:
        if not self.path.startswith("/"):
            _invalid("path", "path must start with '/'")
        if self.worker_flush_interval <= 0:
            _invalid("worker_flush_interval", "worker_flush_interval must be greater than zero")


@dataclass(frozen=True, slots=True)
class TelemetryConfig:
    """What the gateway reports about itself (see docs/telemetry.md)."""

    metrics: MetricsConfig = field(
        default_factory=MetricsConfig, metadata=_doc("Prometheus metrics endpoint.")
    )
    logging: LoggingConfig = field(
        default_factory=LoggingConfig,
        metadata=_doc("Log format, access log and request ids (gateway/telemetry/logs.py)."),
    )
    tracing: TracingConfig = field(
        default_factory=TracingConfig,
        metadata=_doc("OpenTelemetry traces exported over OTLP (docs/tracing.md)."),
    )
