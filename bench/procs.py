"""Start, watch and stop the benchmark's processes (subgraphs, gateways) pinned to CPUs.

Why: every process the harness starts must be pinned (``taskset -c N``, which execs, so the PID we hold is
the real server), must be stopped at the end whatever happens (each runs in its own session, so the whole
group is signalled), and the gateway's memory must be sampled from /proc including any children it forks.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE")


def free_port() -> int:
    """An ephemeral port that was free a moment ago (bind to 0, read it, release it)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pinned(cpu: int | None, command: Sequence[str]) -> list[str]:
    """Prefix ``taskset -c cpu`` when a CPU is given (taskset execs the command: same PID)."""
    return [*(["taskset", "-c", str(cpu)] if cpu is not None else []), *command]


class ManagedProcess:
    """A child process in its own session whose output goes to a log file; stop() always cleans up."""

    def __init__(
        self,
        name: str,
        command: Sequence[str],
        log_path: Path,
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.name = name
        self.command = list(command)
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = log_path.open("wb")
        self.popen = subprocess.Popen(
            self.command,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.popen.pid

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, limit: int = 2000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-limit:]
        except OSError:
            return ""

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM the process group, then SIGKILL it if it does not exit within ``grace`` seconds."""
        if self.alive():
            try:
                os.killpg(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        # Kill leftovers in the group even when the leader already exited (forked workers).
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            self.popen.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
        self._log.close()


def http_request(
    url: str, body: bytes | None = None, *, timeout: float = 10.0, method: str | None = None
) -> tuple[int, bytes]:
    """One blocking HTTP request; returns (status, body) even for HTTP error statuses."""
    request = urllib.request.Request(url, data=body, method=method or ("POST" if body is not None else "GET"))
    if body is not None:
        request.add_header("Content-Type", "application/json")
        request.add_header("Accept", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_until_ready(
    process: ManagedProcess, url: str, body: bytes | None = None, *, timeout: float = 90.0
) -> None:
    """Poll ``url`` until it answers 200; fail early with the log tail if the process dies."""
    deadline = time.monotonic() + timeout
    last_error = "no attempt"
    while time.monotonic() < deadline:
        if not process.alive():
            raise RuntimeError(f"{process.name} exited early:\n{process.log_tail()}")
        try:
            status, _ = http_request(url, body, timeout=5.0)
            if status == 200:
                return
            last_error = f"HTTP {status}"
        except OSError as error:
            last_error = str(error)
        time.sleep(0.2)
    raise RuntimeError(f"{process.name} not ready after {timeout}s ({last_error}):\n{process.log_tail()}")


def _descendants(root: int) -> list[int]:
    """``root`` and all its descendants, from the ppid field of /proc/*/stat."""
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name is parenthesised and may contain spaces: split after the last ')'.
        fields = stat[stat.rfind(b")") + 2 :].split()
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, ()))
    return found


def rss_bytes(pid: int) -> int:
    """Resident set size of ``pid`` plus its descendants, in bytes (0 for processes that vanished)."""
    total = 0
    for member in _descendants(pid):
        try:
            with open(f"/proc/{member}/statm", "rb") as handle:
                total += int(handle.read().split()[1]) * _PAGE
        except (OSError, IndexError, ValueError):
            continue
    return total


class RssSampler:
    """Samples a process tree's RSS in a background thread and keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.1) -> None:
        self._pid = pid
        self._interval = interval
        self._stop = threading.Event()
        self.peak = 0
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss_bytes(self._pid))
            self._stop.wait(self._interval)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes(self._pid))


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` and its live descendants, in seconds."""
    total = 0
    for member in _descendants(pid):
        try:
            with open(f"/proc/{member}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        fields = stat[stat.rfind(b")") + 2 :].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (stat fields 14 and 15)
    return total / _TICKS


def cpu_busy_ticks(cpu: int) -> tuple[int, int]:
    """(busy, total) jiffies of one CPU since boot, from /proc/stat; busy excludes idle and iowait.

    Why: the difference over a measurement shows whether a core was saturated, including by processes
    that are not ours (on a shared machine that is what makes figures noisy).
    """
    prefix = f"cpu{cpu} "
    with open("/proc/stat") as handle:
        for line in handle:
            if line.startswith(prefix):
                values = [int(v) for v in line.split()[1:]]
                idle = values[3] + (values[4] if len(values) > 4 else 0)
                total = sum(values[:8])
                return total - idle, total
    raise ValueError(f"cpu{cpu} not in /proc/stat")


class CpuMeter:
    """Percent of one core used by named process trees and named cores over a ``with`` block."""

    def __init__(self, pids: Mapping[str, int], cpus: Mapping[str, int]) -> None:
        self._pids = dict(pids)
        self._cpus = dict(cpus)
        self.percent: dict[str, float] = {}
        self._start_wall = 0.0
        self._start_pids: dict[str, float] = {}
        self._start_cpus: dict[str, tuple[int, int]] = {}

    def __enter__(self) -> CpuMeter:
        self._start_wall = time.monotonic()
        self._start_pids = {name: cpu_seconds(pid) for name, pid in self._pids.items()}
        self._start_cpus = {name: cpu_busy_ticks(cpu) for name, cpu in self._cpus.items()}
        return self

    def __exit__(self, *_exc: object) -> None:
        wall = max(time.monotonic() - self._start_wall, 1e-9)
        for name, pid in self._pids.items():
            self.percent[name] = 100.0 * (cpu_seconds(pid) - self._start_pids[name]) / wall
        for name, cpu in self._cpus.items():
            busy, total = cpu_busy_ticks(cpu)
            start_busy, start_total = self._start_cpus[name]
            self.percent[name] = 100.0 * (busy - start_busy) / max(total - start_total, 1)
