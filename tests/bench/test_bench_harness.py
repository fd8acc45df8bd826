"""Tests of the benchmark harness's own logic: the strict response check, wrk report parsing, the Lua body
script, and (with Node installed) a no-load check that a Node gateway answers exactly the expected JSON
through bench/subgraphs.py.

Why: a harness that silently accepts a wrong answer, or misreads wrk's units, produces confident nonsense.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from bench.compare import check_response
from bench.procs import ManagedProcess, free_port, http_request, wait_until_ready
from bench.wrk import parse_output, run_wrk, write_script

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = ROOT / "bench" / "data" / "expected"

WRK_OUTPUT = """Running 3s test @ http://127.0.0.1:4298/accounts
  1 threads and 50 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     4.56ms    1.02ms  12.06ms   73.92%
    Req/Sec    11.01k     1.67k   14.04k    63.33%
  Latency Distribution
     50%  812.00us
     75%    5.13ms
     90%    5.63ms
     99%    1.21s
  32883 requests in 3.01s, 15.68MB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 7
Requests/sec:  10931.94
Transfer/sec:      5.21MB
"""


def test_check_response_accepts_the_expected_bytes_and_reformatted_equivalents() -> None:
    expected = (EXPECTED / "heavy.json").read_bytes()
    assert check_response(expected, expected) is None
    assert check_response(orjson.dumps(orjson.loads(expected), option=orjson.OPT_INDENT_2), expected) is None


def test_check_response_rejects_key_order_and_value_differences() -> None:
    expected = (EXPECTED / "light.json").read_bytes()
    data = orjson.loads(expected)
    first = data["data"]["users"][0]
    data["data"]["users"][0] = {"name": first["name"], "id": first["id"], "username": first["username"]}
    problem = check_response(orjson.dumps(data), expected)
    assert problem is not None
    assert "key order" in problem
    assert "$.data.users[0]" in problem

    data = orjson.loads(expected)
    data["data"]["users"][3]["username"] = "someone"
    problem = check_response(orjson.dumps(data), expected)
    assert problem is not None
    assert problem.startswith("$.data.users[3].username")

    assert check_response(b'{"data":null}', expected) is not None
    assert check_response(b"<html>", expected) is not None


def test_parse_wrk_output_converts_units_and_counts_failures() -> None:
    result = parse_output(WRK_OUTPUT)
    assert result.requests == 32883
    assert result.seconds == pytest.approx(3.01)
    assert result.requests_per_second == pytest.approx(10931.94)
    assert result.p50_ms == pytest.approx(0.812)
    assert result.p99_ms == pytest.approx(1210.0)
    assert result.non_2xx == 7
    assert result.socket_errors == 5
    with pytest.raises(ValueError, match="unexpected wrk output"):
        parse_output("wrk: connection refused")


def test_lua_script_quotes_bodies_that_contain_long_bracket_closers(tmp_path: Path) -> None:
    body = orjson.dumps({"query": "{ a }", "note": "]=] and ]] inside"})
    text = write_script(tmp_path / "s.lua", body).read_text()
    assert "wrk.body = [==[" + body.decode() + "]==]" in text
    assert "response(" not in text  # no per-response Lua work unless asked


def test_lua_script_with_expected_bytes_counts_bad_responses(tmp_path: Path) -> None:
    text = write_script(tmp_path / "s.lua", b'{"query":"{ a }"}', expect=b'{"data":{"a":1}}').read_text()
    assert 'expected = [=[{"data":{"a":1}}]=]' in text
    assert "body ~= expected" in text
    assert 'io.write(string.format("Bad responses: %d\\n", total))' in text
    assert parse_output(WRK_OUTPUT + "Bad responses: 4\n").bad_responses == 4
    assert parse_output(WRK_OUTPUT).bad_responses is None


@pytest.mark.node
def test_node_gateways_answer_exactly_the_expected_json_through_bench_subgraphs(tmp_path: Path) -> None:
    """No load: bench.run --check-only starts the subgraphs, Apollo Gateway and Hive Gateway, and compares
    their answers to both queries with the expected JSON."""
    if not (ROOT / "bench" / "node" / "node_modules" / "@graphql-hive" / "gateway").exists():
        pytest.skip("bench/node not installed (bash bench/setup.sh)")
    command = [
        sys.executable,
        "-m",
        "bench.run",
        "--check-only",
        "--runs",
        "1",
        "--gateways",
        "apollo,hive",
        "--subgraph-port",
        "0",
        "--out",
        str(tmp_path),
    ]
    completed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=180, check=False)
    assert completed.returncode == 0, completed.stdout[-3000:] + completed.stderr[-3000:]
    (result_file,) = tmp_path.glob("*/result.json")
    result = orjson.loads(result_file.read_bytes())
    assert sorted(run["gateway"] for run in result["runs"]) == ["apollo", "hive"]
    for run in result["runs"]:
        assert run["errors"] == []
        assert run["queries"]["heavy"]["correct"] is True
        assert run["queries"]["light"]["correct"] is True
        assert run["metrics"]["light_subgraph_requests_single"] == 1


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk not installed (bash bench/setup.sh)")
def test_wrk_counts_responses_that_differ_from_the_expected_bytes(tmp_path: Path) -> None:
    """1 connection for 1 s against the real subgraph server: right bytes pass, other bytes are all bad."""
    port = free_port()
    process = ManagedProcess(
        "subgraphs",
        [sys.executable, "-m", "bench.subgraphs", "--port", str(port)],
        tmp_path / "log",
        cwd=ROOT,
    )
    try:
        wait_until_ready(process, f"http://127.0.0.1:{port}/__stats", timeout=30)
        url = f"http://127.0.0.1:{port}/accounts"
        body = orjson.dumps({"query": "{ users { id } }"})
        _, answer = http_request(url, body)
        good = run_wrk(
            url, write_script(tmp_path / "good.lua", body, expect=answer), connections=1, duration=1, cpu=None
        )
        bad = run_wrk(
            url,
            write_script(tmp_path / "bad.lua", body, expect=answer + b" "),
            connections=1,
            duration=1,
            cpu=None,
        )
    finally:
        process.stop()
    assert good.requests > 0
    assert good.bad_responses == 0
    assert bad.requests > 0
    assert bad.bad_responses == bad.requests
