"""The hash-key helper, run as a real process."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _run(*args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway.auth", *args],
        cwd=REPO,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_hash_key_from_stdin_ignores_the_trailing_newline() -> None:
    result = _run("hash-key", stdin="my-secret-key\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == hashlib.sha256(b"my-secret-key").hexdigest() + "\n"


def test_generate_prints_a_key_and_its_hash() -> None:
    result = _run("hash-key", "--generate")
    assert result.returncode == 0
    key_line, hash_line = result.stdout.splitlines()
    key = key_line.split()[1]
    assert hash_line.split()[1] == hashlib.sha256(key.encode()).hexdigest()


def test_empty_stdin_fails() -> None:
    assert _run("hash-key").returncode == 1
