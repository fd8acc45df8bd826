"""The subgraph child processes of ``gateway dev``: own session, output drained, stopped as a group."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
import sys
from pathlib import Path

from gateway.dev.options import SubgraphEndpoint

_STOP_GRACE = 5.0  # seconds a child gets to exit after SIGTERM before SIGKILL
_PR_SET_PDEATHSIG = 1
_OUTPUT_CHUNK = 65536


def emit(line: str) -> None:
    """Print one line and flush it: dev output is read live, often through a pipe (tests, IDE consoles)."""
    print(line, flush=True)


def _die_with_parent() -> None:  # runs in the child between fork and exec
    """Ask the kernel to SIGTERM this child when the dev process dies, however it dies.

    (The kernel ties this to the thread that forked: children are always started from the event loop's
    thread, which lives as long as the process.)"""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


class SubgraphProcess:
    """One demo subgraph as a child process: started in its own session, output forwarded with a prefix.

    Why its own session: Ctrl-C in a terminal signals the whole foreground process group; the children must
    not die before the gateway has stopped sending them requests, and a whole group can be killed at once
    if a subgraph ever starts helpers of its own.
    """

    def __init__(self, endpoint: SubgraphEndpoint, source_root: Path) -> None:
        self.endpoint = endpoint
        self._source_root = source_root
        self._process: asyncio.subprocess.Process | None = None
        self._pump: asyncio.Task[None] | None = None
        self.exit_reported = False

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    @property
    def returncode(self) -> int | None:
        return None if self._process is None else self._process.returncode

    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    async def start(self) -> None:
        env = dict(os.environ)
        # The source root goes first so an edited copy of ``subgraphs`` wins over an installed one.
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(self._source_root), env.get("PYTHONPATH")) if p)
        env["PYTHONUNBUFFERED"] = "1"
        ep = self.endpoint
        argv = [sys.executable, "-m", f"subgraphs.{ep.name}", "--host", ep.host, "--port", str(ep.port)]
        argv += ["--db", ":memory:"]
        self._process = await asyncio.create_subprocess_exec(
            *argv,
            cwd=str(self._source_root),
            env=env,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        self.exit_reported = False
        self._pump = asyncio.create_task(self._forward_output(self._process), name=f"{ep.name}-output")

    async def _forward_output(self, process: asyncio.subprocess.Process) -> None:
        """Copy the child's output line by line; it must be drained, or a chatty child would block on a full
        pipe (an over-long line is forwarded in chunks instead of ending the pump)."""
        stream = process.stdout
        assert stream is not None
        prefix = f"[{self.endpoint.name}] "
        while True:
            try:
                line = await stream.readline()
            except ValueError:  # longer than the stream limit
                line = await stream.read(_OUTPUT_CHUNK)
            if not line:
                return
            emit(prefix + line.decode(errors="replace").rstrip())

    async def stop(self) -> None:
        """SIGTERM the child's process group, SIGKILL it after a grace period, and reap it."""
        process = self._process
        if process is None:
            return
        if process.returncode is None:
            # The whole group: anything the subgraph started goes with it.
            _signal_group(process.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), _STOP_GRACE)
            except TimeoutError:
                _signal_group(process.pid, signal.SIGKILL)
                await process.wait()
        if self._pump is not None:
            with contextlib.suppress(asyncio.CancelledError, TimeoutError):
                await asyncio.wait_for(self._pump, 2.0)  # the rest of its output, then EOF
        self._process = None


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)
