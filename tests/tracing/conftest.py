"""Fixtures of the tracing suite: per module, two real subgraphs and the OTLP receivers they export to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.resilience.harness import ResilienceEnv
from tests.tracing.receiver import OtlpGrpcReceiver, OtlpHttpReceiver


@pytest.fixture(scope="module")
def env() -> Iterator[ResilienceEnv]:
    environment = ResilienceEnv()
    try:
        yield environment
    finally:
        environment.close()


@pytest.fixture(scope="module")
def http_receiver() -> Iterator[OtlpHttpReceiver]:
    receiver = OtlpHttpReceiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()


@pytest.fixture(scope="module")
def grpc_receiver() -> Iterator[OtlpGrpcReceiver]:
    receiver = OtlpGrpcReceiver().start()
    try:
        yield receiver
    finally:
        receiver.stop()
