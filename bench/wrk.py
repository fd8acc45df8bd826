"""Drive wrk (POST a fixed GraphQL body) and parse its report.

Why wrk: it is the load generator the reference figures were measured with, it is a C program that costs
little CPU per request, and ``--latency`` gives the p50/p99 distribution directly.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.procs import pinned

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


@dataclass(frozen=True, slots=True)
class WrkResult:
    """One wrk run: throughput, latency percentiles (ms) and failures."""

    requests: int
    seconds: float
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    socket_errors: int
    bad_responses: int | None
    output: str


def _long_string(data: bytes) -> str:
    """``data`` as a Lua long-bracket string, with a level the data cannot close."""
    text = data.decode()
    level = 1
    while f"]{'=' * level}]" in text:
        level += 1
    eq = "=" * level
    return f"[{eq}[{text}]{eq}]"


# Counts responses that are not 200 with exactly the expected bytes, per thread, and prints the total:
# wrk itself only counts non-2xx statuses, and a gateway that answers 200 with errors under load must not
# be credited with that throughput.
_VERIFY = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function response(status, headers, body)
  if status ~= 200 or body ~= expected then bad = bad + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("bad") end
  io.write(string.format("Bad responses: %d\\n", total))
end
"""


def write_script(path: Path, body: bytes, expect: bytes | None = None) -> Path:
    """A Lua script making every wrk request a POST of ``body`` as application/json.

    With ``expect``, every response body is also compared with those exact bytes (the gateway's own answer,
    already checked against the expected JSON) and wrk prints ``Bad responses: N``.
    """
    script = (
        'wrk.method = "POST"\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        'wrk.headers["Accept"] = "application/json"\n'
        f"wrk.body = {_long_string(body)}\n"
    )
    if expect is not None:
        script += f"expected = {_long_string(expect)}\n" + _VERIFY
    path.write_text(script)
    return path


def _duration_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise ValueError(f"unparsable wrk duration {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_output(output: str) -> WrkResult:
    """Parse ``wrk --latency`` output; raises ValueError when a required line is missing."""
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h)", output)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", output)
    p50 = re.search(r"^\s*50%\s+(\S+)", output, re.MULTILINE)
    p99 = re.search(r"^\s*99%\s+(\S+)", output, re.MULTILINE)
    if not (total and rps and p50 and p99):
        raise ValueError(f"unexpected wrk output:\n{output}")
    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    sockets = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    bad = re.search(r"Bad responses: (\d+)", output)
    return WrkResult(
        requests=int(total.group(1)),
        seconds=_duration_ms(total.group(2) + total.group(3)) / 1000.0,
        requests_per_second=float(rps.group(1)),
        p50_ms=_duration_ms(p50.group(1)),
        p99_ms=_duration_ms(p99.group(1)),
        non_2xx=int(non_2xx.group(1)) if non_2xx else 0,
        socket_errors=sum(int(g) for g in sockets.groups()) if sockets else 0,
        bad_responses=int(bad.group(1)) if bad else None,
        output=output,
    )


def run_wrk(
    url: str,
    script: Path,
    *,
    connections: int,
    duration: float,
    threads: int = 1,
    cpu: int | None = 1,
    timeout: float = 10.0,
) -> WrkResult:
    """Run wrk pinned to ``cpu`` and return its parsed report."""
    command = pinned(
        cpu,
        [
            "wrk",
            f"-t{min(threads, connections)}",
            f"-c{connections}",
            f"-d{duration:g}s",
            f"--timeout={timeout:g}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
    )
    completed = subprocess.run(
        command, capture_output=True, text=True, timeout=duration + timeout + 30, check=False
    )
    if completed.returncode != 0:
        raise RuntimeError(f"wrk failed ({completed.returncode}): {completed.stderr or completed.stdout}")
    return parse_output(completed.stdout)
