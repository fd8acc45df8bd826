"""Clients that leave: their work stops, nothing is logged as an error, and nobody joins what they left.

Against the real ``gateway serve`` and two real subgraphs (``tests.resilience.harness``): ``{ products { id
name stock } }`` is a root fetch to ``healthy`` followed by an ``_entities`` fetch to ``flaky``. With
``healthy`` answering after 2 s, a client that disconnects while the root fetch is in flight must cause no
subgraph request after it left (in particular no ``_entities`` call two seconds later), whether or not
identical requests were coalesced; and a later identical query must get a call of its own instead of joining
the abandoned one.
"""

from __future__ import annotations

import json
import socket
import time

import pytest

from tests.resilience.harness import Gateway, ResilienceEnv, sample, wait_for
from tests.support.subgraph_kit import Fault

QUERY = "{ products { id name stock } }"
CLIENTS = 400
SLOW = 2.0
# Time the gateway may take to notice the last disconnect (its event loop reads the FINs in turn).
NOTICE = 0.5


@pytest.fixture(autouse=True)
def _fresh(env: ResilienceEnv) -> None:
    env.reset()  # no fault, empty request log


def raw_post(port: int, query: str) -> bytes:
    body = json.dumps({"query": query}).encode()
    return (
        b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Accept: application/json\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
    )


def send_and_leave(gateway: Gateway, count: int, query: str, stay: float = 0.05) -> float:
    """``count`` clients send ``query`` and disconnect ``stay`` seconds later; returns when the last left."""
    port = int(gateway.base.rsplit(":", 1)[1])
    request = raw_post(port, query)
    sockets = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(request)
        sockets.append(sock)
    time.sleep(stay)
    for sock in sockets:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST
        sock.close()
    return time.monotonic()


@pytest.mark.parametrize("coalescing", [False, True], ids=["distinct-calls", "coalesced"])
def test_abandoned_requests_make_no_subgraph_request_after_their_clients_left(
    env: ResilienceEnv, coalescing: bool
) -> None:
    gateway = env.gateway(
        f"""
traffic_shaping:
  all:
    deduplicate_query: {str(coalescing).lower()}
    timeout: 10s
"""
    )
    env.kit.set_fault("healthy", Fault("delay", delay_seconds=SLOW))
    left_at = send_and_leave(gateway, CLIENTS, QUERY)
    time.sleep(SLOW + 1.0)  # past the moment the root fetches would have answered and entities been asked
    late = [r for r in env.kit.requests() if r.received_at > left_at + NOTICE]
    root_calls = env.kit.requests("healthy")
    assert root_calls, "the clients' queries never reached the subgraph: the probe tested nothing"
    assert env.kit.requests("flaky") == [], "an _entities call was made for clients that had gone"
    assert late == [], f"{len(late)} subgraph requests arrived after the clients had left"
    if coalescing:
        assert len(root_calls) < CLIENTS / 10, len(root_calls)
    metrics = gateway.metrics()
    assert sample(metrics, "gateway_http_connection_events_total", event="client_disconnected") >= 1
    output = gateway.process.output()
    assert "ERROR" not in output, output
    assert "Traceback" not in output, output
    # and the gateway still answers
    env.kit.clear_faults()
    answer = gateway.post(QUERY)
    assert answer.status == 200
    assert answer.errors == []
    gateway.stop()


def test_a_later_identical_query_does_not_join_an_abandoned_call(env: ResilienceEnv) -> None:
    gateway = env.gateway(
        """
traffic_shaping:
  all:
    timeout: 8s
"""
    )
    # the first request to `healthy` never answers; later ones are answered at once
    env.kit.set_fault("healthy", Fault("hang", times=1))
    send_and_leave(gateway, 50, QUERY, stay=0.3)
    wait_for(lambda: len(env.kit.requests("healthy")) == 1, 5.0, "the coalesced call reached the subgraph")
    time.sleep(NOTICE)
    answer = gateway.post(QUERY, timeout=15)
    assert answer.status == 200
    assert answer.errors == [], answer.body
    assert answer.data["products"], answer.body
    # its own call, answered at once, not the abandoned one that would have failed after 8 s
    assert answer.elapsed < 4.0, answer.elapsed
    assert len(env.kit.requests("healthy")) == 2
    gateway.stop()
