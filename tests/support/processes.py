"""Start, wait for and stop server processes in tests.

Why: the gateway is tested through its real CLI and Apollo's gateway runs under Node; both are child processes
that must become ready within a bounded time and must never outlive the test run. Output goes to a temporary
file (not a pipe that nobody drains, which could block the child) and is shown when startup fails.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO


class ProcessStartError(RuntimeError):
    """A child process exited or did not become ready in time; the message includes its output."""


@dataclass(slots=True)
class RunningProcess:
    """A started child process plus the file collecting its stdout and stderr."""

    argv: Sequence[str]
    popen: subprocess.Popen[bytes]
    output_path: Path
    _output: IO[bytes]

    def output(self) -> str:
        """Everything the process has printed so far."""
        self._output.flush()
        return self.output_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, timeout: float = 5.0) -> None:
        """Terminate (SIGTERM, then SIGKILL after ``timeout``) the process group and close the output file."""
        if self.popen.poll() is None:
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.popen.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.popen.wait(timeout)
        self._output.close()
        self.output_path.unlink(missing_ok=True)


def start_process(
    argv: Sequence[str], *, cwd: str | Path | None = None, env: dict[str, str] | None = None
) -> RunningProcess:
    """Start ``argv`` in its own process group (so :meth:`RunningProcess.stop` also ends its children)."""
    handle, name = tempfile.mkstemp(prefix="proc-", suffix=".log")
    os.close(handle)
    output = open(name, "w+b")  # noqa: SIM115 - closed by RunningProcess.stop
    popen = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=output,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    return RunningProcess(argv, popen, Path(name), output)


def wait_until(process: RunningProcess, ready: Callable[[], bool], *, timeout: float, what: str) -> None:
    """Poll ``ready`` until it is true; fail early if the process exits, or after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        if not process.alive():
            raise ProcessStartError(
                f"{what}: process exited with {process.popen.returncode}\n--- output ---\n{process.output()}"
            )
        if ready():
            return
        if time.monotonic() > deadline:
            raise ProcessStartError(
                f"{what}: not ready after {timeout} s\n--- output ---\n{process.output()}"
            )
        time.sleep(0.05)


def http_ok(url: str) -> Callable[[], bool]:
    """A readiness probe: ``GET url`` answers 200."""

    def probe() -> bool:
        try:
            with urllib.request.urlopen(url, timeout=1.0) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError, ValueError):
            return False

    return probe


def line_printed(process: RunningProcess, prefix: str) -> Callable[[], bool]:
    """A readiness probe: the process printed a line starting with ``prefix``."""
    return lambda: any(line.startswith(prefix) for line in process.output().splitlines())
