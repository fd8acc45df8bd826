"""What the tracing tests share: a client that sends trace headers, trace ids, and gateway configs.

The gateways are real ``python -m gateway serve`` processes (``tests.resilience.harness.ResilienceEnv``:
two real subgraphs, ``healthy`` and ``flaky``), exporting to a receiver of ``tests.tracing.receiver``.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

from tests.tracing.receiver import ReceivedSpan

# { products { ... stock } } is a root fetch to healthy then an _entities fetch to flaky; flaky(n) is a root
# fetch to flaky, in parallel with the first: three fetches, two subgraphs.
MIXED = "query Mixed($n: Int) { products { id name stock } flaky(n: $n) }"
MIXED_VARIABLES = {"n": 424242}  # a value that must never appear in a span unless include_variables
MIXED_DATA = {
    "products": [{"id": "1", "name": "Lamp", "stock": 10}, {"id": "2", "name": "Desk", "stock": 20}],
    "flaky": "flaky-424242",
}


def new_trace() -> tuple[str, str]:
    """A random (trace id, parent span id) in hex, as a client's tracer would make them."""
    return os.urandom(16).hex(), os.urandom(8).hex()


def traceparent(trace_id: str, span_id: str, sampled: bool = True) -> str:
    return f"00-{trace_id}-{span_id}-{'01' if sampled else '00'}"


def parse_traceparent(value: str) -> tuple[str, str, str]:
    """(trace id, parent id, flags) of a ``traceparent`` header."""
    version, trace_id, parent_id, flags = value.split("-")
    assert version == "00", value
    return trace_id, parent_id, flags


def sampled(flags: str) -> bool:
    """The sampled bit of ``traceparent`` flags (0x02, W3C level 2's random trace id, may be set too)."""
    return bool(int(flags, 16) & 1)


def post(
    url: str,
    query: str,
    variables: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 15.0,
) -> tuple[int, Any]:
    """POST one GraphQL request with extra headers; (status, decoded body)."""
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    request = urllib.request.Request(
        url,
        data=json.dumps(payload).encode(),
        headers={"content-type": "application/json", "accept": "application/json", **(headers or {})},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def tracing_config(
    endpoint: str, *, protocol: str = "http/protobuf", extra: str = "", ratio: float = 1.0
) -> str:
    """A gateway config with tracing on, exporting to ``endpoint`` every 50 ms."""
    return f"""
telemetry:
  tracing:
    enabled: true
    endpoint: {endpoint}
    protocol: {protocol}
    service_name: gateway-under-test
    resource_attributes:
      deployment.environment.name: test
    sampler:
      ratio: {ratio}
    batch:
      schedule_delay: 50ms
{extra}
"""


def by_name(spans: list[ReceivedSpan], name: str) -> list[ReceivedSpan]:
    return [s for s in spans if s.name == name]


def count_in_trace(trace_id: str, count: int) -> Any:
    """A ``SpanStore.wait_for`` condition: at least ``count`` spans of ``trace_id`` received."""
    return lambda spans: sum(1 for s in spans if s.trace_id == trace_id) >= count
