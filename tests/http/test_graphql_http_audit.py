"""GraphQL-over-HTTP conformance: the graphql-http server audits must all pass (MUST and SHOULD).

The audit (``tests/node/audit.mjs``) is run against three targets that differ by one line each:
the HTTP layer in-process with the fake pipeline, the real ``gateway serve`` process with the fake pipeline,
and the real ``gateway serve`` with the real engine (skipped until ``gateway.pipeline.runner`` exists).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gateway.app import create_app
from gateway.config.model import Config
from gateway.config.policies import CsrfConfig
from tests.http.fake_pipeline import FAKE_SDL, FakePipeline
from tests.http.processes import REPO, gateway_serve

pytestmark = pytest.mark.node

NODE_DIR = REPO / "tests" / "node"
SUPERGRAPH = REPO / "bench" / "data" / "supergraph.graphql"


@pytest.fixture(scope="module")
def audit_script() -> Path:
    """``tests/node`` with its packages installed (``npm ci`` once; node_modules is kept as a cache)."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are required for the graphql-http audit")
    if not (NODE_DIR / "node_modules" / "graphql-http" / "package.json").exists():
        command = ["npm", "ci", "--no-audit", "--no-fund"]
        if not (NODE_DIR / "package-lock.json").exists():
            command[1] = "install"
        subprocess.run(command, cwd=NODE_DIR, check=True, timeout=300, capture_output=True)
    return NODE_DIR / "audit.mjs"


async def run_audit(script: Path, url: str) -> list[dict[str, Any]]:
    process = await asyncio.create_subprocess_exec(
        "node", str(script), url, cwd=NODE_DIR, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=120)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise
    assert process.returncode == 0, stderr.decode()
    return json.loads(stdout)


def assert_must_and_should_pass(results: list[dict[str, Any]]) -> None:
    assert len(results) > 50, "the audit ran suspiciously few checks"
    failing = [
        f"{r['id']} {r['name']}: {r.get('reason')}"
        for r in results
        if r["status"] != "ok" and r["name"].startswith(("MUST", "SHOULD"))
    ]
    assert not failing, "failing graphql-http audits:\n" + "\n".join(failing)


async def test_audit_http_layer_with_fake_pipeline(audit_script: Path, aiohttp_server: Any) -> None:
    pipeline = FakePipeline()
    pipeline.load_supergraph(FAKE_SDL)
    server = await aiohttp_server(create_app(Config(), pipeline))
    results = await run_audit(audit_script, str(server.make_url("/graphql")))
    assert_must_and_should_pass(results)


async def test_audit_every_may_passes_without_csrf_prevention(
    audit_script: Path, aiohttp_server: Any
) -> None:
    """CSRF prevention (default on) refuses plain GETs, which only MAY audits use; without it all pass."""
    pipeline = FakePipeline()
    pipeline.load_supergraph(FAKE_SDL)
    server = await aiohttp_server(create_app(Config(csrf=CsrfConfig(enabled=False)), pipeline))
    results = await run_audit(audit_script, str(server.make_url("/graphql")))
    failing = [f"{r['id']} {r['name']}: {r.get('reason')}" for r in results if r["status"] != "ok"]
    assert not failing, "failing graphql-http audits:\n" + "\n".join(failing)


async def test_audit_gateway_serve_with_fake_pipeline(audit_script: Path, tmp_path: Path) -> None:
    supergraph = tmp_path / "fake.graphql"
    supergraph.write_text(FAKE_SDL)
    with gateway_serve(supergraph) as gateway:
        results = await run_audit(audit_script, gateway.url)
    assert_must_and_should_pass(results)


@pytest.mark.skipif(
    importlib.util.find_spec("gateway.pipeline.runner") is None, reason="engine not available"
)
async def test_audit_gateway_serve_with_engine(audit_script: Path) -> None:
    with gateway_serve(SUPERGRAPH, pipeline_factory=None) as gateway:
        results = await run_audit(audit_script, gateway.url)
    assert_must_and_should_pass(results)
