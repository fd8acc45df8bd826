"""``python -m gateway serve`` (a real process) exposes /metrics with the traffic it served."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from tests.demand.support import FIXTURES, subgraph_specs
from tests.http.processes import gateway_serve
from tests.support.kit_thread import SubgraphKitThread


def post(url: str, query: str) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/graphql-response+json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return int(response.status)


def test_served_process_exposes_metrics(tmp_path: Path) -> None:
    with SubgraphKitThread(subgraph_specs()) as kit:
        config = tmp_path / "gateway.yaml"
        overrides = "\n".join(f"  {name}: {url}" for name, url in kit.urls.items())
        config.write_text(f"override_subgraph_url:\n{overrides}\n")
        with gateway_serve(
            FIXTURES / "supergraph.graphql", "--config", str(config), pipeline_factory=None
        ) as gw:
            for _ in range(3):
                assert post(gw.url, "{ products(first: 2) { id } }") == 200
            with urllib.request.urlopen(f"{gw.base}/metrics", timeout=10) as response:
                assert response.status == 200
                text = response.read().decode()
    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    assert samples[("gateway_http_requests_total", (("operation", "query"), ("status", "200")))] == 3
    assert (
        samples[("gateway_subgraph_requests_total", (("outcome", "success"), ("subgraph", "products")))] == 3
    )
    assert samples[("gateway_plan_cache_requests_total", (("result", "hit"),))] == 2
