"""``gateway plan`` through the real CLI (skipped until the planner exists)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SUPERGRAPH = REPO / "bench" / "data" / "supergraph.graphql"

pytest.importorskip("gateway.planner.printer", reason="planner not available")


def plan(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", "plan", "--supergraph", str(SUPERGRAPH), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_plan_text_from_query() -> None:
    result = plan("--query", "{ users { id username } }")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("QueryPlan {")
    assert 'Fetch(service: "accounts")' in result.stdout


def test_plan_json_from_file_with_operation_name(tmp_path: Path) -> None:
    query = tmp_path / "q.graphql"
    query.write_text("query A { users { id } }\nquery B { users { name } }\n")
    result = plan("--file", str(query), "--operation-name", "B", "--json")
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["kind"] == "QueryPlan"
    assert "name" in json.dumps(document)


def test_plan_error_is_one_message_and_exit_1() -> None:
    result = plan("--query", "{ nope }")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: cannot plan the operation:")
    assert "nope" in result.stderr


def test_plan_needs_exactly_one_source() -> None:
    result = plan()
    assert result.returncode == 2
    assert "one of the arguments --query --file is required" in result.stderr
