"""Configuration of the subgraph side of the edge: ``include_subgraph_errors`` policies (boolean or section),
``traffic_shaping`` ``max_response_bytes``, and the top-level ``dev`` flag; loader, JSON Schema and CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from gateway.config.errors import ConfigError
from gateway.config.load import load_config_text
from gateway.config.model import Config, SubgraphErrorRules
from gateway.config.schema import config_json_schema
from gateway.dev.options import embedded_config

REPO = Path(__file__).resolve().parents[2]


def rules(text: str, name: str = "products") -> SubgraphErrorRules:
    return load_config_text(text).subgraph_errors(name)


def test_defaults_include_messages_and_strip_stack_traces() -> None:
    assert Config().subgraph_errors("any") == SubgraphErrorRules(
        redact_message=False, allow=None, deny=frozenset(), keep_stack_traces=False
    )
    assert Config().dev is False
    assert load_config_text("dev: true\n").subgraph_errors("any").keep_stack_traces is True
    assert embedded_config("127.0.0.1", 4000).dev is True, "gateway dev runs in development mode"


def test_booleans_keep_their_meaning() -> None:
    redacted = SubgraphErrorRules(redact_message=True, allow=frozenset())
    assert rules("include_subgraph_errors: {all: false}") == redacted
    assert rules("include_subgraph_errors: {all: true, subgraphs: {products: false}}") == redacted
    assert rules("include_subgraph_errors: {all: false, subgraphs: {products: true}}") == SubgraphErrorRules()
    assert rules("include_subgraph_errors: {all: false, subgraphs: {products: true}}", "other") == redacted
    config = load_config_text("include_subgraph_errors: {all: false, subgraphs: {accounts: yes}}")
    assert config.include_errors("accounts") is True
    assert config.include_errors("reviews") is False


def test_a_subgraph_section_merges_with_all() -> None:
    base = """
include_subgraph_errors:
  all:
    redact_message: true
    allow_extensions_keys: [code, trace_id, reason]
  subgraphs:
"""
    # an allow-list extends the allow-list of `all`; exclude_global_keys removes inherited keys
    own = "{redact_message: false, allow_extensions_keys: [detail], exclude_global_keys: [trace_id]}"
    merged = rules(base + f"    products: {own}")
    assert merged == SubgraphErrorRules(redact_message=False, allow=frozenset({"code", "reason", "detail"}))
    # unset fields inherit
    assert rules(base + "    products: {}") == SubgraphErrorRules(
        redact_message=True, allow=frozenset({"code", "trace_id", "reason"})
    )
    # a deny-list where `all` has an allow-list replaces it
    assert rules(base + "    products: {deny_extensions_keys: [secret]}") == SubgraphErrorRules(
        redact_message=True, deny=frozenset({"secret"})
    )
    # deny-lists add up, minus the excluded keys
    denying = """
include_subgraph_errors:
  all: {deny_extensions_keys: [a, b]}
  subgraphs:
    products: {deny_extensions_keys: [c], exclude_global_keys: [a]}
"""
    assert rules(denying) == SubgraphErrorRules(deny=frozenset({"b", "c"}))
    assert rules(denying, "other") == SubgraphErrorRules(deny=frozenset({"a", "b"}))
    # a section under `all: false` starts from the redacted policy
    assert rules(
        "include_subgraph_errors: {all: false, subgraphs: {products: {redact_message: false}}}"
    ) == SubgraphErrorRules(allow=frozenset())


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "include_subgraph_errors:\n  all:\n    allow_extensions_keys: [a]\n"
            "    deny_extensions_keys: [b]\n",
            "set allow_extensions_keys or deny_extensions_keys, not both at "
            "include_subgraph_errors.all.deny_extensions_keys (<config> line 4)",
        ),
        (
            "include_subgraph_errors:\n  all: maybe\n",
            "expected true or false, got 'maybe' at include_subgraph_errors.all (<config> line 2)",
        ),
        (
            "include_subgraph_errors:\n  subgraphs:\n    a: [x]\n",
            "expected true, false or a mapping, got a list at include_subgraph_errors.subgraphs.a "
            "(<config> line 3)",
        ),
        (
            "include_subgraph_errors:\n  subgraphs:\n    a: {deny_extensions_keys: [service]}\n",
            "'service' is always kept and cannot be denied at "
            "include_subgraph_errors.subgraphs.a.deny_extensions_keys (<config> line 3)",
        ),
        (
            "include_subgraph_errors:\n  all: {redact: true}\n",
            "unknown key 'redact' at include_subgraph_errors.all (<config> line 2); "
            "did you mean 'redact_message'?",
        ),
        ("dev: sometimes\n", "expected true or false, got 'sometimes' at dev (<config> line 1)"),
        (
            "traffic_shaping:\n  all:\n    max_response_bytes: 0\n",
            "max_response_bytes must be at least 1 at traffic_shaping.all.max_response_bytes "
            "(<config> line 3)",
        ),
    ],
)
def test_mistakes_are_reported_with_their_line(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config_text(text)
    assert str(caught.value) == message


def test_max_response_bytes_all_and_per_subgraph() -> None:
    assert Config().subgraph_max_response_bytes("a") == 16 * 1024 * 1024
    config = load_config_text(
        """
traffic_shaping:
  all:
    max_response_bytes: 4_000_000
  subgraphs:
    big:
      max_response_bytes: ${env.BIG_LIMIT:-64000000}
"""
    )
    assert config.subgraph_max_response_bytes("a") == 4_000_000
    assert config.subgraph_max_response_bytes("big") == 64_000_000


def test_json_schema_accepts_both_forms() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = config_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["properties"]["dev"]["default"] is False
    assert {"type": "boolean"} in schema["properties"]["dev"]["anyOf"]
    good = """
dev: true
traffic_shaping: {all: {max_response_bytes: 1000}, subgraphs: {a: {max_response_bytes: 10}}}
include_subgraph_errors:
  all: {redact_message: true, allow_extensions_keys: [reason]}
  subgraphs:
    a: false
    b: {deny_extensions_keys: [x], exclude_global_keys: [reason]}
"""
    jsonschema.validate(yaml.safe_load(good), schema)
    jsonschema.validate(yaml.safe_load("include_subgraph_errors: {all: false, subgraphs: {a: true}}"), schema)
    for bad in (
        "include_subgraph_errors: {all: {redact: true}}",
        "include_subgraph_errors: {all: [x]}",
        "include_subgraph_errors: {all: {exclude_global_keys: [a]}}",  # only for a subgraph
        "dev: sometimes",
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(yaml.safe_load(bad), schema)


def test_config_validate_accepts_the_new_shapes(tmp_path: Path) -> None:
    path = tmp_path / "gateway.yaml"
    path.write_text(
        "dev: false\n"
        "traffic_shaping:\n  all:\n    max_response_bytes: 8388608\n"
        "include_subgraph_errors:\n  all:\n    redact_message: true\n  subgraphs:\n    products: true\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "gateway", "config", "validate", str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stdout) == (0, "ok\n"), result.stderr
