"""Two real ``gateway serve`` processes configured with one Redis share one rate limit per client."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.demand.support import FIXTURES, subgraph_specs
from tests.http.processes import gateway_serve
from tests.ratelimit.support import REDIS_URL, require_redis, unique_prefix
from tests.support.kit_thread import SubgraphKitThread

pytestmark = pytest.mark.redis


def post(url: str, query: str) -> tuple[int, dict[str, str], dict[str, Any]]:
    request = urllib.request.Request(
        url,
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/graphql-response+json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


def test_two_processes_share_one_bucket(tmp_path: Path) -> None:
    require_redis()
    with unique_prefix() as prefix, SubgraphKitThread(subgraph_specs()) as kit:
        config = tmp_path / "gateway.yaml"
        overrides = "\n".join(f"  {name}: {url}" for name, url in kit.urls.items())
        config.write_text(
            f"override_subgraph_url:\n{overrides}\n"
            "rate_limit:\n"
            "  enabled: true\n"
            f"  redis_url: {REDIS_URL}\n"
            f'  key_prefix: "{prefix}"\n'
            "  tiers:\n"
            "    default: {capacity: 10, refill_per_second: 0.01}\n"
        )
        supergraph = FIXTURES / "supergraph.graphql"
        with (
            gateway_serve(supergraph, "--config", str(config), pipeline_factory=None) as first,
            gateway_serve(supergraph, "--config", str(config), pipeline_factory=None) as second,
        ):
            query = "{ products(first: 3) { id } }"  # cost 3
            results = [post(gw.url, query) for gw in (first, second, first, second)]
            statuses = [status for status, _h, _b in results]
            assert statuses == [200, 200, 200, 429]
            remaining = [headers.get("RateLimit-Remaining") for _s, headers, _b in results]
            assert remaining == ["7", "4", "1", "1"]
            _status, headers, body = results[3]
            assert body["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
            assert headers["Retry-After"] == "200"  # two units missing at 0.01/s
            assert len(kit.requests("products")) == 3
