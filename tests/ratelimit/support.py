"""Redis helpers for the rate limit tests: the shared server on 127.0.0.1:6379 and private servers."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import redis

REDIS_URL = "redis://127.0.0.1:6379/0"


def require_redis() -> None:
    """Skip (with the reason) when the shared Redis is not reachable."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_timeout=1, socket_connect_timeout=1).ping()
    except (redis.RedisError, OSError) as exc:
        pytest.skip(f"Redis on 127.0.0.1:6379 is unreachable: {exc}")


@contextmanager
def unique_prefix() -> Iterator[str]:
    """A key prefix no other test uses; every key under it is deleted afterwards."""
    prefix = f"test:ratelimit:{uuid.uuid4().hex}:"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=prefix + "*"))
        if keys:
            client.delete(*keys)
        client.close()


@contextmanager
def private_redis(port: int) -> Iterator[subprocess.Popen[bytes]]:
    """A throwaway redis-server on ``port`` (no persistence), stopped on exit."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server binary not found")
    process = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        client = redis.Redis(host="127.0.0.1", port=port, socket_timeout=0.2, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except (redis.RedisError, OSError):
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError("private redis-server did not start") from None
                time.sleep(0.05)
        client.close()
        yield process
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
