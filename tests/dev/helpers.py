"""Running ``gateway dev`` as a real process from a temporary copy of the subgraph sources.

Why a copy: the reload tests edit subgraph source files, and the real ``subgraphs/`` must never change under a
test. ``--source-root`` points the dev command (and the subgraph processes it starts) at the copy.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import socket
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.ports import free_port
from tests.support.processes import RunningProcess, line_printed, start_process, wait_until

REPO = Path(__file__).resolve().parents[2]
READY_LINE = "gateway dev: watching subgraph schemas"


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_run(count: int) -> int:
    """The first of ``count`` consecutive free ports (the dev command puts subgraphs on base..base+2)."""
    rng = random.Random()
    for _ in range(200):
        base = rng.randrange(20000, 60000)
        if all(_port_free(base + i) for i in range(count)):
            return base
    raise RuntimeError("no run of free ports found")


def copy_sources(destination: Path) -> Path:
    """Copy the ``subgraphs`` package under ``destination`` and return ``destination`` (the source root)."""
    shutil.copytree(
        REPO / "subgraphs", destination / "subgraphs", ignore=shutil.ignore_patterns("__pycache__")
    )
    return destination


DEMO_KEY = "dev-user-1"  # gateway.dev.DEMO_KEYS: user 1 (orders are @authenticated)


def post(url: str, query: str, timeout: float = 10.0, api_key: str | None = DEMO_KEY) -> dict[str, Any]:
    headers = {"Content-Type": "application/json"}
    if api_key is not None:
        headers["x-api-key"] = api_key
    request = urllib.request.Request(url, data=json.dumps({"query": query}).encode(), headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read())


def status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=2.0) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return None


def children_of(pid: int) -> dict[int, str]:
    """Live direct children of ``pid`` with their command lines, read from /proc (no psutil needed)."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        # The command name in field 2 may contain spaces; the fields after its closing ')' do not.
        fields = stat[stat.rindex(")") + 2 :].split()
        state, ppid = fields[0], int(fields[1])
        if ppid == pid and state != "Z":
            found[int(entry.name)] = cmdline.strip()
    return found


def processes_mentioning(text: str) -> dict[int, str]:
    """Every live process whose command line contains ``text``."""
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if text in cmdline and state != "Z":
            found[int(entry.name)] = cmdline
    return found


def eventually(check: Callable[[], bool], timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return check()


@dataclass(slots=True)
class DevProcess:
    """A running ``gateway dev``: its process and the ports it was given."""

    process: RunningProcess
    port: int
    subgraph_base: int
    source_root: Path

    @property
    def pid(self) -> int:
        return self.process.popen.pid

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    def subgraph_url(self, offset: int, path: str = "/graphql") -> str:
        return f"http://127.0.0.1:{self.subgraph_base + offset}{path}"


@contextmanager
def gateway_dev(
    source_root: Path,
    *extra: str,
    subgraph_base: int | None = None,
    subgraph_count: int = 3,
    timeout: float = 90.0,
) -> Iterator[DevProcess]:
    """Start ``gateway dev`` on free ports and wait for its ready line; always stops it (and its group).

    With ``subgraph_base`` the caller runs the subgraphs (``--no-subgraphs``) and owns their processes.
    """
    port = free_port()
    base = free_port_run(subgraph_count) if subgraph_base is None else subgraph_base
    argv = [sys.executable, "-m", "gateway", "dev", "--port", str(port), "--subgraph-port-base", str(base)]
    argv += ["--source-root", str(source_root), "--poll-interval", "0.5", *extra]
    process = start_process(argv, cwd=REPO)
    try:
        wait_until(process, line_printed(process, READY_LINE), timeout=timeout, what="gateway dev")
        yield DevProcess(process, port, base, source_root)
    finally:
        # Safety net only: the tests stop the process themselves and check what is left.
        for offset in range(subgraph_count if subgraph_base is None else 0):
            for pid in processes_mentioning(f"--port {base + offset} "):
                try:
                    os.kill(pid, 9)
                except ProcessLookupError:
                    pass
        process.stop()
