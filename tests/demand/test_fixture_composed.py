"""The supergraph fixture is the pinned @apollo/composition output for the fixture subgraphs."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.demand.support import FIXTURES, SUPERGRAPH_SDL

pytestmark = pytest.mark.node

ORACLE = Path(__file__).resolve().parents[1] / "compose" / "oracle"


def test_fixture_is_composed() -> None:
    if shutil.which("node") is None or not (ORACLE / "node_modules" / "@apollo" / "composition").exists():
        pytest.skip("node and tests/compose/oracle/node_modules are required to re-compose the fixture")
    subgraphs = [
        {"name": name, "url": f"http://{name}/graphql", "sdl": (FIXTURES / f"{name}.graphql").read_text()}
        for name in ("products", "reviews")
    ]
    done = subprocess.run(
        ["node", str(ORACLE / "compose.mjs")],
        input=json.dumps(subgraphs),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    result = json.loads(done.stdout)
    assert result["errors"] == []
    assert result["supergraphSdl"] == SUPERGRAPH_SDL
    # The cost spec is linked and @cost/@listSize are applied directly (not through @join__directive).
    assert '@link(url: "https://specs.apollo.dev/cost/v0.1", import: ["@listSize"])' in SUPERGRAPH_SDL
