"""Read a case folder (``cases/<case>/``) into typed data, and build its subgraphs.

Why: three consumers walk the same folders (our gateway's tests, the live oracle comparison and the script
that regenerates expected responses), so the folder format is defined once, here. See ``README.md``.
"""

from __future__ import annotations

import importlib.util
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.subgraph_kit import Fault, SubgraphSpec
from tests.support.subgraph_schema import Resolvers

CASES_DIR = Path(__file__).parent / "cases"

_JOIN_GRAPH_URL = re.compile(r'(@join__graph\(\s*name:\s*"([^"]+)"\s*,?\s*url:\s*")([^"]*)(")')


@dataclass(frozen=True, slots=True)
class CaseQuery:
    """One query of a case, with its variables, expected response and per-query test instructions."""

    case: str
    name: str
    query: str
    variables: dict[str, Any] | None
    expected_path: Path
    # Faults to inject while this query runs: subgraph name -> fault.
    faults: dict[str, Fault] = field(default_factory=dict)
    # Assertions on the subgraph request log for this query (see README): subgraph name -> checks.
    requests: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Why Apollo's gateway answers this query differently from the spec (the expected file is hand-corrected
    # and regen keeps it), or None when Apollo's answer is the expected one.
    oracle_deviation: str | None = None
    # With a deviation, what the live oracle comparison still checks: "data" (data and error count, not
    # error codes) or "none".
    oracle_check: str = "all"

    @property
    def id(self) -> str:
        return f"{self.case}/{self.name}"

    def expected(self) -> dict[str, Any] | None:
        """The recorded expected response, or None when it has not been recorded yet."""
        if not self.expected_path.exists():
            return None
        return json.loads(self.expected_path.read_text())  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Case:
    """A case folder: subgraph SDLs, their resolvers, the composed supergraph and the queries."""

    name: str
    path: Path
    federation: int
    # False when the supergraph is checked in as given (for example copied from the benchmark), not composed.
    compose: bool
    subgraph_sdls: dict[str, str]
    queries: tuple[CaseQuery, ...]

    @property
    def supergraph_path(self) -> Path:
        return self.path / "supergraph.graphql"

    def subgraph_specs(self) -> list[SubgraphSpec]:
        """Fresh subgraph specs: ``resolvers.py`` is re-imported so stateful resolvers start clean."""
        module_path = self.path / "resolvers.py"
        spec = importlib.util.spec_from_file_location(f"federation_case_{self.name}_resolvers", module_path)
        if spec is None or spec.loader is None:
            raise RuntimeError(f"cannot import {module_path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        resolvers: dict[str, Resolvers] = module.build()
        unknown = set(resolvers) - set(self.subgraph_sdls)
        if unknown:
            raise RuntimeError(f"{module_path}: resolvers for unknown subgraphs {sorted(unknown)}")
        return [
            SubgraphSpec(name, sdl, resolvers.get(name, Resolvers()))
            for name, sdl in self.subgraph_sdls.items()
        ]

    def supergraph_with_urls(self, urls: dict[str, str]) -> str:
        """The checked-in supergraph with every subgraph URL replaced by the live one."""
        return rewrite_urls(self.supergraph_path.read_text(), urls)


def rewrite_urls(supergraph: str, urls: dict[str, str]) -> str:
    """Replace each ``@join__graph(name: N, url: ...)`` URL with ``urls[N]``; every graph must be listed."""
    seen: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        name = match.group(2)
        if name not in urls:
            raise KeyError(f"no URL for subgraph {name}")
        seen.add(name)
        return f"{match.group(1)}{urls[name]}{match.group(4)}"

    result = _JOIN_GRAPH_URL.sub(replace, supergraph)
    if not seen:
        raise ValueError("supergraph has no @join__graph URLs")
    return result


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text()) if path.exists() else None


def load_case(path: Path) -> Case:
    """Read one case folder."""
    settings = _read_json(path / "case.json") or {}
    sdls = {p.stem: p.read_text() for p in sorted((path / "subgraphs").glob("*.graphql"))}
    queries = []
    for query_path in sorted((path / "queries").glob("*.graphql")):
        stem = query_path.with_suffix("")
        faults_spec = _read_json(Path(f"{stem}.faults.json")) or {}
        faults = {name: Fault(**spec) for name, spec in faults_spec.items()}
        deviation = _read_json(Path(f"{stem}.oracle-deviation.json")) or {}
        queries.append(
            CaseQuery(
                case=path.name,
                name=query_path.stem,
                query=query_path.read_text(),
                variables=_read_json(Path(f"{stem}.variables.json")),
                expected_path=Path(f"{stem}.json"),
                faults=faults,
                requests=_read_json(Path(f"{stem}.requests.json")) or {},
                oracle_deviation=deviation.get("reason"),
                oracle_check=deviation.get("oracle_check", "none") if deviation else "all",
            )
        )
    return Case(
        name=path.name,
        path=path,
        federation=int(settings.get("federation", 2)),
        compose=bool(settings.get("compose", True)),
        subgraph_sdls=sdls,
        queries=tuple(queries),
    )


def load_cases(names: list[str] | None = None) -> list[Case]:
    """Every case under ``cases/`` (or only the named ones), sorted by name."""
    dirs = sorted(p for p in CASES_DIR.iterdir() if p.is_dir() and (p / "subgraphs").is_dir())
    if names:
        dirs = [p for p in dirs if p.name in names]
    return [load_case(p) for p in dirs]
