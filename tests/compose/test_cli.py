"""``gateway compose`` end to end: files, ``name=url``, YAML config, live ``_service { sdl }`` over HTTP."""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path

from aiohttp import web
from graphql import parse

from gateway.compose import cli_main
from tests.compose.helpers import CASES_DIR, load_expected, normalize_supergraph

BENCH = CASES_DIR / "bench"


def test_compose_files_writes_supergraph(tmp_path: Path) -> None:
    out = tmp_path / "schema" / "supergraph.graphql"
    files = [str(p) for p in sorted(BENCH.glob("*.graphql"))]
    urls = [f"{p.stem}=http://{p.stem}.example.com:4001/graphql" for p in sorted(BENCH.glob("*.graphql"))]
    assert cli_main([*files, *urls, "--out", str(out)]) == 0
    assert normalize_supergraph(out.read_text()) == normalize_supergraph(load_expected("bench")["supergraph"])


def test_compose_invalid_set_exits_nonzero_with_actionable_errors(tmp_path: Path, capsys) -> None:
    out = tmp_path / "supergraph.graphql"
    files = [str(p) for p in sorted((CASES_DIR / "invalid_field_sharing").glob("*.graphql"))]
    assert cli_main([*files, "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "INVALID_FIELD_SHARING" in err
    assert '"User.name"' in err
    assert '"a" and "b"' in err
    assert "@shareable" in err
    assert not out.exists()


def test_unknown_url_target_is_usage_error(tmp_path: Path) -> None:
    assert cli_main([str(BENCH / "accounts.graphql"), "nosuch=http://x", "--out", str(tmp_path / "o")]) == 2


async def test_config_with_live_introspection_and_export(tmp_path: Path) -> None:
    sdls = {p.stem: p.read_text() for p in BENCH.glob("*.graphql")}
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        name = request.match_info["name"]
        body = await request.json()
        parse(body["query"])  # the CLI must send a valid GraphQL document
        seen.append(name)
        return web.json_response({"data": {"_service": {"sdl": sdls[name]}}})

    app = web.Application()
    app.router.add_post("/{name}/graphql", handler)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        shutil.copy(BENCH / "accounts.graphql", tmp_path / "accounts.graphql")
        lines = ["subgraphs:"]
        lines += [
            "  - name: accounts",
            "    url: http://accounts.example.com:4001/graphql",
            "    schema: {file: accounts.graphql}",
        ]
        for name in ("inventory", "products", "reviews"):
            lines += [
                f"  - name: {name}",
                f"    url: http://{name}.example.com:4001/graphql",
                f"    routing_url: http://127.0.0.1:{port}/{name}/graphql",
            ]
        config = tmp_path / "compose.yaml"
        config.write_text("\n".join(lines) + "\n")
        out = tmp_path / "supergraph.graphql"
        export = tmp_path / "subgraphs"
        code = await asyncio.to_thread(
            cli_main, ["--config", str(config), "--out", str(out), "--export-dir", str(export)]
        )
    finally:
        await runner.cleanup()
    assert code == 0
    assert sorted(seen) == ["inventory", "products", "reviews"]
    assert normalize_supergraph(out.read_text()) == normalize_supergraph(load_expected("bench")["supergraph"])
    assert (export / "reviews.graphql").read_text().strip() == sdls["reviews"].strip()
    assert sorted(p.name for p in export.iterdir()) == [f"{n}.graphql" for n in sorted(sdls)]


async def test_unreachable_subgraph_is_input_error(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("subgraphs:\n  - name: a\n    routing_url: http://127.0.0.1:9/graphql\n")
    code = await asyncio.to_thread(cli_main, ["--config", str(config), "--out", str(tmp_path / "o")])
    assert code == 2
