"""Configuration of the gateway's own telemetry: the Prometheus ``/metrics`` endpoint.

Why a module of its own: the section is owned by ``gateway/telemetry`` and changes with it; ``model.py`` only
adds the ``telemetry`` field to ``Config``. Metrics are on by default because operators expect a gateway to
expose them and their per-request cost is measured to be small (see docs/telemetry.md).

This module must not import ``gateway.config.model`` at import time (``model.py`` imports it), so it raises
``InvalidField`` through a lazy import, like ``policies.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NoReturn


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

    def __post_init__(self) -> None:
        if not self.path.startswith("/"):
            _invalid("path", "path must start with '/'")


@dataclass(frozen=True, slots=True)
class TelemetryConfig:
    """What the gateway reports about itself (see docs/telemetry.md)."""

    metrics: MetricsConfig = field(
        default_factory=MetricsConfig, metadata=_doc("Prometheus metrics endpoint.")
    )
