"""Text logs of a real ``python -m gateway serve``: today's ``time LEVEL logger: message`` lines, with
`` [request id]`` after the logger name for lines written while a request is handled, and the access line
turned on by the older ``server.access_log`` switch (which no longer turns on aiohttp's own access log).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator

import pytest

from tests.resilience.harness import BOTH_ROOTS, FLAKY_ONLY, Gateway, ResilienceEnv
from tests.support.subgraph_kit import Fault
from tests.telemetry.test_request_id import send

CONFIG = """
server:
  access_log: true
traffic_shaping:
  subgraphs:
    flaky:
      retry:
        enabled: false
      circuit_breaker:
        minimum_requests: 1
        open_duration: 30s
        max_open_duration: 60s
"""
LINE = re.compile(
    r"^(?P<time>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}) (?P<level>[A-Z]+) (?P<logger>[\w.]+)"
    r"(?: \[(?P<request_id>[A-Za-z0-9._:-]+)\])?: (?P<message>.*)$"
)


@pytest.fixture(scope="module")
def gateway(env: ResilienceEnv) -> Iterator[Gateway]:
    gateway = env.gateway(CONFIG, "text-logs")
    yield gateway
    gateway.stop()


def post(gateway: Gateway, payload: dict[str, object], request_id: str) -> int:
    headers = {"content-type": "application/json", "x-request-id": request_id}
    status, found, _ = send(gateway.url, json.dumps(payload).encode(), headers)
    assert found["x-request-id"] == request_id
    return status


def lines_of(gateway: Gateway, request_id: str) -> list[re.Match[str]]:
    found = [LINE.match(line) for line in gateway.process.output().splitlines()]
    return [m for m in found if m is not None and m["request_id"] == request_id]


def test_the_access_line_is_one_readable_line(gateway: Gateway) -> None:
    assert post(gateway, {"query": BOTH_ROOTS}, "text-1") == 200
    (line,) = lines_of(gateway, "text-1")
    assert line["level"] == "INFO"
    assert line["logger"] == "gateway.access"
    message = line["message"]
    assert message.startswith("POST /graphql 200 duration_ms=")
    digest = hashlib.sha256(BOTH_ROOTS.encode()).hexdigest()
    for part in (
        "client=-",
        "operation_name=Both",
        "operation_type=query",
        f"document_hash={digest}",
        "subgraph_calls=2",
        "error_codes=-",
    ):
        assert f" {part}" in message, message
    # aiohttp's own access line ("POST /graphql HTTP/1.1" 200 ...) is gone: ours replaces it
    assert '"POST /graphql HTTP/1.1"' not in gateway.process.output()


def test_a_client_supplied_name_cannot_break_the_line(gateway: Gateway) -> None:
    forged = 'x\n2030-01-01 00:00:00,000 INFO gateway.access [forged]: POST /graphql 200 "'
    assert post(gateway, {"query": "{ hello", "operationName": forged}, "text-2") == 400
    (line,) = lines_of(gateway, "text-2")
    assert f" operation_name={json.dumps(forged)} " in line["message"]
    assert " error_codes=GRAPHQL_PARSE_FAILED" in line["message"]
    assert not lines_of(gateway, "forged")


def test_other_lines_of_the_request_carry_its_id(env: ResilienceEnv, gateway: Gateway) -> None:
    env.kit.set_fault("flaky", Fault("http_500"))
    try:
        assert post(gateway, {"query": FLAKY_ONLY}, "text-3") == 200
    finally:
        env.kit.clear_faults()
    lines = lines_of(gateway, "text-3")
    assert [m["logger"] for m in lines] == ["gateway.transport.breaker", "gateway.access"], lines
    assert lines[0]["level"] == "WARNING"
    assert "circuit breaker of subgraph 'flaky'" in lines[0]["message"]
    assert " error_codes=SUBREQUEST_HTTP_ERROR" in lines[1]["message"]
    # lines written outside a request keep today's format, without brackets
    banner = [line for line in gateway.process.output().splitlines() if "listening on" in line]
    assert banner
    assert banner[0].startswith("gateway: listening on http://127.0.0.1:")
