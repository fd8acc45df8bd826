"""GraphiQL renders and runs queries with the network cut off: headless Chromium against a `gateway dev`.

``graphiql.mjs`` (playwright-core, pinned in package-lock.json, driving Debian's /usr/bin/chromium; no browser
is downloaded) loads the page from a ``gateway dev`` started on free ports with the demo subgraphs, runs a
query across the three subgraphs and reports what the page rendered and every request it made. Chromium is
started with only loopback reachable, and every request to another origin than the gateway's is aborted and
recorded. A screenshot of the page (result and plan panel) is kept in ``test-artifacts/graphiql.png``.

Skipped (not failed) when node or chromium is missing; ``.ci/run`` installs both, so CI runs it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from gateway.dev.options import DEMO_KEYS
from gateway.http.graphiql import CONTENT_SECURITY_POLICY
from tests.dev.helpers import REPO, gateway_dev

pytestmark = pytest.mark.node

NODE_DIR = Path(__file__).resolve().parent
ARTIFACTS = REPO / "test-artifacts"
SCRIPT_TIMEOUT = 60.0


def chromium_executable() -> str | None:
    for candidate in (os.environ.get("CHROMIUM"), shutil.which("chromium"), "/usr/bin/chromium"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


@pytest.fixture(scope="module")
def browser_script() -> tuple[Path, str]:
    """``graphiql.mjs`` with playwright-core installed (``npm ci`` once) and the Chromium to drive."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are required for the browser test")
    chromium = chromium_executable()
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install chromium; .ci/run does it)")
    if not (NODE_DIR / "node_modules" / "playwright-core" / "package.json").exists():
        done = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund"],
            cwd=NODE_DIR,
            timeout=300,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            pytest.skip(f"npm ci failed in tests/browser (offline?): {done.stderr.strip()[-300:]}")
    return NODE_DIR / "graphiql.mjs", chromium


def run_browser(script: Path, chromium: str, url: str, screenshot: Path) -> dict[str, Any]:
    done = subprocess.run(
        ["node", str(script), url, str(screenshot), chromium],
        cwd=NODE_DIR,
        timeout=SCRIPT_TIMEOUT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, f"the browser script failed:\n{done.stderr[-3000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_graphiql_runs_a_cross_subgraph_query_offline(browser_script: tuple[Path, str]) -> None:
    script, chromium = browser_script
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "graphiql.png"
    screenshot.unlink(missing_ok=True)
    with gateway_dev(REPO) as dev:
        report = run_browser(script, chromium, dev.url, screenshot)
        origin = f"http://127.0.0.1:{dev.port}/"

    # Nothing but the gateway's origin was asked for, and nothing failed.
    assert report["foreign"] == [], report["foreign"]
    assert all(r.split(" ", 1)[1].startswith(origin) for r in report["requests"]), report["requests"]
    assert report["failedRequests"] == []
    assert report["cspViolations"] == []
    assert report["pageErrors"] == []
    assert report["consoleErrors"] == []
    assert report["pageStatus"] == 200
    assert report["csp"] == CONTENT_SECURITY_POLICY
    requested = " ".join(report["requests"])
    for asset in (
        "graphiql.min.js",
        "react-dom.production.min.js",
        "graphiql.min.css",
        "graphiql-gateway.js",
    ):
        assert asset in requested
    assert ".woff" in requested  # the fonts came from the gateway too

    # The headers editor started with the demo key; the cross-subgraph result was rendered.
    assert json.loads(report["headersEditor"]) == {"x-api-key": DEMO_KEYS[0].key}
    result = json.loads(report["resultValue"])
    user = result["data"]["user"]
    assert user["username"] == "blamarr"  # users subgraph
    assert user["orderCount"] == 20  # orders subgraph (@override)
    (edge,) = user["orders"]["edges"]
    assert edge["node"]["items"][0]["item"] == {
        "__typename": "Product",
        "upc": "751648539342",
        "title": "Pro Headlamp",  # products subgraph
    }
    assert "apolloQueryPlan" not in result.get("extensions", {})  # shown in the plugin, not the result
    assert "Pro Headlamp" in report["resultText"]

    # The plan panel shows the three fetches and the cost of the run.
    plan = report["planText"]
    for service in ("users", "orders", "products"):
        assert f'Fetch(service: "{service}")' in plan
    assert plan.startswith("QueryPlan {")
    assert "3 fetches: users, orders, products" in report["planPanel"]
    cost = dict(line.split("\t") for line in report["costText"].splitlines())
    assert set(cost) == {"Estimated", "Actual", "Maximum"}
    assert int(cost["Actual"]) > 0
    assert cost["Maximum"] == "1000"

    # Introspection worked (the docs explorer lists Query's fields) and the run is in the history.
    assert "topProducts" in report["docsText"]
    assert report["historyItems"] >= 1

    assert screenshot.stat().st_size > 10_000
    assert report["elapsedMs"] < 30_000
