"""Two real subgraphs (one healthy, one misbehaving on demand) and real gateway processes in front of them.

Why: breakers, retries, budgets and concurrency bounds are only proven against real sockets: a refused
connection, a body cut in the middle, a subgraph that never answers. The subgraphs are
:mod:`tests.support.subgraph_kit` servers on 127.0.0.1 (request log with arrival times, faults switched at run
time); the gateway is started exactly as users run it (``python -m gateway serve --supergraph F --config C
--port P``), ready when ``GET /health`` answers 200. Each test module starts the gateway(s) it needs with its
own ``traffic_shaping`` settings, so breaker and budget state never leaks between modules.

Schema: ``healthy`` owns ``Query.hello``, ``Query.products`` (entities ``Product``) and
``Mutation.createProduct``; ``flaky`` owns ``Query.flaky(n)``, ``Mutation.bump(n)`` and ``Product.stock``
(reached through ``_entities``). ``{ hello flaky }`` therefore makes one root fetch to each subgraph, and
``{ products { id name stock } }`` a root fetch to ``healthy`` then an ``_entities`` fetch to ``flaky``.
"""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families

from gateway.compose.compose import SubgraphSource, compose
from tests.support.kit_thread import SubgraphKitThread
from tests.support.ports import free_port
from tests.support.processes import RunningProcess, http_ok, start_process, wait_until
from tests.support.subgraph_kit import SubgraphSpec
from tests.support.subgraph_schema import Resolvers

REPO_ROOT = Path(__file__).resolve().parents[2]

_LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])\n'

HEALTHY_SDL = (
    _LINK
    + """
type Query {
  hello: String
  products: [Product!]!
}

type Mutation {
  createProduct(id: ID!): Product
}

type Product @key(fields: "id") {
  id: ID!
  name: String
}
"""
)

FLAKY_SDL = (
    _LINK
    + """
type Query {
  flaky(n: Int): String
}

type Mutation {
  bump(n: Int): Int
}

type Product @key(fields: "id") {
  id: ID!
  stock: Int
}
"""
)

PRODUCTS = [{"id": "1", "name": "Lamp"}, {"id": "2", "name": "Desk"}]

# One root fetch to each subgraph.
BOTH_ROOTS = "query Both($n: Int) { hello flaky(n: $n) }"
BOTH_ROOTS_DATA = {"hello": "world", "flaky": "flaky-0"}
# A root fetch to healthy, then an _entities fetch to flaky.
ENTITIES = "query Stock { products { id name stock } }"
ENTITIES_DATA = {
    "products": [{"id": "1", "name": "Lamp", "stock": 10}, {"id": "2", "name": "Desk", "stock": 20}]
}
FLAKY_ONLY = "query Flaky($n: Int) { flaky(n: $n) }"


def subgraph_specs() -> list[SubgraphSpec]:
    bumps = {"count": 0}

    def bump(_obj: Any, _info: Any, n: int | None = None) -> int:
        bumps["count"] += n if n is not None else 1
        return bumps["count"]

    healthy = Resolvers(
        records={"Product": PRODUCTS},
        fields={
            "Query.hello": lambda _o, _i: "world",
            "Query.products": lambda _o, _i: PRODUCTS,
            "Mutation.createProduct": lambda _o, _i, id: {"id": id, "name": f"new-{id}"},
        },
    )
    flaky = Resolvers(
        fields={
            "Query.flaky": lambda _o, _i, n=None: f"flaky-{n if n is not None else 0}",
            "Mutation.bump": bump,
            "Product.stock": lambda product, _i: int(product["id"]) * 10,
        }
    )
    return [SubgraphSpec("healthy", HEALTHY_SDL, healthy), SubgraphSpec("flaky", FLAKY_SDL, flaky)]


@dataclass(frozen=True, slots=True)
class Answer:
    """One client request's outcome as the client saw it."""

    status: int
    body: Any
    elapsed: float  # seconds from sending to the full body

    @property
    def data(self) -> Any:
        return self.body.get("data") if isinstance(self.body, dict) else None

    @property
    def errors(self) -> list[dict[str, Any]]:
        return list(self.body.get("errors") or ()) if isinstance(self.body, dict) else []

    @property
    def codes(self) -> list[str | None]:
        return [(e.get("extensions") or {}).get("code") for e in self.errors]

    def only_error(self) -> dict[str, Any]:
        assert len(self.errors) == 1, self.body
        return self.errors[0]


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


class Gateway:
    """A running ``python -m gateway serve`` process."""

    def __init__(self, process: RunningProcess, port: int) -> None:
        self.process = process
        self.base = f"http://127.0.0.1:{port}"
        self.url = f"{self.base}/graphql"

    def post(self, query: str, variables: dict[str, Any] | None = None, timeout: float = 15.0) -> Answer:
        """POST one GraphQL request (Accept: application/json)."""
        payload: dict[str, Any] = {"query": query}
        if variables is not None:
            payload["variables"] = variables
        request = urllib.request.Request(
            self.url,
            data=json.dumps(payload).encode(),
            headers={"content-type": "application/json", "accept": "application/json"},
            method="POST",
        )
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        elapsed = time.monotonic() - started
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"non_json_body": raw.decode(errors="replace")}
        return Answer(status, body, elapsed)

    def post_concurrently(
        self, requests: Sequence[tuple[str, dict[str, Any] | None]], timeout: float = 15.0
    ) -> list[Answer]:
        """Send every request at the same moment (one thread each, released together); answers in order."""
        barrier = threading.Barrier(len(requests))

        def one(item: tuple[str, dict[str, Any] | None]) -> Answer:
            barrier.wait(5)
            return self.post(item[0], item[1], timeout)

        with ThreadPoolExecutor(len(requests)) as pool:
            return list(pool.map(one, requests))

    def metrics(self) -> Samples:
        """Every sample of ``GET /metrics``, keyed by (name, labels)."""
        with urllib.request.urlopen(f"{self.base}/metrics", timeout=5) as response:
            assert response.status == 200
            text = response.read().decode()
        samples: Samples = {}
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
        return samples

    def alive(self) -> bool:
        return self.process.alive() and http_ok(f"{self.base}/health")()

    def stop(self) -> None:
        self.process.stop()


def sample(samples: Samples, name: str, **labels: str) -> float:
    """One sample's value (0 when absent)."""
    return samples.get((name, frozenset(labels.items())), 0.0)


class ResilienceEnv:
    """The two subgraphs (in a background thread), the composed supergraph and the gateways started on it."""

    def __init__(self) -> None:
        self.kit = SubgraphKitThread(subgraph_specs())
        self._tempdir = tempfile.TemporaryDirectory(prefix="resilience-")
        self.dir = Path(self._tempdir.name)
        self._gateways: list[Gateway] = []
        try:
            urls = self.kit.start()
            result = compose(
                [
                    SubgraphSource("healthy", urls["healthy"], HEALTHY_SDL),
                    SubgraphSource("flaky", urls["flaky"], FLAKY_SDL),
                ]
            )
            assert result.supergraph_sdl is not None, result.errors
            self.supergraph = self.dir / "supergraph.graphql"
            self.supergraph.write_text(result.supergraph_sdl)
        except BaseException:
            self.close()
            raise

    def gateway(self, config_yaml: str, name: str = "gateway") -> Gateway:
        """Start ``python -m gateway serve`` with this configuration; ready when /health is 200."""
        config = self.dir / f"{name}-{len(self._gateways)}.yaml"
        config.write_text(config_yaml)
        port = free_port()
        process = start_process(
            [
                sys.executable,
                "-m",
                "gateway",
                "serve",
                "--supergraph",
                str(self.supergraph),
                "--config",
                str(config),
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            cwd=REPO_ROOT,
        )
        try:
            wait_until(
                process, http_ok(f"http://127.0.0.1:{port}/health"), timeout=15.0, what="gateway serve"
            )
        except BaseException:
            process.stop()
            raise
        gateway = Gateway(process, port)
        self._gateways.append(gateway)
        return gateway

    def reset(self) -> None:
        """No faults, empty request log."""
        self.kit.clear_faults()
        self.kit.clear_log()

    def flaky_requests(self) -> int:
        return len(self.kit.requests("flaky"))

    def close(self) -> None:
        for gateway in self._gateways:
            gateway.stop()
        self._gateways.clear()
        self.kit.stop()
        self._tempdir.cleanup()


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` every 10 ms until true, or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not true after {timeout}s: {what}")
        time.sleep(0.01)
