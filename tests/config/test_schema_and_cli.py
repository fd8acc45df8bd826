"""``gateway config validate`` / ``gateway config schema`` through the real CLI, and the generated schema."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from gateway.config.introspect import fields_of
from gateway.config.model import Config
from gateway.config.schema import config_json_schema

REPO = Path(__file__).resolve().parents[2]


def gateway(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "gateway", *args], cwd=REPO, capture_output=True, text=True, timeout=60
    )


def test_validate_ok(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text("server:\n  port: 4100\ntraffic_shaping:\n  all:\n    timeout: 5s\n")
    result = gateway("config", "validate", str(path))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "ok\n"


def test_validate_reports_errors_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("server:\n  port: 4100\ntraffic_shaping:\n  all:\n    timeot: 5s\n")
    result = gateway("config", "validate", str(path))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.strip() == (
        f"unknown key 'timeot' at traffic_shaping.all ({path} line 5); did you mean 'timeout'?"
    )


def test_schema_command_prints_the_generated_schema() -> None:
    result = gateway("config", "schema")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == json.loads(json.dumps(config_json_schema()))


def test_schema_covers_every_dataclass_field() -> None:
    schema = config_json_schema()
    defs = schema["$defs"]

    def check(cls: type, node: dict) -> None:
        names = [spec.name for spec in fields_of(cls)]
        assert list(node["properties"]) == names
        assert node["additionalProperties"] is False
        for spec in fields_of(cls):
            assert node["properties"][spec.name].get("description"), f"{cls.__name__}.{spec.name} has no doc"

    check(Config, schema)
    for name, node in defs.items():
        check(next(c for c in _dataclasses(Config) if c.__name__ == name), node)
    server = defs["ServerConfig"]["properties"]
    assert server["port"]["default"] == 4000
    assert server["request_timeout"]["default"] == 60.0
    assert {"type": "integer"} in server["port"]["anyOf"]


def _dataclasses(root: type) -> set[type]:
    import typing

    seen: set[type] = set()
    pending = [root]
    while pending:
        cls = pending.pop()
        if cls in seen:
            continue
        seen.add(cls)
        for hint in typing.get_type_hints(cls).values():
            stack = [hint]
            while stack:
                tp = stack.pop()
                if dataclasses.is_dataclass(tp) and isinstance(tp, type):
                    pending.append(tp)
                stack.extend(typing.get_args(tp))
    return seen


def test_schema_accepts_valid_config_and_rejects_typos() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = config_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    example = yaml.safe_load(
        "server: {port: 4100, request_timeout: 30s, workers: '${env.WORKERS:-2}'}\n"
        "traffic_shaping: {all: {timeout: 5}, subgraphs: {a: {timeout: 500ms}}}\n"
        "headers: {all: {request: [{propagate: {named: authorization}}, {insert: {name: a, value: b}}]}}\n"
        "include_subgraph_errors: {all: false, subgraphs: {a: true}}\n"
    )
    jsonschema.validate(example, schema)
    for bad in (
        "server: {prot: 1}",
        "server: {request_timeout: soon}",
        "headers: {all: {request: [{insret: {name: a}}]}}",
        "plan_cache: {max_entries: many}",
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(yaml.safe_load(bad), schema)
