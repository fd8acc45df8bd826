"""``gateway serve --workers 2`` (real processes): ``/metrics`` on either worker reports the sum of both.

To tell which worker answered a scrape, each scrape is followed on the same keep-alive connection by a
``{ pid }`` query. The traffic being counted is ``query Counted { pid }``: ``CountingPipeline`` reports its
operation kind as ``query`` (as the engine does), so the probes (kind ``none``) never change the counted
series.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.pipeline.types import GraphQLRequest, GraphQLResponse
from gateway.telemetry.scope import note_operation_kind
from tests.http.fake_pipeline import FAKE_SDL, FakePipeline
from tests.http.processes import RunningGateway, gateway_serve

FACTORY = "tests.telemetry.test_workers_metrics:CountingPipeline"
COUNTED = "query Counted { pid }"
REQUESTS = "gateway_http_requests_total"
DURATION_COUNT = "gateway_http_request_duration_seconds_count"
# The supervisor treats a worker death in its first 3 s as a broken start-up and stops everything.
STARTUP_GRACE = 3.5

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


class CountingPipeline(FakePipeline):
    """The fake pipeline, reporting ``query`` as the operation kind of operations named ``Counted``."""

    async def run(self, request: GraphQLRequest) -> GraphQLResponse:
        if request.operation_name == "Counted":
            note_operation_kind("query")
        return await super().run(request)


def post(url: str, query: str, operation_name: str | None = None) -> Any:
    """One request on a fresh connection (urllib never reuses one): the kernel picks the worker."""
    body = json.dumps({"query": query, "operationName": operation_name}).encode()
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json", "Accept": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
        return json.loads(response.read())


def parse(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def counted(samples: Samples) -> tuple[float | None, float | None]:
    """The counted requests and their duration histogram's count, as one scrape reports them."""
    return (
        samples.get((REQUESTS, (("operation", "query"), ("status", "200")))),
        samples.get((DURATION_COUNT, (("operation", "query"),))),
    )


def scrape(gateway: RunningGateway) -> tuple[int, Samples]:
    """Scrape over a fresh connection, then ask the same connection's worker for its pid."""
    connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=10)
    try:
        connection.request("GET", "/metrics")
        response = connection.getresponse()
        assert response.status == 200
        samples = parse(response.read().decode())
        body = json.dumps({"query": "{ pid }"})
        connection.request("POST", "/graphql", body, {"Content-Type": "application/json"})
        probe = connection.getresponse()
        pid = json.loads(probe.read())["data"]["pid"]
        return int(pid), samples
    finally:
        connection.close()


def send_counted(gateway: RunningGateway, at_least: int) -> tuple[int, set[int]]:
    """Send ``Counted`` queries over fresh connections until both workers served some; returns how many."""
    pids: list[int] = []
    while len(pids) < at_least or len(set(pids)) < 2:
        assert len(pids) < 400, "the kernel never spread connections over both workers"
        pids.append(post(gateway.url, COUNTED, "Counted")["data"]["pid"])
    return len(pids), set(pids)


def scrapes_until_both_agree(
    gateway: RunningGateway, expected: float, floor: float = 0.0, timeout: float = 20.0
) -> dict[int, Samples]:
    """Scrape until two distinct workers each answered with ``expected`` counted requests.

    Every scrape must report at least ``floor`` (what scrapes showed before: Prometheus would read a decrease
    as a counter reset) and at most ``expected`` (nothing counted twice), and no worker's reports may go down.
    """
    agreed: dict[int, Samples] = {}
    last: dict[int, tuple[float, float]] = {}
    deadline = time.monotonic() + timeout
    while len(agreed) < 2:
        assert time.monotonic() < deadline, f"scrapes never agreed on {expected}: last reports {last}"
        try:
            pid, samples = scrape(gateway)
        except (OSError, http.client.HTTPException):
            time.sleep(0.05)  # a connection queued on a worker that was just killed
            continue
        total, count = (value or 0.0 for value in counted(samples))
        previous = last.get(pid, (floor, floor))
        assert previous[0] <= total <= expected, ("requests", pid, previous, total)
        assert previous[1] <= count <= expected, ("histogram count", pid, previous, count)
        last[pid] = (total, count)
        if total == expected and count == expected:
            agreed[pid] = samples
        else:
            time.sleep(0.05)
    return agreed


@pytest.fixture
def supergraph(tmp_path: Path) -> Path:
    path = tmp_path / "supergraph.graphql"
    path.write_text(FAKE_SDL)
    return path


@pytest.fixture
def snapshots_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The gateway's ``$TMPDIR``, where the supervisor creates its metrics directory."""
    root = tmp_path / "tmp"
    root.mkdir()
    tempfile.gettempdir()  # this process's own choice is cached first: only the gateway's follows TMPDIR
    monkeypatch.setenv("TMPDIR", str(root))
    return root


def metrics_directories(root: Path) -> list[Path]:
    return sorted(root.glob("gateway-metrics-*"))


# 1h: no periodic flush happens during the test, the workers publish only when they answer a scrape: what a
# scrape showed is on disk, so the SIGKILLed worker's counts still cannot go missing.
@pytest.mark.parametrize("flush_interval", ["200ms", "1h"])
def test_metrics_sum_two_workers_and_keep_a_killed_workers_counts(
    tmp_path: Path, supergraph: Path, snapshots_root: Path, flush_interval: str
) -> None:
    config = tmp_path / "gateway.yaml"
    config.write_text(f"telemetry:\n  metrics:\n    worker_flush_interval: {flush_interval}\n")
    with gateway_serve(supergraph, "--workers", "2", "--config", str(config), pipeline_factory=FACTORY) as gw:
        started = time.monotonic()
        total, served_by = send_counted(gw, at_least=20)

        agreed = scrapes_until_both_agree(gw, total)
        assert set(agreed) == served_by, "the scrapes came from the two workers that served the traffic"
        [directory] = metrics_directories(snapshots_root)
        assert sorted(int(path.name.split("-")[0]) for path in directory.glob("*.json")) == sorted(served_by)

        time.sleep(max(0.0, STARTUP_GRACE - (time.monotonic() - started)))
        victim = min(served_by)
        os.kill(victim, signal.SIGKILL)
        after = scrapes_until_both_agree(gw, total, floor=total)
        assert victim not in after, "the killed worker was replaced"
        assert len(set(after) - served_by) == 1, "one replacement worker, reporting the killed one's counts"
        retired = json.loads((directory / "retired.json").read_text())
        assert [name.split("-")[0] for name in retired["folded"]] == [str(victim)]
        assert not list(directory.glob(f"{victim}-*.json"))

        # new traffic after the replacement adds up with everything before
        more, _pids = send_counted(gw, at_least=10)
        scrapes_until_both_agree(gw, total + more, floor=total)
        assert gw.stop() == 0
    assert metrics_directories(snapshots_root) == [], "the supervisor removes the directory at exit"


def test_one_worker_reports_its_own_metrics_without_a_directory(
    supergraph: Path, snapshots_root: Path
) -> None:
    with gateway_serve(supergraph, "--workers", "1", pipeline_factory=FACTORY) as gw:
        for _ in range(5):
            post(gw.url, COUNTED, "Counted")
        pid, samples = scrape(gw)
        assert pid == gw.process.pid
        assert counted(samples) == (5, 5)
        assert metrics_directories(snapshots_root) == []


def test_metrics_off_with_workers_creates_no_directory(
    tmp_path: Path, supergraph: Path, snapshots_root: Path
) -> None:
    config = tmp_path / "gateway.yaml"
    config.write_text("telemetry:\n  metrics:\n    enabled: false\n")
    with gateway_serve(supergraph, "--workers", "2", "--config", str(config), pipeline_factory=FACTORY) as gw:
        post(gw.url, COUNTED, "Counted")
        assert metrics_directories(snapshots_root) == []
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{gw.base}/metrics", timeout=5)


def test_engine_with_two_workers_counts_start_up_once_and_sums_subgraph_calls(tmp_path: Path) -> None:
    """The real engine and real subgraphs: request, subgraph and plan cache counters add up over both
    workers, and the supergraph load the supervisor made before forking counts once (not once per worker)."""
    from tests.demand.support import FIXTURES, subgraph_specs
    from tests.support.kit_thread import SubgraphKitThread

    with SubgraphKitThread(subgraph_specs()) as kit:
        config = tmp_path / "gateway.yaml"
        overrides = "\n".join(f"  {name}: {url}" for name, url in kit.urls.items())
        config.write_text(
            f"override_subgraph_url:\n{overrides}\ntelemetry:\n  metrics:\n    worker_flush_interval: 100ms\n"
        )
        with gateway_serve(
            FIXTURES / "supergraph.graphql", "--workers", "2", "--config", str(config), pipeline_factory=None
        ) as gw:
            total = 20
            for _ in range(total):
                assert "errors" not in post(gw.url, "{ products(first: 2) { id } }")
            agreeing = 0
            reported: object = None
            deadline = time.monotonic() + 20
            while agreeing < 12:  # 12 scrapes over fresh connections in a row: both workers answered some
                assert time.monotonic() < deadline, f"last scrape reported {reported}"
                with urllib.request.urlopen(f"{gw.base}/metrics", timeout=10) as response:
                    samples = parse(response.read().decode())
                hits = samples[("gateway_plan_cache_requests_total", (("result", "hit"),))]
                misses = samples[("gateway_plan_cache_requests_total", (("result", "miss"),))]
                reported = (
                    counted(samples),
                    samples.get(
                        (
                            "gateway_subgraph_requests_total",
                            (("outcome", "success"), ("subgraph", "products")),
                        )
                    ),
                    hits + misses,
                    samples[("gateway_supergraph_reloads_total", (("result", "success"),))],
                )
                if reported == ((total, total), total, total, 1):
                    agreeing += 1
                else:
                    agreeing = 0
                    time.sleep(0.05)
