"""Sharing metrics between worker processes, played in one process: two ``PrometheusMetrics`` stand for two
workers sharing one directory (``gateway/telemetry/multiprocess.py``)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import orjson
import pytest
from prometheus_client.parser import text_string_to_metric_families

from gateway.config import model
from gateway.config import telemetry as telemetry_config
from gateway.config.load import load_config_text
from gateway.config.model import InvalidField
from gateway.telemetry import multiprocess
from gateway.telemetry.metrics import PrometheusMetrics
from gateway.telemetry.multiprocess import RETIRED, WorkerMetrics, retire_worker

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(metrics: PrometheusMetrics) -> Samples:
    text = metrics.exposition()[0].decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def get(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def two_workers(directory: Path) -> tuple[PrometheusMetrics, WorkerMetrics, PrometheusMetrics, WorkerMetrics]:
    first, second = PrometheusMetrics(), PrometheusMetrics()
    for metrics in (first, second):  # what the supervisor recorded before forking: every worker inherits it
        metrics.supergraph_loaded("aaa")
    return (
        first,
        WorkerMetrics(first, str(directory), 1.0, pid=1001),
        second,
        WorkerMetrics(second, str(directory), 1.0, pid=1002),
    )


def test_each_worker_reports_the_sum_of_both(tmp_path: Path) -> None:
    first, _first_shared, second, _second_shared = two_workers(tmp_path)
    for seconds in (0.002, 0.02, 3.0):
        first.request_finished("query", 200, seconds)
    second.request_finished("query", 200, 0.002)
    second.request_finished("mutation", 500, 0.2)
    second.subgraph_request("products", "success", 0.003)
    scrape(second)  # answering a scrape publishes the worker's values first
    for metrics in (first, second):
        samples = scrape(metrics)
        requests = "gateway_http_requests_total"
        assert get(samples, requests, operation="query", status="200") == 4
        assert get(samples, requests, operation="mutation", status="500") == 1
        duration = "gateway_http_request_duration_seconds"
        assert get(samples, f"{duration}_count", operation="query") == 4
        assert get(samples, f"{duration}_sum", operation="query") == pytest.approx(3.024)
        assert get(samples, f"{duration}_bucket", operation="query", le="0.0025") == 2
        assert get(samples, f"{duration}_bucket", operation="query", le="+Inf") == 4
        assert get(samples, "gateway_subgraph_requests_total", subgraph="products", outcome="success") == 1
        # inherited from the supervisor: counted once, not once per worker
        assert get(samples, "gateway_supergraph_reloads_total", result="success") == 1


def test_an_exited_workers_counters_stay_and_its_gauges_go(tmp_path: Path) -> None:
    first, _first_shared, second, _second_shared = two_workers(tmp_path)
    first.watch_connections(lambda: 3)
    second.watch_connections(lambda: 4)
    first.watch_breakers(lambda: {"products": {"http://p": "open"}})
    second.watch_breakers(lambda: {"products": {"http://p": "closed"}, "reviews": {"http://r": "closed"}})
    second.supergraph_loaded("bbb")  # the second worker reloaded already, the first not yet
    first.request_finished("query", 200, 0.01)
    second.request_finished("query", 200, 0.01)
    scrape(second)
    samples = scrape(first)
    assert get(samples, "gateway_http_requests_total", operation="query", status="200") == 2
    assert get(samples, "gateway_http_connections_open") == 7
    state = "gateway_subgraph_circuit_breaker_state"
    assert get(samples, state, subgraph="products", url="http://p", state="open") == 1
    assert get(samples, state, subgraph="products", url="http://p", state="closed") == 1
    assert get(samples, state, subgraph="products", url="http://p", state="half_open") == 0
    assert get(samples, state, subgraph="reviews", url="http://r", state="closed") == 1
    assert get(samples, "gateway_supergraph_info", sha256="aaa") == 1
    assert get(samples, "gateway_supergraph_info", sha256="bbb") == 1
    assert get(samples, "gateway_supergraph_reloads_total", result="success") == 2

    retire_worker(str(tmp_path), 1002)  # the supervisor reaped the second worker
    assert sorted(path.name for path in tmp_path.iterdir() if not path.name.startswith(".")) == [
        *(path.name for path in tmp_path.glob("1001-*.json")),
        RETIRED,
    ]
    samples = scrape(first)
    assert get(samples, "gateway_http_requests_total", operation="query", status="200") == 2, "counters stay"
    assert get(samples, "gateway_http_request_duration_seconds_count", operation="query") == 2
    assert get(samples, "gateway_supergraph_reloads_total", result="success") == 2
    assert get(samples, "gateway_http_connections_open") == 3, "gauges: live workers only"
    assert get(samples, state, subgraph="products", url="http://p", state="closed") == 0
    assert get(samples, state, subgraph="reviews", url="http://r", state="closed") is None
    assert get(samples, "gateway_supergraph_info", sha256="bbb") is None

    # a replacement worker starts from zero and adds to the sum
    replacement = PrometheusMetrics()
    replacement.supergraph_loaded("aaa")
    WorkerMetrics(replacement, str(tmp_path), 1.0, pid=1003)
    replacement.request_finished("query", 200, 0.01)
    samples = scrape(replacement)
    assert get(samples, "gateway_http_requests_total", operation="query", status="200") == 3
    assert get(samples, "gateway_supergraph_reloads_total", result="success") == 2
    assert get(scrape(first), "gateway_http_requests_total", operation="query", status="200") == 3


def test_a_retiring_snapshot_is_counted_once(tmp_path: Path) -> None:
    """Between writing retired.json and deleting the snapshot, a scrape sees both: counted once."""
    first, _first_shared, second, second_shared = two_workers(tmp_path)
    second.request_finished("query", 200, 0.01)
    scrape(second)
    kept = tmp_path / "kept.json.bak"
    shutil.copy(second_shared.path, kept)
    retire_worker(str(tmp_path), 1002)
    shutil.copy(kept, second_shared.path)  # the snapshot is still there, retired.json has it already
    samples = scrape(first)
    assert get(samples, "gateway_http_requests_total", operation="query", status="200") == 1
    assert get(samples, "gateway_http_connections_open") == 0


def test_retiring_twice_and_several_exits_keep_adding(tmp_path: Path) -> None:
    first, _first_shared, second, _second_shared = two_workers(tmp_path)
    second.request_finished("query", 200, 0.01)
    scrape(second)
    retire_worker(str(tmp_path), 1002)
    retire_worker(str(tmp_path), 1002)  # nothing left to fold
    third = PrometheusMetrics()
    WorkerMetrics(third, str(tmp_path), 1.0, pid=1002)  # a replacement that got the same pid
    third.request_finished("query", 200, 0.01)
    third.request_finished("query", 200, 0.01)
    scrape(third)
    assert get(scrape(first), "gateway_http_requests_total", operation="query", status="200") == 3
    retire_worker(str(tmp_path), 1002)
    retired = orjson.loads((tmp_path / RETIRED).read_bytes())
    assert len(retired["folded"]) == 2
    assert get(scrape(first), "gateway_http_requests_total", operation="query", status="200") == 3


def test_an_idle_worker_does_not_rewrite_its_snapshot(tmp_path: Path) -> None:
    metrics = PrometheusMetrics()
    shared = WorkerMetrics(metrics, str(tmp_path), 1.0, pid=1001)
    inode = os.stat(shared.path).st_ino
    shared.flush()
    shared.flush()
    assert os.stat(shared.path).st_ino == inode, "unchanged values: no write"
    metrics.plan_cache(True)
    shared.flush()
    assert os.stat(shared.path).st_ino != inode, "written with os.replace (a new file)"
    assert not list(tmp_path.glob(".*.tmp"))


def test_a_worker_publishes_periodically_and_at_exit(tmp_path: Path) -> None:
    import asyncio

    from aiohttp import web

    from gateway.telemetry.http import METRICS_KEY

    async def run() -> None:
        metrics = PrometheusMetrics()
        app = web.Application()
        app[METRICS_KEY] = metrics
        shared = multiprocess.share_worker_metrics(app, str(tmp_path), 0.05)
        assert shared is not None
        context = shared.publish_periodically(app)
        await anext(context)
        metrics.plan_cache(False)
        await asyncio.sleep(0.2)
        body = orjson.loads(shared.path.read_bytes())
        assert [["miss"], 1.0] in body["families"]["gateway_plan_cache_requests_total"]
        metrics.plan_cache(False)
        with pytest.raises(StopAsyncIteration):
            await anext(context)
        body = orjson.loads(shared.path.read_bytes())
        assert [["miss"], 2.0] in body["families"]["gateway_plan_cache_requests_total"]

    asyncio.run(run())


def test_without_prometheus_metrics_nothing_is_shared(tmp_path: Path) -> None:
    from aiohttp import web

    from gateway.telemetry.http import METRICS_KEY
    from gateway.telemetry.metrics import NOOP_METRICS

    app = web.Application()
    app[METRICS_KEY] = NOOP_METRICS
    assert multiprocess.share_worker_metrics(app, str(tmp_path), 1.0) is None
    assert list(tmp_path.iterdir()) == []
    assert PrometheusMetrics().before_scrape is None, "one process: no sharing, no extra work at scrape"


def test_directory_is_private_and_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(multiprocess.tempfile, "tempdir", str(tmp_path))
    directory = multiprocess.create_directory()
    assert Path(directory).parent == tmp_path
    assert Path(directory).name.startswith(multiprocess.DIRECTORY_PREFIX)
    assert os.stat(directory).st_mode & 0o777 == 0o700
    (Path(directory) / "1-ab.json").write_bytes(b"{}")
    multiprocess.remove_directory(directory)
    assert not Path(directory).exists()


def test_flush_interval_config() -> None:
    assert telemetry_config.Duration == model.Duration
    config = load_config_text("telemetry:\n  metrics:\n    worker_flush_interval: 250ms\n", "t.yaml", {})
    assert config.telemetry.metrics.worker_flush_interval == 0.25
    assert model.Config().telemetry.metrics.worker_flush_interval == 1.0
    with pytest.raises(InvalidField):
        telemetry_config.MetricsConfig(worker_flush_interval=0)
