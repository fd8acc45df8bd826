"""The gateway's log output: text or JSON lines, each carrying the id of the request it was written for.

Why a filter on the handler (not a logger or a LogRecord factory): every record that reaches the gateway's
stderr handler passes through it, whichever logger wrote it (ours, aiohttp's, asyncio's, a plugin's), and it
runs synchronously inside the logging call, in the context of the code that logged, so it reads the request
id of the request being handled from ``gateway.telemetry.scope``. Records written outside a request (start-up,
reloads, the supervisor) have none.

JSON format: one object per line, ``time`` (ISO 8601 UTC, milliseconds), ``level``, ``logger``, ``message``,
``request_id`` (when known), ``exception`` (the traceback text, when any) and, for access lines
(``gateway.telemetry.access``), the access fields. orjson escapes every control character, so a message or a
traceback never spans lines. Text format: today's ``time LEVEL logger: message`` with `` [request id]``
after the logger name when there is one.

The start-up lines ``gateway serve`` prints itself (``listening on``, worker supervision, fatal errors) go
through ``announce``: printed as they always were in text format, written as JSON lines in JSON format, so
that every line on stderr parses.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import IO, Any

import orjson

from gateway.config.logging import LoggingConfig
from gateway.telemetry import tracing
from gateway.telemetry.scope import CURRENT_SCOPE

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(request_tag)s: %(message)s"
ACCESS_LOGGER = "gateway.access"

# The handler ``configure_logging`` installed, when it installed one in JSON format (see ``announce``).
_json_handler: logging.Handler | None = None


class RequestIdFilter(logging.Filter):
    """Sets ``record.request_id`` to the id of the request being handled (``None`` outside one).

    Add it to any handler (embedders: ``handler.addFilter(RequestIdFilter())``) to use ``%(request_id)s``.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            scope = CURRENT_SCOPE.get()
            record.request_id = None if scope is None else scope.request_id
        return True


class AccessEntry:
    """The message of an access line: its fields, rendered as ``key=value`` text only when a text formatter
    asks (``str``), merged into the object by ``JsonFormatter``."""

    __slots__ = ("fields", "summary")

    def __init__(self, summary: str, fields: dict[str, Any]) -> None:
        self.summary = summary  # "POST /graphql 200"
        self.fields = fields

    def __str__(self) -> str:
        parts = [self.summary]
        for key, value in self.fields.items():
            if key not in _IN_SUMMARY:
                parts.append(f"{key}={_text_value(value)}")
        return " ".join(parts)


# Shown by the text format already: the summary ("POST /graphql 200") and the request id (in brackets).
_IN_SUMMARY = frozenset({"request_id", "method", "path", "status"})


def _text_value(value: Any) -> str:
    """A value for a ``key=value`` text line: bare when it is one plain token, JSON otherwise (quoted and
    escaped: an operation name sent by a client cannot forge a line or a field)."""
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    if isinstance(value, str) and value and value.isprintable() and not any(c in value for c in ' "=\\'):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ",".join(_text_value(v) for v in value) if value else "-"
    return orjson.dumps(value).decode()


def _iso_time(created: float) -> str:
    seconds = int(created)
    millis = int((created - seconds) * 1000)
    return f"{time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(seconds))}.{millis:03d}Z"


class JsonFormatter(logging.Formatter):
    """One JSON object per record (see the module docstring for its fields)."""

    def format(self, record: logging.LogRecord) -> str:
        message = record.msg
        access = message if type(message) is AccessEntry else None
        entry: dict[str, Any] = {
            "time": _iso_time(record.created),
            "level": record.levelname,
            "logger": record.name,
            "message": access.summary if access is not None else record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            entry["request_id"] = request_id
        if tracing.ACTIVE:
            ids = tracing.current_ids()
            if ids is not None:
                entry["trace_id"], entry["span_id"] = ids
        if access is not None:
            entry.update(access.fields)
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return orjson.dumps(entry, default=str).decode()


class TextFormatter(logging.Formatter):
    """``time LEVEL logger [request id]: message`` (without the brackets outside a request)."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def format(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.request_tag = f" [{request_id}]" if request_id is not None else ""
        return super().format(record)


def make_handler(settings: LoggingConfig, stream: IO[str] | None = None) -> logging.Handler:
    """A stderr (or ``stream``) handler with the configured format and the request id filter."""
    handler = logging.StreamHandler(sys.stderr if stream is None else stream)
    handler.setFormatter(JsonFormatter() if settings.format == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    return handler


def configure_logging(
    settings: LoggingConfig, level: str | None = None, stream: IO[str] | None = None
) -> logging.Handler | None:
    """Set up the root logger of ``gateway serve`` / ``gateway dev``: ``level`` (the --log-level flag) wins
    over ``settings.level``, then info. Like ``logging.basicConfig``, it adds no handler when the root logger
    already has one (an embedding application configured logging); returns the handler it added.
    """
    global _json_handler
    root = logging.getLogger()
    if root.handlers:
        return None
    root.setLevel((level or settings.level or "info").upper())
    handler = make_handler(settings, stream)
    root.addHandler(handler)
    if settings.format == "json":
        logging.captureWarnings(True)  # warnings.warn would otherwise print plain text on stderr
        _json_handler = handler
    else:
        _json_handler = None
    return handler


def announce(text: str, *, error: bool = False) -> None:
    """A line of ``gateway serve`` itself (listening, worker supervision, a fatal ``error: ...``): printed on
    stderr as always, or, once JSON logging is configured, written as a JSON line whatever the level."""
    handler = _json_handler
    if handler is None:
        print(f"error: {text}" if error else text, file=sys.stderr, flush=True)
        return
    record = logging.LogRecord(
        "gateway.serve", logging.ERROR if error else logging.INFO, __file__, 0, text, None, None
    )
    handler.handle(record)
    handler.flush()
