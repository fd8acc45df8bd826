"""Fixtures of the tracing suite: per module, two real subgraphs and the OTLP receivers they export to."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.resilience.conftest import env
from tests.tracing.receiver import OtlpGrpcReceiver, OtlpHttpReceiver

__all__ = ["env", "grpc_receiver", "http_receiver"]  # env: the resilience suite's two real subgraphs


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
