"""Helpers that run the real ``gateway serve`` command as a subprocess on a free port."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
FAKE_FACTORY = "tests.http.fake_pipeline:FakePipeline"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class RunningGateway:
    process: subprocess.Popen[bytes]
    port: int
    stderr_path: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/graphql"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def stop(self, timeout: float = 15.0) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise


def health_status(base: str) -> int | None:
    try:
        with urllib.request.urlopen(f"{base}/health", timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def gateway_command(supergraph: Path, port: int, *extra: str, pipeline_factory: str | None) -> list[str]:
    command = [sys.executable, "-m", "gateway", "serve", "--supergraph", str(supergraph)]
    command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "info", *extra]
    if pipeline_factory is not None:
        command += ["--pipeline-factory", pipeline_factory]
    return command


@contextlib.contextmanager
def gateway_serve(
    supergraph: Path, *extra: str, pipeline_factory: str | None = FAKE_FACTORY, wait: bool = True
) -> Iterator[RunningGateway]:
    """Start ``python -m gateway serve`` and wait until /health answers 200; always stops it."""
    port = free_port()
    with tempfile.NamedTemporaryFile(prefix="gateway-stderr-", suffix=".log", delete=False) as log:
        stderr_path = Path(log.name)
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(
            gateway_command(supergraph, port, *extra, pipeline_factory=pipeline_factory),
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
    running = RunningGateway(process, port, stderr_path)
    try:
        if wait:
            deadline = time.monotonic() + 30
            while health_status(running.base) != 200:
                if process.poll() is not None:
                    raise AssertionError(f"gateway exited early ({process.returncode}):\n{running.stderr()}")
                if time.monotonic() > deadline:
                    raise AssertionError(f"gateway did not become healthy:\n{running.stderr()}")
                time.sleep(0.05)
        yield running
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        stderr_path.unlink(missing_ok=True)
