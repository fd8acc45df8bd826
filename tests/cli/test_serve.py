"""``gateway serve`` as a real process: start-up errors, overrides, graceful shutdown, workers, hot reload."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.http.fake_pipeline import FAKE_SDL
from tests.http.processes import FAKE_FACTORY, REPO, free_port, gateway_serve


def query(url: str, text: str, timeout: float = 10) -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps({"query": text}).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/graphql-response+json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def run_gateway(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args], cwd=REPO, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture
def supergraph(tmp_path: Path) -> Path:
    path = tmp_path / "supergraph.graphql"
    path.write_text(FAKE_SDL)
    return path


def test_version() -> None:
    result = run_gateway("--version")
    assert result.returncode == 0
    assert result.stdout.strip() == "gateway 0.1.0"


def test_serve_answers_and_stops_on_sigterm(supergraph: Path) -> None:
    with gateway_serve(supergraph) as gateway:
        assert query(gateway.url, "{ hello }") == (200, {"data": {"hello": "hello world"}})
        assert gateway.stop() == 0
        assert f"listening on http://127.0.0.1:{gateway.port}" in gateway.stderr()


def test_bad_supergraph_is_one_line_error_and_exit_1(tmp_path: Path) -> None:
    bad = tmp_path / "bad.graphql"
    bad.write_text("type Query {\n  hello: Nope\n}\n")
    result = run_gateway("serve", "--supergraph", str(bad), "--port", "0", "--pipeline-factory", FAKE_FACTORY)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"error: invalid supergraph {bad}:")
    assert "Nope" in lines[0]


def test_bad_supergraph_with_real_engine_is_one_line(tmp_path: Path) -> None:
    pytest.importorskip("gateway.pipeline.runner", reason="engine not available")
    bad = tmp_path / "bad.graphql"
    bad.write_text("garbage {\n")
    result = run_gateway("serve", "--supergraph", str(bad), "--port", "0")
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert result.stderr.startswith(f"error: invalid supergraph {bad}:")


def test_missing_supergraph_file_and_flag(tmp_path: Path) -> None:
    result = run_gateway("serve", "--supergraph", str(tmp_path / "nope.graphql"))
    assert result.returncode == 1
    assert result.stderr.startswith("error: cannot read supergraph")
    result = run_gateway("serve")
    assert result.returncode == 1
    assert "no supergraph" in result.stderr


def test_invalid_config_is_reported(tmp_path: Path, supergraph: Path) -> None:
    config = tmp_path / "gateway.yaml"
    config.write_text("server:\n  prot: 1\n")
    result = run_gateway("serve", "--supergraph", str(supergraph), "--config", str(config))
    assert result.returncode == 1
    assert f"unknown key 'prot' at server ({config} line 2); did you mean 'port'?" in result.stderr


def test_cli_flags_override_config(tmp_path: Path, supergraph: Path) -> None:
    config = tmp_path / "gateway.yaml"
    config.write_text(
        "server:\n  port: 1\n  host: 10.255.255.1\n  graphql_path: /api\n"
        f"supergraph:\n  path: {tmp_path}/none\n"
    )
    with gateway_serve(supergraph, "--config", str(config)) as gateway:
        status, body = query(f"{gateway.base}/api", "{ hello }")
        assert (status, body) == (200, {"data": {"hello": "hello world"}})


def test_graceful_shutdown_finishes_in_flight_requests(supergraph: Path) -> None:
    with gateway_serve(supergraph) as gateway:
        result: dict[str, Any] = {}

        def slow() -> None:
            result["response"] = query(gateway.url, "{ slow(ms: 1500) }")

        thread = threading.Thread(target=slow)
        thread.start()
        time.sleep(0.5)
        started = time.monotonic()
        gateway.process.send_signal(signal.SIGTERM)
        time.sleep(0.2)
        with pytest.raises(urllib.error.URLError):  # no longer accepting new connections
            query(gateway.url, "{ hello }", timeout=2)
        thread.join(10)
        assert gateway.process.wait(10) == 0
        assert result["response"] == (200, {"data": {"slow": "done"}})
        assert time.monotonic() - started >= 0.7


def test_workers_share_the_port_and_stop_together(supergraph: Path) -> None:
    with gateway_serve(supergraph, "--workers", "2") as gateway:
        pids = set()
        deadline = time.monotonic() + 20
        while len(pids) < 2 and time.monotonic() < deadline:
            status, body = query(gateway.url, "{ pid }")
            assert status == 200
            pids.add(body["data"]["pid"])
        assert len(pids) == 2, "requests never reached a second worker"
        assert gateway.process.pid not in pids
        assert gateway.stop() == 0
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_crashed_worker_is_replaced(supergraph: Path) -> None:
    with gateway_serve(supergraph, "--workers", "2") as gateway:
        _status, body = query(gateway.url, "{ pid }")
        victim = body["data"]["pid"]
        time.sleep(3.2)  # past the start-up grace period: a later death is a crash, not a broken config
        os.kill(victim, signal.SIGKILL)
        pids: set[int] = set()
        deadline = time.monotonic() + 20
        while len(pids) < 2 and time.monotonic() < deadline:
            try:
                _status, body = query(gateway.url, "{ pid }", timeout=2)
                pids.add(body["data"]["pid"])
            except OSError:
                time.sleep(0.1)
        assert victim not in pids
        assert len(pids) == 2
        assert gateway.process.poll() is None


def test_port_in_use_exits_1(supergraph: Path) -> None:
    import socket

    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        for workers in ("1", "2"):
            result = run_gateway(
                "serve",
                "--supergraph",
                str(supergraph),
                "--port",
                str(port),
                "--workers",
                workers,
                "--pipeline-factory",
                FAKE_FACTORY,
            )
            assert result.returncode == 1, result.stderr
            assert "error: cannot listen on 127.0.0.1" in result.stderr


def test_watch_reloads_changed_supergraph_and_keeps_old_on_error(tmp_path: Path, supergraph: Path) -> None:
    config = tmp_path / "gateway.yaml"
    config.write_text("supergraph:\n  watch: true\n  poll_interval: 100ms\n")
    with gateway_serve(supergraph, "--config", str(config)) as gateway:
        status, _body = query(gateway.url, "{ added }")
        assert status == 400
        supergraph.write_text(FAKE_SDL.replace("pid: Int", "pid: Int\n  added: String"))
        deadline = time.monotonic() + 10
        while query(gateway.url, "{ added }")[0] != 200:
            assert time.monotonic() < deadline, gateway.stderr()
            time.sleep(0.1)
        supergraph.write_text("type Query { broken: Nope }")
        deadline = time.monotonic() + 10
        while "not reloaded" not in gateway.stderr():
            assert time.monotonic() < deadline, gateway.stderr()
            time.sleep(0.1)
        assert query(gateway.url, "{ added }") == (200, {"data": {"added": None}})


def test_free_port_helper_gives_distinct_usable_port() -> None:
    assert 0 < free_port() < 65536


def test_event_loop_choice(tmp_path: Path, supergraph: Path) -> None:
    from gateway.workers import loop_factory

    uvloop = pytest.importorskip("uvloop")
    assert loop_factory("auto") is uvloop.new_event_loop
    assert loop_factory("uvloop") is uvloop.new_event_loop
    assert loop_factory("asyncio") is None
    config = tmp_path / "gateway.yaml"
    config.write_text("server:\n  event_loop: asyncio\n")
    with gateway_serve(supergraph, "--config", str(config)) as gateway:
        assert query(gateway.url, "{ hello }") == (200, {"data": {"hello": "hello world"}})
    config.write_text("server:\n  event_loop: trio\n")
    result = run_gateway("serve", "--supergraph", str(supergraph), "--config", str(config))
    assert result.returncode == 1
    assert "event_loop must be one of: auto, uvloop, asyncio at server.event_loop" in result.stderr
