"""Benchmark federation gateways on the standard four-subgraph shape.

Usage (from the repository root)::

    .venv/bin/python -m bench.run --gateways ours,apollo,hive --queries heavy,light \
        --duration 20 --warmup 5 --runs 3 --connections 50
    .venv/bin/python -m bench.run --quick --gateways apollo      # smoke run, a few seconds per step

Method (the shared reference's): the subgraphs (bench/subgraphs.py) and wrk run on CPU 1, the gateway on
CPU 0; each run starts the gateway fresh, checks its answer to every query against ``bench/data/expected``
(values and key order), warms up, measures with N connections, and for the light query also measures
1-connection latency. Gateways alternate within each run (the starting gateway rotates between runs) and
the report gives medians. Peak RSS of the gateway and its children is sampled from /proc during the whole
run. Subgraph requests per client request come from the subgraph server's counters.

Why a harness at all: gateway throughput only means something against a baseline measured in the same
sitting, with fast subgraphs, correct answers and everything pinned; doing it by hand gets one of them wrong.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

if __package__ in (None, ""):  # run as a script (python bench/x.py): make `bench` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.compare import check_response
from bench.procs import (
    CpuMeter,
    ManagedProcess,
    RssSampler,
    free_port,
    http_request,
    pinned,
    wait_until_ready,
)
from bench.report import machine_info, render_markdown, summarise
from bench.wrk import WrkResult, run_wrk, write_script

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / "data"
NODE_DIR = BENCH / "node"
SUPERGRAPH = DATA / "supergraph.graphql"
SUPERGRAPH_SUBGRAPH_BASE = "http://127.0.0.1:4200/"
GATEWAYS = ("ours", "apollo", "hive")
QUERIES = ("heavy", "light")
# The query a gateway sends to the accounts subgraph for the light query: the "direct" latency baseline.
DIRECT_LIGHT_BODY = orjson.dumps({"query": "{users{id username name}}"})


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything that shapes a benchmark sitting (recorded verbatim in the output)."""

    gateways: tuple[str, ...]
    queries: tuple[str, ...]
    duration: float
    warmup: float
    latency_duration: float
    runs: int
    connections: int
    threads: int
    gateway_cpu: int
    load_cpu: int
    subgraph_port: int
    ready_timeout: float
    check_only: bool
    out_dir: Path
    ours_config: Path | None = None


@dataclass(frozen=True, slots=True)
class GatewaySpec:
    """How to launch one gateway and where it serves GraphQL."""

    name: str
    command: tuple[str, ...]
    path: str
    env: tuple[tuple[str, str], ...] = ()


def python_binary() -> str:
    venv = ROOT / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


@functools.cache
def node_binary() -> str:
    """Node 26 from the ``node`` npm package when installed (bench/setup.sh), else the machine's node."""
    local = NODE_DIR / "node_modules" / ".bin" / "node"
    if local.exists():
        try:
            subprocess.run([str(local), "--version"], capture_output=True, timeout=30, check=True)
            return str(local)
        except (OSError, subprocess.SubprocessError):
            print(f"warning: {local} does not run; using the machine's node", flush=True)
    found = shutil.which("node")
    if not found:
        raise SystemExit("node not found: run `bash bench/setup.sh`")
    return found


def gateway_spec(
    name: str, port: int, supergraph: Path, ours_config: Path | None = None
) -> GatewaySpec:
    if name == "ours":
        command: tuple[str, ...] = (
            python_binary(),
            "-m",
            "gateway",
            "serve",
            "--supergraph",
            str(supergraph),
            "--port",
            str(port),
        )
        if ours_config is not None:
            command += ("--config", str(ours_config))
        return GatewaySpec(name, command, "/graphql")
    if name in ("apollo", "hive"):
        if not (NODE_DIR / "node_modules").exists():
            raise SystemExit("bench/node/node_modules missing: run `bash bench/setup.sh`")
        script = NODE_DIR / f"{name}.mjs"
        command = (node_binary(), str(script), "--supergraph", str(supergraph), "--port", str(port))
        # Production mode, as deployed: no dev-only checks or landing-page work on the request path.
        return GatewaySpec(
            name, command, "/" if name == "apollo" else "/graphql", (("NODE_ENV", "production"),)
        )
    raise SystemExit(f"unknown gateway {name!r} (choose from {', '.join(GATEWAYS)})")


def parse_args(argv: Sequence[str] | None) -> Settings:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gateways", default="ours,apollo,hive", help="comma list of ours,apollo,hive")
    parser.add_argument("--queries", default="heavy,light", help="comma list of heavy,light")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per query")
    parser.add_argument("--warmup", type=float, default=5.0, help="warm-up seconds per query")
    parser.add_argument(
        "--latency-duration", type=float, default=None, help="1-connection run (default: duration)"
    )
    parser.add_argument("--runs", type=int, default=3, help="alternating runs; the report gives medians")
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (all on the load CPU)")
    parser.add_argument("--gateway-cpu", type=int, default=0)
    parser.add_argument("--load-cpu", type=int, default=1, help="CPU for the subgraphs and wrk")
    parser.add_argument(
        "--subgraph-port", type=int, default=4200, help="4200 as in the supergraph; 0 or busy: a free port"
    )
    parser.add_argument(
        "--ready-timeout", type=float, default=120.0, help="seconds a gateway may take to start"
    )
    parser.add_argument("--out", type=Path, default=BENCH / "results", help="output directory")
    parser.add_argument(
        "--ours-config",
        type=Path,
        help="config file for our gateway (e.g. bench/configs/no-dedup.yaml to measure without coalescing)",
    )
    parser.add_argument("--quick", action="store_true", help="smoke test: 1 run, 3 s measured, 1 s warm-up")
    parser.add_argument(
        "--check-only",
        action="store_true",
        help="no load: start each gateway, check its answers and count its subgraph requests",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.duration, args.warmup, args.runs = 3.0, 1.0, 1
    gateways = tuple(g for g in args.gateways.split(",") if g)
    queries = tuple(q for q in args.queries.split(",") if q)
    for query in queries:
        if query not in QUERIES:
            parser.error(f"unknown query {query!r}")
    for gateway in gateways:
        if gateway not in GATEWAYS:
            parser.error(f"unknown gateway {gateway!r}")
    return Settings(
        gateways=gateways,
        queries=queries,
        duration=args.duration,
        warmup=args.warmup,
        latency_duration=args.latency_duration if args.latency_duration is not None else args.duration,
        runs=args.runs,
        connections=args.connections,
        threads=args.threads,
        gateway_cpu=args.gateway_cpu,
        load_cpu=args.load_cpu,
        subgraph_port=args.subgraph_port,
        ready_timeout=args.ready_timeout,
        check_only=args.check_only,
        out_dir=args.out,
        ours_config=args.ours_config.resolve() if args.ours_config else None,
    )


def _port_is_free(port: int) -> bool:
    with socket.socket() as sock:
        # Same option as the server: connections in TIME_WAIT from a previous sitting do not make it busy.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Sitting:
    """One benchmark sitting: the subgraph server, the query bodies and the per-run measurements."""

    def __init__(self, settings: Settings, work_dir: Path) -> None:
        self.settings = settings
        self.work_dir = work_dir
        port = settings.subgraph_port
        if port == 0 or not _port_is_free(port):
            if port:
                print(f"port {port} is busy: serving the subgraphs on a free port instead", flush=True)
            port = free_port()
        self.subgraph_base = f"http://127.0.0.1:{port}/"
        self.supergraph = work_dir / "supergraph.graphql"
        self.supergraph.write_text(
            SUPERGRAPH.read_text().replace(SUPERGRAPH_SUBGRAPH_BASE, self.subgraph_base)
        )
        self.bodies = {q: orjson.dumps({"query": (DATA / f"{q}.graphql").read_text()}) for q in QUERIES}
        self.expected = {q: (DATA / "expected" / f"{q}.json").read_bytes() for q in QUERIES}
        self.direct_p50: list[float] = []
        self.runs: list[dict[str, Any]] = []
        self.subgraphs: ManagedProcess | None = None
        self.port = port

    # -- subgraphs -----------------------------------------------------------------------------------
    def start_subgraphs(self) -> None:
        command = pinned(
            self.settings.load_cpu, [python_binary(), "-m", "bench.subgraphs", "--port", str(self.port)]
        )
        self.subgraphs = ManagedProcess("subgraphs", command, self.work_dir / "subgraphs.log", cwd=ROOT)
        wait_until_ready(self.subgraphs, self.subgraph_base + "__stats", timeout=30)

    def reset_stats(self) -> None:
        http_request(self.subgraph_base + "__reset", b"", method="POST")

    def subgraph_total(self) -> int:
        _, body = http_request(self.subgraph_base + "__stats")
        return int(orjson.loads(body)["total"])

    def wait_quiet(self, settle: float = 0.5, timeout: float = 60.0) -> int:
        """Wait until the subgraphs see no new request for ``settle`` s; return the counter then.

        Why: when wrk stops, a saturated gateway still works through the requests it had queued (seconds
        of backlog for the heavy query). Without this wait that tail would land in the next phase's
        counters and latencies.
        """
        deadline = time.monotonic() + timeout
        last = self.subgraph_total()
        quiet_since = time.monotonic()
        while time.monotonic() < deadline:
            time.sleep(0.1)
            now = self.subgraph_total()
            if now != last:
                last, quiet_since = now, time.monotonic()
            elif time.monotonic() - quiet_since >= settle:
                break
        return last

    def _script(self, name: str, body: bytes) -> Path:
        return write_script(self.work_dir / f"{name}.lua", body)

    def _wrk(self, url: str, script: Path, connections: int, duration: float) -> WrkResult:
        return run_wrk(
            url,
            script,
            connections=connections,
            duration=duration,
            threads=self.settings.threads,
            cpu=self.settings.load_cpu,
        )

    def measure_direct(self) -> None:
        """1-connection p50 straight to the accounts subgraph: the floor the gateway's latency adds to."""
        script = self._script("direct", DIRECT_LIGHT_BODY)
        result = self._wrk(self.subgraph_base + "accounts", script, 1, self.settings.latency_duration)
        self.direct_p50.append(result.p50_ms)
        print(f"  direct subgraph, 1 connection: p50 {result.p50_ms:.3f} ms", flush=True)

    # -- one gateway run -----------------------------------------------------------------------------
    def run_gateway(self, run_index: int, name: str) -> dict[str, Any]:
        settings = self.settings
        port = free_port()
        spec = gateway_spec(name, port, self.supergraph, settings.ours_config)
        url = f"http://127.0.0.1:{port}{spec.path}"
        record: dict[str, Any] = {
            "run": run_index + 1,
            "gateway": name,
            "command": shlex.join(pinned(settings.gateway_cpu, spec.command)),
            "errors": [],
            "metrics": {},
            "queries": {},
        }
        log = self.work_dir / f"{name}-run{run_index + 1}.log"
        process = ManagedProcess(
            name, pinned(settings.gateway_cpu, spec.command), log, cwd=ROOT, env=dict(spec.env)
        )
        try:
            started = time.monotonic()
            wait_until_ready(process, url, self.bodies["light"], timeout=settings.ready_timeout)
            record["startup_seconds"] = round(time.monotonic() - started, 2)
            with RssSampler(process.pid) as sampler:
                for query in settings.queries:
                    record["queries"][query] = self._run_query(record, url, query, process.pid)
                if not process.alive():
                    record["errors"].append(f"run {run_index + 1}: gateway exited during the run")
            record["metrics"]["peak_rss_mb"] = sampler.peak / 1e6
        except Exception as error:
            record["errors"].append(f"run {run_index + 1}: {type(error).__name__}: {error}")
        finally:
            process.stop()
        return record

    def _run_query(self, record: dict[str, Any], url: str, query: str, gateway_pid: int) -> dict[str, Any]:
        settings = self.settings
        metrics = record["metrics"]
        out: dict[str, Any] = {}
        body = self.bodies[query]
        self.wait_quiet()
        status, raw = http_request(url, body, timeout=30)
        problem = f"HTTP {status}" if status != 200 else check_response(raw, self.expected[query])
        out["correct"] = problem is None
        if problem is not None:
            record["errors"].append(f"run {record['run']}: {query}: wrong response: {problem}")
            return out

        self.reset_stats()
        http_request(url, body, timeout=30)
        calls_single = metrics[f"{query}_subgraph_requests_single"] = self.wait_quiet()
        if calls_single == 0:
            # The same request was just answered: a repeat without any subgraph call means a response
            # cache, which this benchmark does not allow (only sharing in-flight subgraph requests is fair).
            record["errors"].append(f"run {record['run']}: {query}: answered a repeated request from a cache")
            return out
        if self.settings.check_only:
            return out

        # Every response under load must be these bytes: the answer just checked against the expected JSON.
        script = write_script(self.work_dir / f"{query}.lua", body, expect=raw)
        if settings.warmup > 0:
            self._wrk(url, script, settings.connections, settings.warmup)
            self.wait_quiet()
        self.reset_stats()
        assert self.subgraphs is not None
        meter = CpuMeter(
            {"gateway": gateway_pid, "subgraphs": self.subgraphs.pid},
            {"gateway_core": settings.gateway_cpu, "load_core": settings.load_cpu},
        )
        with meter:
            load = self._wrk(url, script, settings.connections, settings.duration)
        for name, percent in meter.percent.items():
            metrics[f"{query}_{name}_cpu_pct"] = percent
        # Includes the calls of requests still in flight when wrk stopped (at most `connections` requests,
        # a bias of connections/requests, small for 20 s runs) -- their responses are not in wrk's count.
        calls = self.wait_quiet()
        out["load"] = {**_wrk_record(load), "subgraph_requests": calls, "cpu_percent": meter.percent}
        self._check_load(record, query, load)
        metrics[f"{query}_rps"] = load.requests_per_second
        metrics[f"{query}_p50_ms"] = load.p50_ms
        metrics[f"{query}_p99_ms"] = load.p99_ms
        metrics[f"{query}_subgraph_requests_per_request"] = calls / load.requests if load.requests else None
        per_request = metrics[f"{query}_subgraph_requests_per_request"] or 0.0
        print(
            f"  {record['gateway']:>6} {query}: {load.requests_per_second:,.1f} req/s, "
            f"p50 {load.p50_ms:.2f} ms, p99 {load.p99_ms:.2f} ms, {per_request:.2f} subgraph req/req; "
            f"CPU % gateway {meter.percent['gateway']:.0f}, subgraphs {meter.percent['subgraphs']:.0f}, "
            f"gateway core {meter.percent['gateway_core']:.0f}, load core {meter.percent['load_core']:.0f}",
            flush=True,
        )

        if query == "light":
            single = self._wrk(url, script, 1, settings.latency_duration)
            out["c1"] = _wrk_record(single)
            self._check_load(record, "light (1 connection)", single)
            metrics["light_c1_p50_ms"] = single.p50_ms
            metrics["light_c1_p99_ms"] = single.p99_ms
            if self.direct_p50:
                metrics["light_c1_p50_above_direct_ms"] = single.p50_ms - self.direct_p50[-1]
            print(
                f"  {record['gateway']:>6} light, 1 connection: p50 {single.p50_ms:.3f} ms, "
                f"p99 {single.p99_ms:.3f} ms",
                flush=True,
            )
        return out

    @staticmethod
    def _check_load(record: dict[str, Any], what: str, result: WrkResult) -> None:
        """Failures under load make the figures meaningless: record them as errors of the run."""
        if result.non_2xx or result.socket_errors or result.bad_responses:
            record["errors"].append(
                f"run {record['run']}: {what}: {result.non_2xx} non-2xx responses, {result.socket_errors} "
                f"socket errors, {result.bad_responses} responses that differ from the checked answer"
            )

    def run_all(self) -> None:
        gateways = self.settings.gateways
        for run_index in range(self.settings.runs):
            print(f"run {run_index + 1}/{self.settings.runs}", flush=True)
            if "light" in self.settings.queries and not self.settings.check_only:
                self.measure_direct()
            shift = run_index % len(gateways)
            for name in (*gateways[shift:], *gateways[:shift]):
                record = self.run_gateway(run_index, name)
                for error in record["errors"]:
                    print(f"  {name}: ERROR {error}", flush=True)
                self.runs.append(record)


def _wrk_record(result: WrkResult) -> dict[str, Any]:
    return {
        "requests": result.requests,
        "seconds": result.seconds,
        "requests_per_second": result.requests_per_second,
        "p50_ms": result.p50_ms,
        "p99_ms": result.p99_ms,
        "non_2xx": result.non_2xx,
        "socket_errors": result.socket_errors,
        "bad_responses": result.bad_responses,
    }


def _check_tools(settings: Settings) -> None:
    for tool in ("wrk", "taskset"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} not found: run `bash bench/setup.sh`")
    cpus = os.sched_getaffinity(0)
    for cpu in (settings.gateway_cpu, settings.load_cpu):
        if cpu not in cpus:
            raise SystemExit(f"CPU {cpu} is not available (have {sorted(cpus)})")


def main(argv: Sequence[str] | None = None) -> int:
    settings = parse_args(argv)
    _check_tools(settings)
    # The harness itself (RSS sampling, polling) belongs with the load, never on the gateway's core.
    os.sched_setaffinity(0, {settings.load_cpu})
    # SIGTERM unwinds like Ctrl-C, so the `finally` blocks stop the gateway and the subgraphs (they run in
    # their own sessions and would otherwise outlive the harness).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = dt.datetime.now(dt.UTC)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    work_dir = settings.out_dir / stamp
    work_dir.mkdir(parents=True, exist_ok=True)
    interpreter = Path(sys.executable)
    if interpreter.is_relative_to(ROOT):
        interpreter = interpreter.relative_to(ROOT)
    arguments = list(argv if argv is not None else sys.argv[1:])
    command = shlex.join([str(interpreter), "-m", "bench.run", *arguments])
    needs_node = any(g in ("apollo", "hive") for g in settings.gateways)
    node = node_binary() if needs_node else (shutil.which("node") or "node")
    machine = machine_info(python_binary(), node, NODE_DIR)
    print(f"writing to {work_dir}", flush=True)

    sitting = Sitting(settings, work_dir)
    try:
        sitting.start_subgraphs()
        sitting.run_all()
    finally:
        if sitting.subgraphs is not None:
            sitting.subgraphs.stop()

    result: dict[str, Any] = {
        "command": command,
        "started": started.isoformat(timespec="seconds"),
        "finished": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "settings": {
            **{k: getattr(settings, k) for k in Settings.__slots__ if k != "out_dir"},
            "subgraph_base": sitting.subgraph_base,
        },
        "direct_subgraph_c1_p50_ms": sitting.direct_p50,
        "runs": sitting.runs,
        "summary": summarise(sitting.runs, settings.gateways),
        "reference": orjson.loads((DATA / "reference.json").read_bytes()),
    }
    markdown = render_markdown(result)
    (work_dir / "result.json").write_bytes(orjson.dumps(result, option=orjson.OPT_INDENT_2, default=str))
    (work_dir / "report.md").write_text(markdown)
    print()
    print(markdown)
    print(f"results: {work_dir / 'report.md'} and {work_dir / 'result.json'}")
    failed = any(run["errors"] for run in sitting.runs)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
