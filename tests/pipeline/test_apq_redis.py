"""The APQ store in Redis, and trusted documents over HTTP, with real ``gateway serve`` processes.

Two gateways sharing Redis: a hash registered on one is known to the other. Redis down (a closed port): APQ
still works per process and nothing becomes a 500.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis

from gateway.pipeline.apq_store import RedisAPQStore
from tests.http.processes import REPO, free_port, gateway_serve
from tests.ratelimit.support import REDIS_URL, require_redis

SUPERGRAPH = REPO / "bench" / "data" / "supergraph.graphql"
QUERY = "query Apq { __typename }"
HASH = hashlib.sha256(QUERY.encode()).hexdigest()
TYPENAME = {"data": {"__typename": "Query"}}


def post(url: str, payload: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        url,
        json.dumps(payload).encode(),
        {"Content-Type": "application/json", "Accept": "application/graphql-response+json"},
    )
    return _send(request)


def get(url: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(
        f"{url}?{urllib.parse.urlencode(params)}", headers={"Accept": "application/graphql-response+json"}
    )
    return _send(request)


def _send(request: urllib.request.Request) -> tuple[int, dict[str, Any]]:
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def apq(query: str | None = None) -> dict[str, Any]:
    payload: dict[str, Any] = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": HASH}}}
    if query is not None:
        payload["query"] = query
    return payload


def code(body: dict[str, Any]) -> str:
    return body["errors"][0]["extensions"]["code"]


def config_file(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / f"{name}.yaml"
    path.write_text(text)
    return str(path)


def redis_config(url: str, prefix: str) -> str:
    return f"persisted_queries:\n  store: redis\n  redis_url: {url}\n  key_prefix: '{prefix}'\n  ttl: 1h\n"


@pytest.mark.redis
async def test_redis_store_is_shared_and_has_a_ttl() -> None:
    require_redis()
    prefix = f"test:apq:{uuid.uuid4().hex}:"
    one = RedisAPQStore(10, REDIS_URL, prefix, 60.0, 0.5)
    two = RedisAPQStore(10, REDIS_URL, prefix, 60.0, 0.5)
    try:
        assert await two.get(HASH) is None
        await one.put(HASH, QUERY)
        assert await two.get(HASH) == QUERY
        assert two.local.get(HASH) == QUERY  # now in the first level too
        ttl = redis.Redis.from_url(REDIS_URL).pttl(prefix + HASH)
        assert 0 < ttl <= 60_000
    finally:
        redis.Redis.from_url(REDIS_URL).delete(prefix + HASH)
        await one.close()
        await two.close()


async def test_redis_down_falls_back_to_the_local_cache() -> None:
    store = RedisAPQStore(10, f"redis://127.0.0.1:{free_port()}/0", "p:", 60.0, 0.05)
    try:
        assert await store.get(HASH) is None
        await store.put(HASH, QUERY)  # no exception
        assert await store.get(HASH) == QUERY
        assert store.redis_errors == 2
    finally:
        await store.close()


@pytest.mark.redis
def test_two_gateways_share_registered_hashes(tmp_path: Path) -> None:
    require_redis()
    prefix = f"test:apq:{uuid.uuid4().hex}:"
    config = config_file(tmp_path, "shared", redis_config(REDIS_URL, prefix))
    try:
        with (
            gateway_serve(SUPERGRAPH, "--config", config, pipeline_factory=None) as first,
            gateway_serve(SUPERGRAPH, "--config", config, pipeline_factory=None) as second,
        ):
            status, body = post(second.url, apq())
            assert (status, code(body)) == (200, "PERSISTED_QUERY_NOT_FOUND")
            assert post(first.url, apq(QUERY)) == (200, TYPENAME)
            assert post(second.url, apq()) == (200, TYPENAME)
            assert get(second.url, {"extensions": json.dumps(apq()["extensions"])}) == (200, TYPENAME)
    finally:
        redis.Redis.from_url(REDIS_URL).delete(prefix + HASH)


def test_redis_down_apq_still_works_per_process(tmp_path: Path) -> None:
    config = config_file(tmp_path, "down", redis_config(f"redis://127.0.0.1:{free_port()}/0", "p:"))
    with gateway_serve(SUPERGRAPH, "--config", config, pipeline_factory=None) as gateway:
        status, body = post(gateway.url, apq())
        assert (status, code(body)) == (200, "PERSISTED_QUERY_NOT_FOUND")
        assert post(gateway.url, apq(QUERY)) == (200, TYPENAME)
        assert post(gateway.url, apq()) == (200, TYPENAME)
        assert "APQ store unavailable" in gateway.stderr()


def test_document_id_over_get_and_post_and_enforced_safelist(tmp_path: Path) -> None:
    manifest = tmp_path / "relay.json"
    manifest.write_text(json.dumps({"doc1": QUERY}))
    text = f"persisted_queries:\n  manifest: {manifest}\n  safelist: enforce\n"
    config = config_file(tmp_path, "trusted", text)
    with gateway_serve(SUPERGRAPH, "--config", config, pipeline_factory=None) as gateway:
        assert post(gateway.url, {"documentId": "doc1"}) == (200, TYPENAME)
        assert get(gateway.url, {"documentId": "doc1"}) == (200, TYPENAME)
        status, body = get(gateway.url, {"documentId": "nope"})
        assert (status, code(body)) == (400, "PERSISTED_QUERY_NOT_FOUND")
        status, body = post(gateway.url, {"query": "{ __typename }"})
        assert (status, code(body)) == (400, "PERSISTED_QUERY_NOT_IN_LIST")
        assert post(gateway.url, {"query": QUERY}) == (200, TYPENAME)


def test_a_bad_manifest_fails_start_up_with_one_line(tmp_path: Path) -> None:
    manifest = tmp_path / "bad.json"
    manifest.write_text(
        json.dumps(
            {
                "format": "apollo-persisted-query-manifest",
                "version": 1,
                "operations": [{"id": "x", "body": QUERY}],
            }
        )
    )
    config = config_file(tmp_path, "bad", f"persisted_queries:\n  manifest: {manifest}\n")
    command = [sys.executable, "-m", "gateway", "serve", "--supergraph", str(SUPERGRAPH), "--config", config]
    command += ["--port", str(free_port())]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=30)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if "manifest" in line]
    assert lines, result.stderr
    assert "is not the sha256 of its body" in lines[0], result.stderr
    assert "Traceback" not in result.stderr
