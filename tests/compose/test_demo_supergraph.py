"""schema/supergraph.graphql is what `gateway compose` makes of the demo subgraphs, and Apollo's too."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from gateway.supergraph.model import load_supergraph
from tests.compose.helpers import normalize_supergraph, oracle_available, run_oracle

ROOT = Path(__file__).resolve().parents[2]
CHECKED_IN = ROOT / "schema" / "supergraph.graphql"
CONFIG = ROOT / "deploy" / "supergraph-local.yaml"
DEMO = {"users": 4001, "orders": 4002, "products": 4003}


def test_checked_in_supergraph_is_current(tmp_path: Path) -> None:
    out = tmp_path / "supergraph.graphql"
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "compose", "--config", str(CONFIG), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_text() == CHECKED_IN.read_text(), (
        "schema/supergraph.graphql is stale: run `gateway compose --config deploy/supergraph-local.yaml`"
    )


def test_checked_in_supergraph_loads_in_the_gateway() -> None:
    supergraph = load_supergraph(CHECKED_IN.read_text())
    assert sorted(supergraph.graphs) == ["orders", "products", "users"]
    urls = {g.url for g in supergraph.graphs.values()}
    assert urls == {f"http://127.0.0.1:{port}/graphql" for port in DEMO.values()}


@pytest.mark.node
def test_apollo_composes_the_demo_subgraphs_the_same() -> None:
    if not oracle_available():
        pytest.skip("the @apollo/composition oracle is not installed (npm ci in tests/compose/oracle)")
    subgraphs = [
        {
            "name": name,
            "url": f"http://127.0.0.1:{port}/graphql",
            "sdl": (ROOT / "schema" / "subgraphs" / f"{name}.graphql").read_text(),
        }
        for name, port in DEMO.items()
    ]
    apollo = run_oracle(subgraphs)
    assert not apollo["errors"], apollo["errors"]
    assert normalize_supergraph(apollo["supergraphSdl"]) == normalize_supergraph(CHECKED_IN.read_text())
