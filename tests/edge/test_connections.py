"""The client edge at the socket level, against the real ``gateway serve`` process (raw sockets on 127.0.0.1).

Each test is a probe a hostile network or a careless client makes: half a request head and a stall, half a
body and a stall, a 100 KB header, a 20 KB URL, garbage, more connections than the cap. Every answer must be
GraphQL JSON with an ``extensions.code`` (or a plain close), come within the configured time, leave no ERROR
line or traceback in the log, and be counted in ``gateway_http_connection_events_total``.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.http.processes import REPO, RunningGateway, gateway_serve

SUPERGRAPH = REPO / "bench" / "data" / "supergraph.graphql"
HEADER_TIMEOUT = 0.5
BODY_TIMEOUT = 0.5
CAP = 40
CONFIG = f"""
server:
  header_read_timeout: {HEADER_TIMEOUT}
  body_read_timeout: {BODY_TIMEOUT}
  max_connections: {CAP}
  max_header_bytes: 8192
"""
QUERY = b'{"query":"{ __typename }"}'


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    config = tmp_path_factory.mktemp("edge") / "gateway.yaml"
    config.write_text(CONFIG)
    with gateway_serve(SUPERGRAPH, "--config", str(config)) as running:
        yield running


def connect(gateway: RunningGateway, timeout: float = 5.0) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", gateway.port), timeout=timeout)
    sock.settimeout(timeout)
    return sock


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks)


def parse(raw: bytes) -> tuple[int, dict[str, str], dict[str, object]]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
    return status, headers, json.loads(body)


def code_of(body: dict[str, object]) -> str:
    errors = body["errors"]
    assert isinstance(errors, list), body
    assert len(errors) == 1, body
    return str(errors[0]["extensions"]["code"])


def post_query(gateway: RunningGateway) -> int:
    request = urllib.request.Request(
        gateway.url, data=QUERY, headers={"content-type": "application/json", "accept": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return int(response.status)


def connection_events(gateway: RunningGateway) -> dict[str, float]:
    with urllib.request.urlopen(f"{gateway.base}/metrics", timeout=5) as response:
        text = response.read().decode()
    events: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "gateway_http_connection_events_total":
                events[sample.labels["event"]] = sample.value
            if sample.name == "gateway_http_connections_open":
                events["open"] = sample.value
    return events


def assert_quiet_log(gateway: RunningGateway) -> None:
    log = gateway.stderr()
    assert "ERROR" not in log, log
    assert "Traceback" not in log, log


def test_half_sent_headers_get_408_within_the_header_timeout(gateway: RunningGateway) -> None:
    before = connection_events(gateway)
    sock = connect(gateway)
    sock.sendall(b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: appl")
    started = time.monotonic()
    raw = read_all(sock)
    waited = time.monotonic() - started
    status, headers, body = parse(raw)
    assert status == 408
    assert code_of(body) == "REQUEST_TIMEOUT"
    assert "server.header_read_timeout" in str(body)
    assert headers["connection"] == "close"
    assert HEADER_TIMEOUT * 0.8 <= waited < HEADER_TIMEOUT + 2.0
    assert connection_events(gateway)["header_timeout"] == before["header_timeout"] + 1
    assert_quiet_log(gateway)


def test_a_connection_that_sends_nothing_is_closed_quietly(gateway: RunningGateway) -> None:
    sock = connect(gateway)
    started = time.monotonic()
    assert read_all(sock) == b""
    assert time.monotonic() - started < HEADER_TIMEOUT + 2.0


def test_a_kept_alive_connection_is_not_cut_by_the_header_timer(gateway: RunningGateway) -> None:
    """The timer only runs while a head is being read: a connection that answered a request and then sends
    the next one after more than the header timeout is still served (keep-alive governs idle time)."""
    sock = connect(gateway)
    request = (
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAccept: application/json\r\n"
        b"Content-Length: %d\r\n\r\n%s" % (len(QUERY), QUERY)
    )
    sock.sendall(request)
    assert sock.recv(65536).startswith(b"HTTP/1.1 200")
    time.sleep(HEADER_TIMEOUT * 2)
    sock.sendall(request)
    assert sock.recv(65536).startswith(b"HTTP/1.1 200")
    sock.close()


def test_half_sent_body_gets_408_within_the_body_timeout(gateway: RunningGateway) -> None:
    before = connection_events(gateway)
    sock = connect(gateway)
    sock.sendall(
        b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAccept: application/json\r\n"
        b'Content-Length: 200\r\n\r\n{"query":'
    )
    started = time.monotonic()
    raw = read_all(sock)  # the answer, then the close: the connection cannot be reused
    waited = time.monotonic() - started
    status, _, body = parse(raw)
    assert status == 408
    assert code_of(body) == "REQUEST_TIMEOUT"
    assert "server.body_read_timeout" in str(body)
    assert BODY_TIMEOUT * 0.8 <= waited < BODY_TIMEOUT + 2.0
    assert connection_events(gateway)["body_timeout"] == before["body_timeout"] + 1
    assert_quiet_log(gateway)


def test_a_100kb_header_gets_431_json(gateway: RunningGateway) -> None:
    sock = connect(gateway)
    sock.sendall(
        b"GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n"
    )
    status, headers, body = parse(read_all(sock))
    assert status == 431
    assert code_of(body) == "REQUEST_HEADER_FIELDS_TOO_LARGE"
    assert "server.max_header_bytes" in str(body)
    assert headers["content-type"].startswith("application/json")
    assert_quiet_log(gateway)


def test_too_many_headers_get_431_json(gateway: RunningGateway) -> None:
    sock = connect(gateway)
    many = b"".join(b"X-H%d: 1\r\n" % i for i in range(300))
    sock.sendall(b"GET /graphql?query=%7B__typename%7D HTTP/1.1\r\nHost: x\r\n" + many + b"\r\n")
    status, _, body = parse(read_all(sock))
    assert status == 431
    assert code_of(body) == "REQUEST_HEADER_FIELDS_TOO_LARGE"


def test_a_20kb_url_gets_414_json(gateway: RunningGateway) -> None:
    sock = connect(gateway)
    sock.sendall(b"GET /graphql?query=" + b"a" * 20_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
    status, _, body = parse(read_all(sock))
    assert status == 414
    assert code_of(body) == "URI_TOO_LONG"


def test_garbage_gets_400_json_and_no_error_log(gateway: RunningGateway) -> None:
    before = connection_events(gateway)
    sock = connect(gateway)
    sock.sendall(b"HELLO THERE\r\n\r\n")
    status, _, body = parse(read_all(sock))
    assert status == 400
    assert code_of(body) == "BAD_REQUEST"
    assert connection_events(gateway)["malformed_request"] == before["malformed_request"] + 1
    assert_quiet_log(gateway)


def test_a_client_leaving_during_its_upload_is_counted_not_logged(gateway: RunningGateway) -> None:
    before = connection_events(gateway)
    for _ in range(20):
        sock = connect(gateway)
        sock.sendall(
            b"POST /graphql HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b'Content-Length: 5000\r\n\r\n{"query":"{ __typename'
        )
        time.sleep(0.02)
        sock.close()
    deadline = time.monotonic() + 5
    while connection_events(gateway)["client_disconnected"] < before["client_disconnected"] + 20:
        assert time.monotonic() < deadline, connection_events(gateway)
        time.sleep(0.05)
    assert post_query(gateway) == 200
    assert_quiet_log(gateway)


@pytest.fixture(scope="module")
def capped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    """A gateway whose only tight setting is the cap: held idle connections must not be closed by the
    header timer while the test fills the cap (they would make room for the extra connection)."""
    config = tmp_path_factory.mktemp("capped") / "gateway.yaml"
    config.write_text(f"server:\n  max_connections: {CAP}\n  header_read_timeout: 60s\n")
    with gateway_serve(SUPERGRAPH, "--config", str(config)) as running:
        yield running


def test_connections_beyond_the_cap_get_503_and_the_rest_are_served(capped: RunningGateway) -> None:
    """CAP + 10 sockets open at once (nothing else connects meanwhile): at most CAP are kept open, the rest
    are answered 503 at once and closed. Read without a scrape in between, so no extra connection races."""
    gateway = capped
    before = connection_events(gateway)
    sockets = [connect(gateway, timeout=20) for _ in range(CAP + 10)]
    try:
        time.sleep(1.0)  # every refusal is written at accept time; give a loaded machine time to send them
        kept, refusals = [], []
        for sock in sockets:
            sock.setblocking(False)
            try:
                first = sock.recv(65536)
            except BlockingIOError:
                kept.append(sock)  # accepted: silent, waiting for a request
                continue
            sock.setblocking(True)
            refusals.append(first + read_all(sock))
        assert len(kept) <= CAP
        assert len(refusals) >= 10
        for raw in refusals:
            status, headers, body = parse(raw)
            assert status == 503
            assert code_of(body) == "SERVICE_OVERLOADED"
            assert headers["retry-after"] == "1"
            assert "server.max_connections" in str(body)
    finally:
        for sock in sockets:
            sock.close()
    # the held sockets are gone: new connections are served again
    deadline = time.monotonic() + 20
    while True:
        try:
            assert post_query(gateway) == 200
            break
        except OSError:
            assert time.monotonic() < deadline
            time.sleep(0.05)
    events = connection_events(gateway)
    assert events["refused"] >= before["refused"] + 10
    assert events["open"] <= CAP
    assert_quiet_log(gateway)


def test_the_defaults_are_documented(tmp_path: Path) -> None:
    """The settings this module relies on exist with the documented defaults."""
    from gateway.config.model import ServerConfig

    server = ServerConfig()
    assert (server.header_read_timeout, server.body_read_timeout, server.max_connections) == (
        10.0,
        30.0,
        4096,
    )
    reference = (REPO / "docs" / "configuration.md").read_text()
    for name in ("header_read_timeout", "body_read_timeout", "max_connections", "max_header_bytes"):
        assert name in reference


def _soft_open_files(pid: int) -> int:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            return int(line.split()[3])
    raise AssertionError("no 'Max open files' line")


@pytest.mark.skipif(not Path("/proc/self/limits").exists(), reason="needs /proc")
def test_the_open_file_limit_is_raised_to_fit_the_connection_cap(tmp_path: Path) -> None:
    """A service manager's usual soft limit (1024) is below the default cap (4096): the gateway raises its
    own soft limit (up to the hard limit) so the cap, not accept() failures, is what clients meet."""
    import resource
    import subprocess
    import sys

    from tests.http.processes import free_port

    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 4096 + 512:
        pytest.skip(f"the hard open-file limit ({hard}) is too low to show the raise")

    def low_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, hard))

    port = free_port()
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "gateway", "serve", "--supergraph", str(SUPERGRAPH), "--port", str(port)),
            *("--pipeline-factory", "tests.http.fake_pipeline:FakePipeline"),
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=low_limit,  # sets only an rlimit in the child
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1):
                    break
            except OSError:
                assert process.poll() is None, process.stderr.read() if process.stderr else ""
                assert time.monotonic() < deadline
                time.sleep(0.05)
        assert _soft_open_files(process.pid) >= 4096 + 512
    finally:
        process.terminate()
        process.wait(10)
