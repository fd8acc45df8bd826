"""Fixtures of the resilience suite: one environment (two subgraphs) per module, reset before every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.resilience.harness import ResilienceEnv


@pytest.fixture(scope="module")
def env() -> Iterator[ResilienceEnv]:
    environment = ResilienceEnv()
    try:
        yield environment
    finally:
        environment.close()


@pytest.fixture(autouse=True)
def _fresh_subgraphs(env: ResilienceEnv) -> Iterator[None]:
    """No faults and an empty request log at the start of each test (and no fault left behind)."""
    env.reset()
    yield
    env.kit.clear_faults()
