"""The real ``gateway serve`` process with authentication and authorization configured in its YAML file.

Why: proves the configuration sections, the plugin registration and the plugins' start-up work in the shipped
command, not only in the in-process app.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.authorization.harness import HERE, SECRET, subgraph_specs, token
from tests.http.processes import gateway_serve
from tests.support.kit_thread import SubgraphKitThread


def _post(url: str, query: str, headers: dict[str, str] | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        url,
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json", "Accept": "application/json", **(headers or {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_serve_process_enforces_authentication_and_authorization(tmp_path: Path) -> None:
    with SubgraphKitThread(subgraph_specs()) as kit:
        urls = kit.kit.urls
        config = tmp_path / "gateway.yaml"
        config.write_text(
            f"""
override_subgraph_url:
  accounts: {urls["accounts"]}
  billing: {urls["billing"]}
headers:
  all:
    request:
      - propagate:
          matching: "x-.*"
authentication:
  jwt:
    sources:
      - secret: {SECRET}
  identity_headers:
    x-user-id: subject
"""
        )
        with gateway_serve(HERE / "supergraph.graphql", "--config", str(config), pipeline_factory=None) as gw:
            status, body = _post(gw.url, "{ publicInfo me { name } }", {"x-user-id": "admin"})
            assert status == 200
            assert body["data"] == {"publicInfo": "hello", "me": None}
            assert body["errors"][0]["extensions"]["code"] == "UNAUTHORIZED_FIELD_OR_TYPE"
            (anonymous,) = kit.requests("accounts")
            assert "x-user-id" not in anonymous.headers
            kit.clear_log()

            status, body = _post(gw.url, "{ me { name } }", {"authorization": f"Bearer {token(sub='u-7')}"})
            assert (status, body) == (200, {"data": {"me": {"name": "Ada"}}})
            (signed,) = kit.requests("accounts")
            assert signed.headers["x-user-id"] == "u-7"
            kit.clear_log()

            status, body = _post(gw.url, "{ me { name } }", {"authorization": "Bearer not-a-token"})
            assert status == 401
            assert body["errors"][0]["extensions"]["code"] == "AUTH_ERROR"
            assert kit.requests() == []
            assert gw.stop() == 0
            assert "not-a-token" not in gw.stderr()
