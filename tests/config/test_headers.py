"""``apply_header_rules``: order of rules, rename/default, regexes and headers that are never forwarded."""

from __future__ import annotations

import pytest

from gateway.config import Insert, Propagate, Remove, apply_header_rules, load_config_text
from gateway.config.model import RESERVED_HEADERS, InvalidField

INCOMING = {
    "authorization": "Bearer t",
    "cookie": "session=1",
    "x-custom-a": "1",
    "x-custom-b": "2",
    "x-other": "3",
    "host": "gateway:4000",
    "content-length": "42",
    "content-type": "application/json",
    "accept-encoding": "gzip",
    "connection": "keep-alive",
    "transfer-encoding": "chunked",
}


def test_no_rules_forward_nothing() -> None:
    assert apply_header_rules((), INCOMING) == {}


def test_propagate_named_rename_and_default() -> None:
    rules = (
        Propagate(named="Authorization"),
        Propagate(named="x-other", rename="x-renamed"),
        Propagate(named="x-missing", default="fallback"),
        Propagate(named="x-missing-too"),
    )
    assert apply_header_rules(rules, INCOMING) == {
        "authorization": "Bearer t",
        "x-renamed": "3",
        "x-missing": "fallback",
    }


def test_propagate_matching_never_forwards_reserved_headers() -> None:
    result = apply_header_rules((Propagate(matching=".*"),), INCOMING)
    assert set(result) == {"authorization", "cookie", "x-custom-a", "x-custom-b", "x-other"}
    assert not set(result) & RESERVED_HEADERS


def test_matching_is_case_insensitive_search() -> None:
    assert apply_header_rules((Propagate(matching="^X-CUSTOM-"),), INCOMING) == {
        "x-custom-a": "1",
        "x-custom-b": "2",
    }


def test_rules_apply_in_order() -> None:
    rules = (
        Propagate(matching=".*"),
        Remove(named="Cookie"),
        Remove(matching="^x-custom-"),
        Insert(name="X-Gateway", value="pygraph"),
        Insert(name="authorization", value="overridden"),
    )
    assert apply_header_rules(rules, INCOMING) == {
        "authorization": "overridden",
        "x-other": "3",
        "x-gateway": "pygraph",
    }
    # a remove before the insert does not affect it
    assert apply_header_rules((Remove(named="x-gateway"), Insert(name="x-gateway", value="v")), {}) == {
        "x-gateway": "v"
    }


@pytest.mark.parametrize("name", ["host", "Content-Length", "content-type", "connection", "accept-encoding"])
def test_reserved_headers_cannot_be_configured(name: str) -> None:
    with pytest.raises(InvalidField, match="managed by the gateway"):
        Insert(name=name, value="x")
    with pytest.raises(InvalidField, match="managed by the gateway"):
        Propagate(named=name)


def test_rules_from_yaml_drive_apply() -> None:
    config = load_config_text(
        """
headers:
  all:
    request:
      - propagate: { named: authorization }
      - propagate: { matching: "^x-custom-.*" }
      - insert: { name: x-gateway, value: pygraph }
      - remove: { named: cookie }
  subgraphs:
    accounts:
      request:
        - remove: { named: x-custom-b }
""",
        "c.yaml",
        {},
    )
    assert apply_header_rules(config.headers_for("accounts"), INCOMING) == {
        "authorization": "Bearer t",
        "x-custom-a": "1",
        "x-gateway": "pygraph",
    }
    assert apply_header_rules(config.headers_for("products"), INCOMING) == {
        "authorization": "Bearer t",
        "x-custom-a": "1",
        "x-custom-b": "2",
        "x-gateway": "pygraph",
    }
