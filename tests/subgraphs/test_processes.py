"""The entry points as real processes: ``python -m subgraphs.<name>`` and ``python -m subgraphs.export``."""

from __future__ import annotations

import asyncio
import json
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import aiohttp
import pytest

from subgraphs import SUBGRAPH_NAMES
from subgraphs.export import main as export_main
from subgraphs.export import subgraph_sdl

REPO = Path(__file__).resolve().parents[2]
ORACLE = REPO / "tests" / "compose" / "oracle"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def _wait_healthy(
    session: aiohttp.ClientSession, url: str, process: asyncio.subprocess.Process
) -> None:
    for _ in range(100):
        if process.returncode is not None:
            pytest.fail(f"subgraph exited early with {process.returncode}")
        try:
            async with session.get(url) as response:
                if response.status == 200:
                    return
        except aiohttp.ClientConnectionError:
            pass
        await asyncio.sleep(0.1)
    pytest.fail(f"{url} never became healthy")


@pytest.mark.parametrize("name", SUBGRAPH_NAMES)
async def test_module_runs_as_a_service(name, tmp_path, session):
    port = _free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", f"subgraphs.{name}", "--port", str(port), "--host", "127.0.0.1",
        "--db", str(tmp_path / f"{name}.sqlite"),
        cwd=REPO, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        await _wait_healthy(session, f"{base}/health", process)
        async with session.post(f"{base}/graphql", json={"query": "{ _service { sdl } }"}) as response:
            assert response.status == 200
            body = await response.json()
        assert body["data"]["_service"]["sdl"] == subgraph_sdl(name).rstrip("\n")
        assert (tmp_path / f"{name}.sqlite").exists()
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), timeout=10)


def test_exported_sdl_is_fresh():
    result = subprocess.run(
        [sys.executable, "-m", "subgraphs.export", "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_export_check_detects_stale_files(tmp_path, capsys):
    out_dir = ["--out-dir", str(tmp_path)]
    assert export_main([*out_dir, "--check"]) == 1  # files missing
    assert export_main(out_dir) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.graphql" for n in SUBGRAPH_NAMES)
    assert export_main([*out_dir, "--check"]) == 0
    (tmp_path / "orders.graphql").write_text("type Query { stale: Int }\n")
    capsys.readouterr()
    assert export_main([*out_dir, "--check"]) == 1
    assert "orders.graphql" in capsys.readouterr().err
    assert (
        tmp_path / "orders.graphql"
    ).read_text() == "type Query { stale: Int }\n"  # --check writes nothing


@pytest.mark.node
def test_subgraphs_compose_with_apollo_composition():
    """The exported SDLs compose with the pinned ``@apollo/composition`` (the compose oracle's install)."""
    if shutil.which("node") is None or not (ORACLE / "node_modules" / "@apollo" / "composition").is_dir():
        pytest.skip("node or the compose oracle's node_modules is not installed")
    services = [
        {"name": name, "url": f"http://127.0.0.1:{port}/graphql", "sdl": subgraph_sdl(name)}
        for name, port in zip(SUBGRAPH_NAMES, (4001, 4002, 4003))
    ]
    result = subprocess.run(
        ["node", str(ORACLE / "compose.mjs")],
        input=json.dumps(services),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["errors"] == []
    # The only hint is the intentional one: users still defines the field orders now overrides.
    assert [h["code"] for h in out["hints"]] == ["OVERRIDDEN_FIELD_CAN_BE_REMOVED"]
    supergraph = out["supergraphSdl"]
    assert '@join__field(graph: ORDERS, requires: "weightGrams price { amount }")' in supergraph
    assert '@join__field(graph: ORDERS, override: "users")' in supergraph
