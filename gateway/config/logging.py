"""Configuration of the gateway's logs: their format, the access log and request ids (``telemetry.logging``).

Why a module of its own: the section is owned by ``gateway/telemetry/logs.py`` and changes with it;
``telemetry.py`` only adds the ``logging`` field to ``TelemetryConfig``. Like ``telemetry.py``, this module
must not import ``gateway.config.model`` at import time (``model.py`` imports ``telemetry.py``, which imports
this), so it raises ``InvalidField`` through a lazy import.

Request ids are on by default (their per-request cost is measured to be about a microsecond, see
docs/telemetry.md); the access log is off by default (one formatted line per request costs throughput) and on
in ``gateway dev``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NoReturn

LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("debug", "info", "warning", "error")
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")  # an HTTP field name (RFC 9110 token)


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


def _invalid(field_name: str, message: str) -> NoReturn:
    from gateway.config.model import InvalidField

    raise InvalidField(field_name, message)


@dataclass(frozen=True, slots=True)
class LoggingConfig:
    """Log format, the per-request access log and request ids (see docs/telemetry.md)."""

    format: str = field(
        default="text",
        metadata=_doc(
            "text (`time LEVEL logger [request id]: message`) or json (one JSON object per line: time, "
            "level, logger, message, request_id, exception)."
        ),
    )
    level: str | None = field(
        default=None,
        metadata=_doc(
            "Lowest level logged: debug, info, warning or error; the --log-level flag overrides it "
            "(null: info)."
        ),
    )
    access_log: bool = field(
        default=False,
        metadata=_doc(
            "Write one line per GraphQL request once it is answered (request id, client, operation, "
            "document hash, status, duration, subgraph calls, cost, error codes), whatever `level`. Costs "
            "throughput; on in `gateway dev`. `server.access_log: true` also turns it on."
        ),
    )
    request_id: bool = field(
        default=True,
        metadata=_doc(
            "Give every GraphQL request an id (the client's `request_id_header` when valid: 1-128 "
            "characters of A-Z a-z 0-9 . _ : -; else 32 random hex digits), return it on the response, send "
            "it to subgraphs and write it on every log line of the request."
        ),
    )
    request_id_header: str = field(
        default="x-request-id",
        metadata=_doc(
            "Header carrying the request id: read from clients, set on responses and on subgraph calls."
        ),
    )

    def __post_init__(self) -> None:
        if self.format not in LOG_FORMATS:
            _invalid("format", f"format must be one of: {', '.join(LOG_FORMATS)}")
        if self.level is not None:
            level = self.level.strip().lower()
            if level not in LOG_LEVELS:
                _invalid("level", f"level must be one of: {', '.join(LOG_LEVELS)}")
            object.__setattr__(self, "level", level)
        header = self.request_id_header.strip().lower()
        if not _HEADER_NAME.match(header):
            _invalid("request_id_header", "request_id_header must be a valid HTTP header name")
        object.__setattr__(self, "request_id_header", header)
