"""``gateway compose``: compose subgraph SDL files (or live subgraphs) into ``schema/supergraph.graphql``.

Usage::

    gateway compose [--config compose.yaml] [SDL_FILES...] [--out schema/supergraph.graphql]
                    [--export-dir schema/subgraphs]

An SDL file's subgraph name is its file stem; give a routing url as ``name=url`` (or ``path=url``). The YAML
config lists ``subgraphs`` with ``name``, ``url`` and either ``schema: {file: path}`` or ``routing_url`` (the
SDL is then fetched live with ``{ _service { sdl } }``). Exit codes: 0 composed, 1 composition errors, 2 usage
or input errors. Why a function taking ``argv``: the main CLI dispatches to it, and tests call it directly.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from gateway.compose.compose import SubgraphSource, compose

INTROSPECTION_QUERY = "query SubgraphIntrospectQuery { _service { sdl } }"


@dataclass(frozen=True, slots=True)
class SubgraphSpec:
    """Where one subgraph's SDL comes from."""

    name: str
    url: str
    file: Path | None = None
    fetch_url: str | None = None


class InputError(Exception):
    """Bad arguments, unreadable files or unreachable subgraphs (exit code 2)."""


def _parse_positional(items: list[str]) -> list[SubgraphSpec]:
    urls: dict[str, str] = {}
    files: list[Path] = []
    for item in items:
        if "=" in item and not Path(item).exists():
            name, url = item.split("=", 1)
            urls[Path(name).stem if name.endswith(".graphql") else name] = url
        else:
            files.append(Path(item))
    specs = []
    for path in files:
        specs.append(SubgraphSpec(path.stem, urls.pop(path.stem, f"http://{path.stem}"), file=path))
    if urls:
        raise InputError(f"url given for unknown subgraph(s): {', '.join(sorted(urls))}")
    return specs


def _parse_config(path: Path) -> list[SubgraphSpec]:
    try:
        data: Any = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"cannot read config {path}: {exc}") from exc
    entries = data.get("subgraphs") if isinstance(data, dict) else None
    if isinstance(entries, dict):
        entries = [{"name": k, **(v or {})} for k, v in entries.items()]
    if not isinstance(entries, list):
        raise InputError(f"{path}: expected a 'subgraphs' list")
    specs: list[SubgraphSpec] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            raise InputError(f"{path}: subgraphs[{i}] needs a 'name'")
        name = entry["name"]
        routing = entry.get("routing_url")
        url = entry.get("url") or routing
        schema = entry.get("schema")
        if isinstance(schema, dict) and "file" in schema:
            file = (path.parent / str(schema["file"])).resolve()
            specs.append(SubgraphSpec(name, str(url or f"http://{name}"), file=file))
        elif isinstance(schema, dict) and "subgraph_url" in schema:
            specs.append(
                SubgraphSpec(name, str(url or schema["subgraph_url"]), fetch_url=str(schema["subgraph_url"]))
            )
        elif routing:
            specs.append(SubgraphSpec(name, str(url), fetch_url=str(routing)))
        else:
            raise InputError(f"{path}: subgraph {name!r} needs schema.file or routing_url")
    return specs


async def fetch_sdl(session: aiohttp.ClientSession, name: str, url: str) -> str:
    """Fetch a subgraph's SDL with ``_service { sdl }`` (the federation introspection query)."""
    try:
        async with session.post(url, json={"query": INTROSPECTION_QUERY}) as resp:
            if resp.status != 200:
                raise InputError(f"subgraph {name!r} at {url}: HTTP {resp.status}")
            body = await resp.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        raise InputError(f"subgraph {name!r} at {url}: {exc}") from exc
    sdl = (((body or {}).get("data") or {}).get("_service") or {}).get("sdl")
    if not isinstance(sdl, str):
        raise InputError(
            f"subgraph {name!r} at {url}: no data._service.sdl in response ({body.get('errors')})"
        )
    return sdl


async def load_sources(specs: list[SubgraphSpec], fetch_timeout: float = 30.0) -> list[SubgraphSource]:
    """Read files and fetch live SDLs (concurrently)."""
    out: dict[str, str] = {}
    live = [s for s in specs if s.fetch_url]
    if live:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=fetch_timeout)) as session:
            sdls = await asyncio.gather(*(fetch_sdl(session, s.name, s.fetch_url or "") for s in live))
        out.update({s.name: sdl for s, sdl in zip(live, sdls)})
    for s in specs:
        if s.file is not None:
            try:
                out[s.name] = s.file.read_text()
            except OSError as exc:
                raise InputError(f"cannot read {s.file}: {exc}") from exc
    return [SubgraphSource(s.name, s.url, out[s.name]) for s in specs]


def cli_main(argv: list[str]) -> int:
    """Run ``gateway compose`` with ``argv`` (arguments after the subcommand). Returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="gateway compose", description="Compose subgraphs into a supergraph."
    )
    parser.add_argument("--config", type=Path, help="YAML file listing subgraphs")
    parser.add_argument("--out", type=Path, default=Path("schema/supergraph.graphql"))
    parser.add_argument("--export-dir", type=Path, help="write each subgraph's SDL to <dir>/<name>.graphql")
    parser.add_argument("sdl", nargs="*", help="SDL files (name = file stem), optionally name=url")
    args = parser.parse_args(argv)
    try:
        specs = _parse_config(args.config) if args.config else []
        specs += _parse_positional(args.sdl)
        if not specs:
            raise InputError("no subgraphs given (pass SDL files or --config)")
        sources = asyncio.run(load_sources(specs))
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.export_dir:
        args.export_dir.mkdir(parents=True, exist_ok=True)
        for s in sources:
            (args.export_dir / f"{s.name}.graphql").write_text(
                s.sdl if s.sdl.endswith("\n") else s.sdl + "\n"
            )
    result = compose(sources)
    for hint in result.hints:
        print(f"hint: {hint}", file=sys.stderr)
    if result.supergraph_sdl is None:
        print(f"composition failed with {len(result.errors)} error(s):", file=sys.stderr)
        for err in result.errors:
            print(f"error[{err.code}]: {err.message}", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(result.supergraph_sdl)
    print(f"wrote {args.out} ({len(sources)} subgraphs)", file=sys.stderr)
    return 0
