"""Request ids, watched from outside: a real ``python -m gateway serve`` in front of two real subgraphs whose
request log records the headers they received.

The id comes from the client's ``x-request-id`` when valid (1-128 of ``A-Z a-z 0-9 . _ : -``), else it is
generated (32 hex digits); it is on every answer of the GraphQL path, errors included (parse errors, CSRF
refusals, 405/413/415, 408 slow body, 504 timeout), and it is sent to every subgraph call. Identical
concurrent requests coalesced into one subgraph call: the subgraph gets that one call with the id of the
request that started it.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.resilience.harness import BOTH_ROOTS, ENTITIES, FLAKY_ONLY, Gateway, ResilienceEnv
from tests.support.subgraph_kit import Fault, RecordedRequest

HEX_ID = re.compile(r"^[0-9a-f]{32}$")
CONFIG = """
server:
  request_timeout: 1s
  body_read_timeout: 300ms
  max_request_bytes: 2048
traffic_shaping:
  all:
    retry:
      enabled: false
"""


@pytest.fixture(scope="module")
def gateway(env: ResilienceEnv) -> Iterator[Gateway]:
    gateway = env.gateway(CONFIG, "request-id")
    yield gateway
    gateway.stop()


@pytest.fixture(autouse=True)
def _fresh(env: ResilienceEnv) -> Iterator[None]:
    env.reset()
    yield
    env.kit.clear_faults()


def send(
    url: str,
    body: bytes | None,
    headers: dict[str, str],
    method: str = "POST",
) -> tuple[int, dict[str, str], Any]:
    """One HTTP request; (status, lower-cased response headers, decoded JSON body or the text)."""
    request = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            status, raw, found = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, found = error.code, error.read(), error.headers
    try:
        decoded: Any = json.loads(raw)
    except ValueError:
        decoded = raw.decode(errors="replace")
    return status, {k.lower(): v for k, v in found.items()}, decoded


def post(
    gateway: Gateway, query: str, request_id: str | None = None, variables: dict[str, Any] | None = None
) -> tuple[int, dict[str, str], Any]:
    headers = {"content-type": "application/json", "accept": "application/json"}
    if request_id is not None:
        headers["x-request-id"] = request_id
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    return send(gateway.url, json.dumps(payload).encode(), headers)


def forwarded(recorded: RecordedRequest) -> str | None:
    return {k.lower(): v for k, v in recorded.headers.items()}.get("x-request-id")


def test_a_valid_client_id_is_returned_and_sent_to_every_subgraph(
    env: ResilienceEnv, gateway: Gateway
) -> None:
    status, headers, body = post(gateway, BOTH_ROOTS, "client-7f3a_B.9:x-1")
    assert status == 200, body
    assert headers["x-request-id"] == "client-7f3a_B.9:x-1"
    calls = env.kit.requests()
    assert sorted(r.subgraph for r in calls) == ["flaky", "healthy"]
    assert [forwarded(r) for r in calls] == ["client-7f3a_B.9:x-1"] * 2

    # the entity fetch that follows a root fetch carries it too
    env.kit.clear_log()
    status, headers, _ = post(gateway, ENTITIES, "entities-1")
    assert status == 200
    assert headers["x-request-id"] == "entities-1"
    assert [forwarded(r) for r in env.kit.requests()] == ["entities-1", "entities-1"]
    assert len(env.kit.entity_requests("flaky")) == 1

    # health checks are not traffic: no id
    status, headers, _ = send(f"{gateway.base}/health", None, {"x-request-id": "h-1"}, method="GET")
    assert status == 200
    assert "x-request-id" not in headers


def test_longest_valid_id_is_kept() -> None:
    from gateway.telemetry.access import request_id_from

    longest = "a" * 128
    assert request_id_from(longest) == longest
    assert request_id_from("A-z_0.9:") == "A-z_0.9:"


@pytest.mark.parametrize(
    "sent",
    [None, "", "a" * 129, "has space", "semi;colon", 'quote"d', "caf\u00e9", "x\ty"],
    ids=["missing", "empty", "too-long", "space", "semicolon", "quote", "non-ascii", "tab"],
)
def test_a_missing_or_invalid_id_is_replaced_by_a_generated_one(
    env: ResilienceEnv, gateway: Gateway, sent: str | None
) -> None:
    headers = {"content-type": "application/json", "accept": "application/json"}
    if sent is not None:
        headers["x-request-id"] = sent
    body = json.dumps({"query": "{ hello }"}).encode()
    status, found, answer = send_raw_header(gateway, body, headers)
    assert status == 200, answer
    generated = found["x-request-id"]
    assert HEX_ID.match(generated), generated
    assert generated != sent
    assert [forwarded(r) for r in env.kit.requests("healthy")] == [generated]


def send_raw_header(
    gateway: Gateway, body: bytes, headers: dict[str, str]
) -> tuple[int, dict[str, str], Any]:
    """POST over a raw socket: urllib refuses (or re-encodes) some of the invalid header values under test."""
    port = int(gateway.base.rsplit(":", 1)[1])
    head = ["POST /graphql HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    head += [f"Content-Length: {len(body)}", "Connection: close", "", ""]
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall("\r\n".join(head).encode("utf-8") + body)
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    return parse_http(raw)


def parse_http(raw: bytes) -> tuple[int, dict[str, str], Any]:
    head, _, payload = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding") == "chunked":
        payload = dechunk(payload)
    try:
        return status, headers, json.loads(payload)
    except ValueError:
        return status, headers, payload.decode(errors="replace")


def dechunk(data: bytes) -> bytes:
    out = b""
    while data:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, data = out + data[:size], data[size + 2 :]
    return out


def test_every_generated_id_is_new(gateway: Gateway) -> None:
    ids = {post(gateway, "{ hello }")[1]["x-request-id"] for _ in range(20)}
    assert len(ids) == 20


def test_error_answers_carry_the_request_id(env: ResilienceEnv, gateway: Gateway) -> None:
    json_headers = {"content-type": "application/json", "accept": "application/json", "x-request-id": "e-1"}
    cases: list[tuple[str, tuple[int, dict[str, str], Any], int, str]] = []

    def case(name: str, answer: tuple[int, dict[str, str], Any], status: int, code: str) -> None:
        cases.append((name, answer, status, code))

    graphql_json = {**json_headers, "accept": "application/graphql-response+json"}
    case("parse error", send(gateway.url, b'{"query": "{ hello"}', graphql_json), 400, "GRAPHQL_PARSE_FAILED")
    case(
        "validation error",
        send(gateway.url, b'{"query": "{ nope }"}', graphql_json),
        400,
        "GRAPHQL_VALIDATION_FAILED",
    )
    case(
        "CSRF refusal",
        send(gateway.url, b'{"query": "{ hello }"}', {**json_headers, "content-type": "text/plain"}),
        400,
        "CSRF_ERROR",
    )
    case(
        "unsupported media type",
        send(gateway.url, b"<q/>", {**json_headers, "content-type": "application/xml"}),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
    )
    big = json.dumps({"query": "{ hello }", "variables": {"pad": "x" * 4096}}).encode()
    case("too large", send(gateway.url, big, json_headers), 413, "PAYLOAD_TOO_LARGE")
    case("method", send(gateway.url, None, json_headers, method="PUT"), 405, "METHOD_NOT_ALLOWED")
    case(
        "mutation over GET",
        send(
            f"{gateway.url}?query=mutation%20%7B%20createProduct(id%3A%20%221%22)%20%7B%20id%20%7D%20%7D",
            None,
            {"accept": "application/json", "x-request-id": "e-1", "apollo-require-preflight": "1"},
            method="GET",
        ),
        405,
        "METHOD_NOT_ALLOWED",
    )
    env.kit.set_fault("flaky", Fault("hang"))
    case("timeout", post(gateway, FLAKY_ONLY, "e-1"), 504, "GATEWAY_TIMEOUT")
    env.kit.clear_faults()

    for name, (status, headers, body), expected_status, code in cases:
        assert status == expected_status, (name, body)
        assert headers.get("x-request-id") == "e-1", (name, headers)
        codes = [e.get("extensions", {}).get("code") for e in body["errors"]]
        assert code in codes, (name, body)


def test_a_slow_body_answer_408_carries_the_request_id(gateway: Gateway) -> None:
    """The 408 is sent by the handler itself (before the middleware could add a header)."""
    port = int(gateway.base.rsplit(":", 1)[1])
    head = (
        "POST /graphql HTTP/1.1\r\nHost: localhost\r\ncontent-type: application/json\r\n"
        "x-request-id: slow-body-1\r\nContent-Length: 100\r\n\r\n{"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(head.encode())
        raw = b""
        while chunk := sock.recv(65536):
            raw += chunk
    status, headers, body = parse_http(raw)
    assert status == 408, body
    assert headers.get("x-request-id") == "slow-body-1"


def test_coalesced_requests_make_one_call_carrying_the_first_callers_id(
    env: ResilienceEnv, gateway: Gateway
) -> None:
    """Three identical requests at once, the subgraph slow to answer: one call reaches it (deduplication),
    with the id of one of the three (the one that started the call); each client gets its own id back."""
    env.kit.set_fault("flaky", Fault("delay", delay_seconds=0.4))
    ids = ["co-1", "co-2", "co-3"]
    barrier = threading.Barrier(len(ids))

    def one(request_id: str) -> tuple[int, dict[str, str], Any]:
        barrier.wait(5)
        return post(gateway, FLAKY_ONLY, request_id, {"n": 7})

    with ThreadPoolExecutor(len(ids)) as pool:
        answers = list(pool.map(one, ids))
    assert [a[0] for a in answers] == [200, 200, 200]
    assert [a[1]["x-request-id"] for a in answers] == ids
    assert all(a[2]["data"] == {"flaky": "flaky-7"} for a in answers)
    calls = env.kit.requests("flaky")
    assert len(calls) == 1, "the three fetches were not coalesced"
    assert forwarded(calls[0]) in ids


def test_the_header_name_is_configurable_and_ids_can_be_turned_off(env: ResilienceEnv) -> None:
    renamed = env.gateway("telemetry:\n  logging:\n    request_id_header: X-Correlation-Id\n", "renamed")
    try:
        headers = {"content-type": "application/json", "x-correlation-id": "corr-1", "x-request-id": "other"}
        status, found, _ = send(renamed.url, b'{"query": "{ hello }"}', headers)
        assert status == 200
        assert found["x-correlation-id"] == "corr-1"
        assert "x-request-id" not in found
        (call,) = env.kit.requests("healthy")
        sent = {k.lower(): v for k, v in call.headers.items()}
        assert sent["x-correlation-id"] == "corr-1"
        assert "x-request-id" not in sent
    finally:
        renamed.stop()
    env.kit.clear_log()
    off = env.gateway("telemetry:\n  logging:\n    request_id: false\n", "off")
    try:
        status, found, _ = send(off.url, b'{"query": "{ hello }"}', {"content-type": "application/json"})
        assert status == 200
        assert "x-request-id" not in found
        (call,) = env.kit.requests("healthy")
        assert forwarded(call) is None
    finally:
        off.stop()
