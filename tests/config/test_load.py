"""Loading the YAML configuration: defaults, values, env expansion and error messages with lines."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from gateway.config import ConfigError, Insert, Propagate, Remove, load_config, load_config_text
from gateway.config.model import Config


def load(text: str, environ: dict[str, str] | None = None) -> Config:
    return load_config_text(textwrap.dedent(text), "config.yaml", environ or {})


def errors(text: str, environ: dict[str, str] | None = None) -> list[str]:
    with pytest.raises(ConfigError) as info:
        load(text, environ)
    return [str(issue) for issue in info.value.issues]


def test_no_file_and_empty_file_give_defaults() -> None:
    assert load_config(None) == Config()
    assert load("") == Config()
    assert load("# only a comment\n") == Config()
    config = Config()
    assert (config.server.host, config.server.port, config.server.workers) == ("127.0.0.1", 4000, 1)
    assert config.server.graphql_path == "/graphql"
    assert config.server.max_request_bytes == 2_000_000
    assert config.server.request_timeout == 60.0
    assert config.supergraph.introspection is True
    assert config.supergraph.watch is False
    assert config.subgraph_timeout("any") == 30.0
    assert config.subgraph_dedupe("any") is True
    assert config.include_errors("any") is True
    assert config.plan_cache.max_entries == 1000


def test_full_example_from_the_docs() -> None:
    config = load(
        """
        server:
          host: 0.0.0.0
          port: 4100
          workers: 2
          graphql_path: /api
          health_path: /healthz
          max_request_bytes: 1000
          request_timeout: 2m
        supergraph:
          path: supergraph.graphql
          introspection: false
          watch: true
          poll_interval: 500ms
        traffic_shaping:
          all: { timeout: 10s, deduplicate_query: true }
          subgraphs:
            accounts: { timeout: 5s }
            reviews: { deduplicate_query: false }
        override_subgraph_url: { accounts: "http://127.0.0.1:4001/graphql" }
        headers:
          all:
            request:
              - propagate: { named: Authorization }
              - propagate: { matching: "^x-custom-.*" }
              - insert: { name: x-gateway, value: pygraph }
              - remove: { named: cookie }
          subgraphs:
            accounts:
              request:
                - propagate: { named: x-user, rename: x-account-user, default: anonymous }
        include_subgraph_errors: { all: false, subgraphs: { accounts: true } }
        plan_cache: { max_entries: 10 }
        progressive_override: { enabled_labels: [beta, canary] }
        """
    )
    assert config.server.host == "0.0.0.0"
    assert config.server.port == 4100
    assert config.server.workers == 2
    assert config.server.request_timeout == 120.0
    assert config.supergraph.poll_interval == 0.5
    assert config.supergraph.path == "supergraph.graphql"
    assert config.subgraph_timeout("accounts") == 5.0
    assert config.subgraph_timeout("reviews") == 10.0
    assert config.subgraph_dedupe("reviews") is False
    assert config.subgraph_dedupe("accounts") is True
    assert config.subgraph_url("accounts", "http://x") == "http://127.0.0.1:4001/graphql"
    assert config.subgraph_url("reviews", "http://x") == "http://x"
    assert config.include_errors("accounts") is True
    assert config.include_errors("reviews") is False
    assert config.plan_cache.max_entries == 10
    assert config.progressive_override.enabled_labels == ("beta", "canary")
    rules = config.headers_for("accounts")
    assert rules[0] == Propagate(named="authorization")
    assert isinstance(rules[1], Propagate)
    assert rules[1].matching == "^x-custom-.*"
    assert rules[2] == Insert(name="x-gateway", value="pygraph")
    assert rules[3] == Remove(named="cookie")
    assert rules[4] == Propagate(named="x-user", rename="x-account-user", default="anonymous")
    assert len(config.headers_for("reviews")) == 4


def test_config_is_frozen() -> None:
    config = load("server: { port: 1 }")
    with pytest.raises(AttributeError):
        config.server.port = 2  # type: ignore[misc]
    with pytest.raises(TypeError):
        config.override_subgraph_url["x"] = "y"  # type: ignore[index]


def test_unknown_key_names_path_line_and_suggestion() -> None:
    text = """\
    server:
      port: 4000
    traffic_shaping:
      all:
        timeot: 5s
    """
    assert errors(text) == [
        "unknown key 'timeot' at traffic_shaping.all (config.yaml line 5); did you mean 'timeout'?"
    ]


def test_unknown_key_without_close_match_lists_valid_keys() -> None:
    [message] = errors("plan_cache:\n  zzz: 1\n")
    assert message.startswith("unknown key 'zzz' at plan_cache (config.yaml line 2); valid keys: max_entries")


def test_every_issue_is_reported_at_once() -> None:
    text = """\
    servr: {}
    server:
      port: many
      workers: 0
    supergraph:
      poll_interval: soon
    """
    messages = errors(text)
    # workers: 0 is a range check, made only once every value of the section parses (tested below)
    assert len(messages) == 3
    assert messages[0] == "unknown key 'servr' at <root> (config.yaml line 1); did you mean 'server'?"
    assert messages[1] == "expected an integer, got 'many' at server.port (config.yaml line 3)"
    assert messages[2] == (
        "invalid duration 'soon' at supergraph.poll_interval (config.yaml line 6); "
        "expected a duration such as 30s, 500ms, 2m, 1h or a number of seconds"
    )


def test_range_checks_point_at_the_key() -> None:
    assert errors("server:\n  host: x\n  workers: 0\n") == [
        "workers must be at least 1 at server.workers (config.yaml line 3)"
    ]
    assert errors("server:\n  port: 70000\n") == [
        "port 70000 is out of range 0-65535 at server.port (config.yaml line 2)"
    ]
    assert errors("server:\n  graphql_path: graphql\n") == [
        "graphql_path must start with '/' at server.graphql_path (config.yaml line 2)"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("server: 5\n", "expected a mapping, got '5' at server (config.yaml line 1)"),
        ("server:\n  port: [1]\n", "expected a integer, got a list at server.port (config.yaml line 2)"),
        (
            "supergraph:\n  watch: maybe\n",
            "expected true or false, got 'maybe' at supergraph.watch (config.yaml line 2)",
        ),
        ("server:\n  port: null\n", "a value is required (got null) at server.port (config.yaml line 2)"),
        (
            "progressive_override:\n  enabled_labels: beta\n",
            "expected a list, got 'beta' at progressive_override.enabled_labels (config.yaml line 2)",
        ),
        ("server:\n  port: 1\n  port: 2\n", "duplicate key 'port' at server (config.yaml line 3)"),
    ],
)
def test_type_errors(text: str, expected: str) -> None:
    assert errors(text) == [expected]


def test_yaml_syntax_error_has_line() -> None:
    [message] = errors("server:\n  port: [1\n")
    assert message.startswith("invalid YAML:")
    assert "(config.yaml line" in message


def test_header_rule_errors() -> None:
    text = """\
    headers:
      all:
        request:
          - propagate: { named: a, matching: b }
          - insret: { name: x, value: y }
          - insert: { name: content-length, value: "1" }
          - propagate: { matching: "([" }
          - {}
    """
    messages = errors(text)
    assert messages[0] == (
        "propagate needs exactly one of 'named' or 'matching' at headers.all.request[0].propagate.named "
        "(config.yaml line 4)"
    )
    assert messages[1] == (
        "unknown rule 'insret' at headers.all.request[1] (config.yaml line 5); did you mean 'insert'?"
    )
    assert messages[2].startswith("header 'content-length' is managed by the gateway")
    assert "headers.all.request[2].insert.name (config.yaml line 6)" in messages[2]
    assert messages[3].startswith("invalid regular expression '(['")
    assert messages[4].startswith(
        "expected exactly one of: propagate, insert, remove at headers.all.request[4]"
    )


# --- environment variables --------------------------------------------------------------------------------


def test_env_expansion_in_strings_and_typed_values() -> None:
    config = load(
        """
        server:
          port: ${env.PORT}
          host: ${env.HOST:-0.0.0.0}
          request_timeout: ${env.TIMEOUT:-5s}
        override_subgraph_url:
          accounts: "http://${env.ACCOUNTS_HOST}:4001/graphql"
        headers:
          all:
            request:
              - insert: { name: authorization, value: "Bearer ${env.TOKEN}" }
        """,
        {"PORT": "4321", "ACCOUNTS_HOST": "accounts.internal", "TOKEN": "s3cret"},
    )
    assert config.server.port == 4321
    assert config.server.host == "0.0.0.0"
    assert config.server.request_timeout == 5.0
    assert config.subgraph_url("accounts", "") == "http://accounts.internal:4001/graphql"
    assert config.headers_for("x") == (Insert(name="authorization", value="Bearer s3cret"),)


def test_env_default_may_be_empty_and_set_value_wins() -> None:
    config = load("supergraph:\n  path: ${env.SG:-}\n", {})
    assert config.supergraph.path == ""
    config = load("supergraph:\n  path: ${env.SG:-x.graphql}\n", {"SG": "y.graphql"})
    assert config.supergraph.path == "y.graphql"


def test_missing_env_variable_is_an_error_naming_it() -> None:
    [message] = errors("server:\n  host: ${env.GATEWAY_HOST}\n")
    assert "environment variable 'GATEWAY_HOST' is not set" in message
    assert "at server.host (config.yaml line 2)" in message


def test_env_value_is_type_checked() -> None:
    [message] = errors("server:\n  port: ${env.PORT}\n", {"PORT": "eighty"})
    assert message == "expected an integer, got 'eighty' at server.port (config.yaml line 2)"


def test_load_config_from_file_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "gateway.yaml"
    path.write_text("plan_cache:\n  max_entires: 5\n")
    with pytest.raises(ConfigError) as info:
        load_config(path, {})
    assert str(info.value) == (
        f"unknown key 'max_entires' at plan_cache ({path} line 2); did you mean 'max_entries'?"
    )


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read configuration file"):
        load_config(tmp_path / "missing.yaml", {})
