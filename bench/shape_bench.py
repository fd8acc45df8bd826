"""Micro-benchmark of response shaping on the heavy benchmark response (not a test).

Why: shaping runs on every response; the heavy query's ~87 KB answer is the worst case we care about.
This builds the API schema from the benchmark supergraph (dropping the ``join__``/``link`` machinery),
compiles the heavy query once, adds the ``__typename`` keys (and an internal extra key) the planner would have
merged in, checks the result equals the expected response, then times ``shape_response``.

Run: ``.venv/bin/python bench/shape_bench.py [iterations]``
"""

from __future__ import annotations

import dataclasses
import json
import sys
import time
from pathlib import Path
from typing import Any

from graphql import (
    DirectiveDefinitionNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    ScalarTypeDefinitionNode,
    SchemaDefinitionNode,
    build_ast_schema,
    parse,
    validate,
)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from gateway.response import compile_projection, shape_response

_CANDIDATES = [Path("/work/shared/bench"), Path(__file__).resolve().parent / "data"]
BENCH_DIR = next((p for p in _CANDIDATES if (p / "supergraph.graphql").exists()), _CANDIDATES[-1])


def _is_machinery(name: str) -> bool:
    return name.startswith(("join__", "link__")) or name == "link"


def api_schema(supergraph_sdl: str) -> GraphQLSchema:
    """Strip the federation machinery from the supergraph: what remains is this benchmark's API schema."""
    document = parse(supergraph_sdl)
    definitions = []
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode):
            continue  # only @link usages and the default root names
        if isinstance(definition, DirectiveDefinitionNode) and _is_machinery(definition.name.value):
            continue
        if isinstance(definition, ScalarTypeDefinitionNode | EnumTypeDefinitionNode) and _is_machinery(
            definition.name.value
        ):
            continue
        definitions.append(_strip_directives(definition))
    return build_ast_schema(DocumentNode(definitions=tuple(definitions)))


def _strip_directives(node: Any) -> Any:
    """Copy of an AST node without join__/link directive usages (recursively on fields)."""
    changes: dict[str, Any] = {}
    if getattr(node, "directives", None):
        changes["directives"] = tuple(d for d in node.directives if not _is_machinery(d.name.value))
    if getattr(node, "fields", None):
        changes["fields"] = tuple(_strip_directives(f) for f in node.fields)
    return dataclasses.replace(node, **changes) if changes else node


def add_planner_extras(schema: GraphQLSchema, type_: Any, value: Any) -> Any:
    """Add ``__typename`` and an internal alias to every object, as the merged tree would have them."""
    if isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if value is None:
        return None
    if isinstance(type_, GraphQLList):
        return [add_planner_extras(schema, type_.of_type, item) for item in value]
    if isinstance(type_, GraphQLObjectType):
        out = {"__typename": type_.name, "__fed_key_0": "internal"}
        for key, item in value.items():
            out[key] = add_planner_extras(schema, type_.fields[key].type, item)
        return out
    return value


def main() -> None:
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    schema = api_schema((BENCH_DIR / "supergraph.graphql").read_text())
    document = parse((BENCH_DIR / "heavy.graphql").read_text())
    problems = validate(schema, document)
    if problems:
        raise SystemExit(f"heavy query does not validate: {problems}")
    expected = json.loads((BENCH_DIR / "expected" / "heavy.json").read_text())["data"]
    query_type = schema.query_type
    assert query_type is not None
    merged = add_planner_extras(schema, query_type, expected)

    started = time.perf_counter()
    projection = compile_projection(schema, document, None)
    compile_ms = (time.perf_counter() - started) * 1000

    errors: list[Any] = []
    result = shape_response(projection, merged, {}, errors)
    if result != expected or errors:
        raise SystemExit(f"shaped result differs from expected response (errors: {errors})")
    if json.dumps(result) != json.dumps(expected):
        raise SystemExit("shaped result has a different key order from the expected response")

    for _ in range(20):  # warm-up
        shape_response(projection, merged, {}, [])
    timings = []
    for _ in range(iterations):
        started = time.perf_counter()
        shape_response(projection, merged, {}, [])
        timings.append(time.perf_counter() - started)
    timings.sort()
    mean_ms = sum(timings) / len(timings) * 1000
    median_ms = timings[len(timings) // 2] * 1000
    print(
        f"heavy response ({len(json.dumps(expected))} bytes): compile {compile_ms:.2f} ms; "
        f"shape_response over {iterations} iterations: median {median_ms:.3f} ms/op, "
        f"mean {mean_ms:.3f} ms/op, min {timings[0] * 1000:.3f} ms/op"
    )


if __name__ == "__main__":
    main()
