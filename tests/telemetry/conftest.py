"""The telemetry tests that need real subgraphs share the resilience suite's environment fixture (two
subgraphs served from a background thread, request log with headers and arrival times, faults on demand)."""

from tests.resilience.conftest import env

__all__ = ["env"]
