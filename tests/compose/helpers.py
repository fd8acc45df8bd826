"""Shared helpers for the composition tests: loading case directories, running the npm oracle, and the
supergraph normalizer used to compare our output with @apollo/composition's.

Why a normalizer: Apollo and we may legitimately differ in definition order and in the order of directive
applications and arguments; semantic equality is what the gateway relies on, so we compare canonical forms.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    EnumValueDefinitionNode,
    FieldDefinitionNode,
    InputValueDefinitionNode,
    Node,
    parse,
    print_ast,
)

HERE = Path(__file__).parent
CASES_DIR = HERE / "cases"
EXPECTED_DIR = HERE / "expected"
ORACLE_DIR = HERE / "oracle"


def subgraph_url(name: str) -> str:
    """The routing url every case uses for a subgraph (deterministic, so expected files are stable)."""
    return f"http://{name}.example.com:4001/graphql"


def case_names() -> list[str]:
    """All case directories, sorted."""
    return sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())


def load_case(name: str) -> list[dict[str, str]]:
    """The subgraphs of one case as ``{name, url, sdl}`` dicts, in file-name order."""
    out: list[dict[str, str]] = []
    for path in sorted((CASES_DIR / name).glob("*.graphql")):
        out.append({"name": path.stem, "url": subgraph_url(path.stem), "sdl": path.read_text()})
    return out


def load_expected(name: str) -> dict[str, Any]:
    """Apollo's stored result for a case: ``{"errors": [...], "hints": [...], "supergraph": str | None}``."""
    data = json.loads((EXPECTED_DIR / f"{name}.json").read_text())
    sdl_path = EXPECTED_DIR / f"{name}.graphql"
    data["supergraph"] = sdl_path.read_text() if sdl_path.exists() else None
    return data


def oracle_available() -> bool:
    """True when node is installed and the oracle's node_modules are present."""
    return (
        shutil.which("node") is not None
        and (ORACLE_DIR / "node_modules" / "@apollo" / "composition").exists()
    )


def run_oracle(subgraphs: list[dict[str, str]], timeout: float = 60.0) -> dict[str, Any]:
    """Compose with the pinned @apollo/composition (a real node process)."""
    proc = subprocess.run(
        ["node", str(ORACLE_DIR / "compose.mjs")],
        input=json.dumps(subgraphs),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
        cwd=ORACLE_DIR,
    )
    return json.loads(proc.stdout)


# --- normalizer ---------------------------------------------------------------------------------------------


def _canon_value(node: Node) -> str:
    return print_ast(node)


def _canon_directive(d: DirectiveNode) -> str:
    args = sorted(f"{a.name.value}: {_canon_value(a.value)}" for a in (d.arguments or ()))
    return f"@{d.name.value}({', '.join(args)})" if args else f"@{d.name.value}"


def _directives(node: Any) -> list[str]:
    return sorted(_canon_directive(d) for d in (getattr(node, "directives", None) or ()))


def _input_value(node: InputValueDefinitionNode) -> dict[str, Any]:
    return {
        "name": node.name.value,
        "type": print_ast(node.type),
        "default": print_ast(node.default_value) if node.default_value is not None else None,
        "directives": _directives(node),
        "description": node.description.value if node.description else None,
    }


def _field(node: FieldDefinitionNode) -> dict[str, Any]:
    return {
        "name": node.name.value,
        "type": print_ast(node.type),
        "args": sorted((_input_value(a) for a in node.arguments or ()), key=lambda a: a["name"]),
        "directives": _directives(node),
        "description": node.description.value if node.description else None,
    }


def _enum_value(node: EnumValueDefinitionNode, parent: str) -> dict[str, Any]:
    desc = node.description.value if node.description else None
    if parent == "link__Purpose":
        desc = None
    return {"name": node.name.value, "directives": _directives(node), "description": desc}


def _definition(node: Any) -> tuple[str, str, dict[str, Any]]:
    kind = node.kind
    name = node.name.value if getattr(node, "name", None) else ""
    out: dict[str, Any] = {"kind": kind, "directives": _directives(node)}
    if getattr(node, "description", None) is not None:
        out["description"] = node.description.value
    if kind == "schema_definition":
        out["operations"] = sorted(f"{o.operation.value}: {o.type.name.value}" for o in node.operation_types)
    if kind == "directive_definition":
        out["args"] = sorted((_input_value(a) for a in node.arguments or ()), key=lambda a: a["name"])
        out["repeatable"] = node.repeatable
        out["locations"] = sorted(loc.value for loc in node.locations)
    if getattr(node, "fields", None) is not None:
        if kind == "input_object_type_definition":
            out["fields"] = sorted((_input_value(f) for f in node.fields), key=lambda f: f["name"])
        else:
            out["fields"] = sorted((_field(f) for f in node.fields), key=lambda f: f["name"])
    if getattr(node, "interfaces", None):
        out["interfaces"] = sorted(i.name.value for i in node.interfaces)
    if getattr(node, "types", None):
        out["types"] = sorted(t.name.value for t in node.types)
    if getattr(node, "values", None) is not None:
        out["values"] = sorted((_enum_value(v, name) for v in node.values), key=lambda v: v["name"])
    return kind, name, out


def normalize_supergraph(sdl: str) -> list[dict[str, Any]]:
    """Parse a supergraph and return a canonical, order-independent structure for equality checks."""
    doc: DocumentNode = parse(sdl)
    defs = [_definition(d) for d in doc.definitions]
    defs.sort(key=lambda t: (t[0], t[1]))
    return [{"name": name, **body} for _, name, body in defs]


_COORD = re.compile(r'"([A-Za-z_][A-Za-z0-9_]*)(?:\.([A-Za-z_][A-Za-z0-9_]*))?(?:\([^)]*\))?"')


_TYPE_WORD = re.compile(r"\b[Tt]ype \"?([A-Z_][A-Za-z0-9_]*)")
_BARE_COORD = re.compile(r"\b[A-Z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*\b")


def apollo_coordinates(message: str) -> set[str]:
    """Type names and ``Type.field`` coordinates quoted in an Apollo error message (what a team must fix)."""
    found = {m.group(0).strip('"').split("(")[0] for m in _COORD.finditer(message)}
    found |= {m.group(0) for m in _BARE_COORD.finditer(message)}
    found |= {m.group(1) for m in _TYPE_WORD.finditer(message)}
    return found


def run_oracle_batch(cases: dict[str, list[dict[str, str]]], timeout: float = 120.0) -> dict[str, Any]:
    """Compose many subgraph sets in one node process (the machine is small; one startup is enough)."""
    proc = subprocess.run(
        ["node", str(ORACLE_DIR / "compose.mjs")],
        input=json.dumps({"cases": cases}),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=True,
        cwd=ORACLE_DIR,
    )
    return json.loads(proc.stdout)
