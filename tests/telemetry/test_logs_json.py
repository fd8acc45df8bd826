"""JSON logs and the access log of a real ``python -m gateway serve``, in front of two real subgraphs.

With ``telemetry.logging.format: json`` every line the process writes is one JSON object (the start-up
banner and the shutdown lines included); with ``access_log: true`` each GraphQL request gets one access line
whose ``request_id`` is the one in the response header, with the client, the operation, the sha256 of the
document, the status, the subgraph calls, the cost and the error codes; and any other line written while a
request is handled (here the circuit breaker's warning) carries the same id.
"""

from __future__ import annotations

import hashlib
import json
import re
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest

from tests.resilience.harness import BOTH_ROOTS, ENTITIES, FLAKY_ONLY, Gateway, ResilienceEnv
from tests.support.subgraph_kit import Fault
from tests.telemetry.test_request_id import send

API_KEY = "json-logs-key-0123456789"
CONFIG = f"""
telemetry:
  logging:
    format: json
    access_log: true
authentication:
  api_keys:
    keys:
      - sha256: "{hashlib.sha256(API_KEY.encode()).hexdigest()}"
        client_id: partner-7
demand_control:
  enabled: true
  mode: measure
traffic_shaping:
  subgraphs:
    flaky:
      retry:
        enabled: false
      circuit_breaker:
        minimum_requests: 2
        error_threshold: 0.5
        open_duration: 30s
        max_open_duration: 60s
"""
ACCESS_FIELDS = {
    "time",
    "level",
    "logger",
    "message",
    "request_id",
    "method",
    "path",
    "status",
    "duration_ms",
    "client",
    "operation_name",
    "operation_type",
    "document_hash",
    "cost",
    "subgraph_calls",
    "error_codes",
}


@pytest.fixture(scope="module")
def gateway(env: ResilienceEnv) -> Iterator[Gateway]:
    gateway = env.gateway(CONFIG, "json-logs")
    yield gateway
    gateway.stop()


def post(
    gateway: Gateway,
    query: str,
    request_id: str | None = None,
    *,
    key: str | None = None,
    operation_name: str | None = None,
) -> tuple[int, str, Any]:
    """POST (Accept: application/graphql-response+json); (status, response x-request-id, body)."""
    headers = {"content-type": "application/json", "accept": "application/graphql-response+json"}
    if request_id is not None:
        headers["x-request-id"] = request_id
    if key is not None:
        headers["x-api-key"] = key
    payload: dict[str, Any] = {"query": query}
    if operation_name is not None:
        payload["operationName"] = operation_name
    status, found, body = send(gateway.url, json.dumps(payload).encode(), headers)
    return status, found["x-request-id"], body


def log_lines(gateway: Gateway) -> list[dict[str, Any]]:
    """Every line the gateway wrote, each decoded (fails on the first line that is not a JSON object)."""
    entries = []
    for line in gateway.process.output().splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            pytest.fail(f"not a JSON line: {line!r}")
        assert isinstance(entry, dict), line
        entries.append(entry)
    return entries


def access_line(gateway: Gateway, request_id: str) -> dict[str, Any]:
    found = [
        e for e in log_lines(gateway) if e["logger"] == "gateway.access" and e["request_id"] == request_id
    ]
    assert len(found) == 1, found
    return found[0]


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_every_line_is_json_with_time_level_logger_message(gateway: Gateway) -> None:
    post(gateway, "{ hello }")
    entries = log_lines(gateway)
    assert any("listening on http://127.0.0.1:" in e["message"] for e in entries)  # the banner too
    for entry in entries:
        assert {"time", "level", "logger", "message"} <= set(entry), entry
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["time"]), entry
        datetime.fromisoformat(entry["time"].replace("Z", "+00:00"))


def test_the_access_line_of_a_successful_request(gateway: Gateway) -> None:
    status, request_id, body = post(gateway, BOTH_ROOTS, "json-ok-1", key=API_KEY)
    assert status == 200, body
    assert request_id == "json-ok-1"
    line = access_line(gateway, "json-ok-1")
    assert set(line) == ACCESS_FIELDS, line
    assert line["level"] == "INFO"
    assert line["message"] == "POST /graphql 200"
    assert line["method"] == "POST"
    assert line["path"] == "/graphql"
    assert line["status"] == 200
    assert line["client"] == "partner-7"  # the key's client id, never the key
    assert API_KEY not in json.dumps(log_lines(gateway))
    assert line["operation_name"] == "Both"
    assert line["operation_type"] == "query"
    assert line["document_hash"] == sha256(BOTH_ROOTS)
    assert line["subgraph_calls"] == 2
    assert line["error_codes"] == []
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] > 0
    assert line["cost"] == {"estimated": 0, "actual": 0}  # scalar fields only (IBM cost spec)


def test_generated_ids_and_anonymous_clients(gateway: Gateway) -> None:
    status, request_id, _ = post(gateway, ENTITIES)  # no id sent: one is generated
    assert status == 200
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    line = access_line(gateway, request_id)
    assert line["client"] is None  # anonymous
    assert line["operation_name"] == "Stock"
    assert line["subgraph_calls"] == 2  # root fetch to healthy, then _entities to flaky
    assert line["document_hash"] == sha256(ENTITIES)
    # demand control (mode: measure): the estimate assumes list_size (10) products, 2 came back
    assert line["cost"]["estimated"] > line["cost"]["actual"] > 0


def test_a_request_error_is_logged_with_its_codes(gateway: Gateway) -> None:
    status, request_id, body = post(gateway, "{ hello", "json-bad-1", operation_name="Nope")
    assert status == 400, body
    assert request_id == "json-bad-1"
    line = access_line(gateway, "json-bad-1")
    assert line["status"] == 400
    assert line["error_codes"] == ["GRAPHQL_PARSE_FAILED"]
    assert line["operation_name"] == "Nope"  # as the client named it: nothing was parsed
    assert line["operation_type"] is None
    assert line["document_hash"] == sha256("{ hello")
    assert line["subgraph_calls"] == 0

    # refused by the HTTP layer before the pipeline: still one line, with the id and the code
    status, found, _ = send(
        gateway.url, b'{"query": "{ hello }"}', {"content-type": "text/plain", "x-request-id": "json-csrf-1"}
    )
    assert status == 400
    assert found["x-request-id"] == "json-csrf-1"
    line = access_line(gateway, "json-csrf-1")
    assert line["error_codes"] == ["CSRF_ERROR"]
    assert line["operation_name"] is None
    assert line["client"] is None


def test_a_failing_subgraph_logs_its_warning_with_the_request_id(
    env: ResilienceEnv, gateway: Gateway
) -> None:
    env.kit.set_fault("flaky", Fault("http_500"))
    try:
        first = post(gateway, FLAKY_ONLY, "json-fail-1")
        second = post(gateway, FLAKY_ONLY, "json-fail-2")  # the second failure opens the breaker
    finally:
        env.kit.clear_faults()
    for status, request_id, body in (first, second):
        assert status == 200, body  # a subgraph error is a field error: data null and errors
        assert body["errors"][0]["extensions"]["code"] == "SUBREQUEST_HTTP_ERROR"
        line = access_line(gateway, request_id)
        assert line["error_codes"] == ["SUBREQUEST_HTTP_ERROR"]
        assert line["subgraph_calls"] == 1
        assert line["operation_name"] == "Flaky"
    warnings = [
        e for e in log_lines(gateway) if e["level"] == "WARNING" and "circuit breaker" in e["message"]
    ]
    assert len(warnings) == 1, warnings
    assert warnings[0]["request_id"] == "json-fail-2"  # written while that request was handled

    # while open: no subgraph call, the code says why
    status, request_id, body = post(gateway, FLAKY_ONLY, "json-open-1")
    line = access_line(gateway, "json-open-1")
    assert line["subgraph_calls"] == 0
    assert line["error_codes"] == ["SUBREQUEST_CIRCUIT_OPEN"]


def test_no_access_line_for_health_checks_and_lines_outside_requests_have_no_id(gateway: Gateway) -> None:
    with urllib.request.urlopen(f"{gateway.base}/health", timeout=5) as response:
        assert response.status == 200
    entries = log_lines(gateway)
    assert not [e for e in entries if e["logger"] == "gateway.access" and e["path"] != "/graphql"]
    banner = next(e for e in entries if "listening on" in e["message"])
    assert "request_id" not in banner
