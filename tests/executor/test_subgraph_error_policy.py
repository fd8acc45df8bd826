"""``include_subgraph_errors`` through the real gateway, against real subgraph servers on 127.0.0.1.

Two subgraphs, ``errs`` and ``other``, whose root field fails with the same GraphQL error carrying what
real servers put in extensions: a code, useful keys, and stack traces / exception objects (Apollo Server's
``exception.stacktrace``, .NET's ``stackTrace`` nested in a value, ``trace`` inside a list...). Every error
keeps ``extensions.code`` and names its subgraph in ``extensions.service`` (never ``serviceName``); stack
traces are dropped in every mode unless the gateway runs in development mode (``dev``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator
from typing import Any

import pytest
from graphql import GraphQLError

from gateway.app import create_app
from gateway.compose.compose import SubgraphSource, compose
from gateway.config.load import load_config_text
from gateway.config.model import Config
from gateway.pipeline.runner import GatewayPipeline
from tests.support.subgraph_kit import SubgraphKit, SubgraphSpec, running_subgraphs
from tests.support.subgraph_schema import Resolvers

ERRS_SDL = "type Query { boom: String }"
OTHER_SDL = "type Query { other: String }"
QUERY = "{ boom other }"

EXTENSIONS: dict[str, Any] = {
    "code": "OUT_OF_STOCK",
    "reason": "sold out",
    "retryable": False,
    "detail": {
        "sku": "x1",
        "stackTrace": ["at Inventory.check (Inventory.cs:42)"],
        "items": [{"trace": "at line 7", "ok": 1}],
    },
    "exception": {"stacktrace": ["Error: sold out", "    at resolve (/srv/app.js:10:5)"]},
    "stacktrace": ["Error: sold out"],
    "Stack_Trace": "Traceback (most recent call last): ...",
    "backtrace": ["app.rb:3"],
    "service": "spoofed-by-the-subgraph",
}
# What a client gets by default: every extension but the stack traces, and the subgraph's name.
FILTERED = {
    "reason": "sold out",
    "retryable": False,
    "detail": {"sku": "x1", "items": [{"ok": 1}]},
}


def _fail(message: str) -> Any:
    def resolve(_parent: Any, _info: Any) -> None:
        raise GraphQLError(message, extensions=EXTENSIONS)

    return resolve


@pytest.fixture
async def kit() -> AsyncIterator[SubgraphKit]:
    specs = [
        SubgraphSpec("errs", ERRS_SDL, Resolvers(fields={"Query.boom": _fail("boom is sold out")})),
        SubgraphSpec("other", OTHER_SDL, Resolvers(fields={"Query.other": _fail("other is sold out")})),
    ]
    async with running_subgraphs(specs) as running:
        yield running


async def _errors(aiohttp_client: Any, kit: SubgraphKit, config: Config) -> dict[str, dict[str, Any]]:
    """Run ``QUERY`` through a gateway with ``config``; the errors by subgraph."""
    result = compose(
        [
            SubgraphSource("errs", kit.url("errs"), ERRS_SDL),
            SubgraphSource("other", kit.url("other"), OTHER_SDL),
        ]
    )
    assert result.supergraph_sdl is not None, result.errors
    pipeline = GatewayPipeline(config)
    pipeline.load_supergraph(result.supergraph_sdl)
    client = await aiohttp_client(create_app(config, pipeline))
    response = await client.post("/graphql", json={"query": QUERY})
    assert response.status == 200
    body = await response.json()
    assert body["data"] == {"boom": None, "other": None}
    by_service = {error["extensions"]["service"]: error for error in body["errors"]}
    assert sorted(by_service) == ["errs", "other"], body
    for error in body["errors"]:
        assert "serviceName" not in error["extensions"]
        assert error["extensions"]["code"] == "OUT_OF_STOCK"
    return by_service


def _extensions(error: dict[str, Any]) -> dict[str, Any]:
    """The extensions without the two the gateway always sets (checked in ``_errors``)."""
    return {k: v for k, v in error["extensions"].items() if k not in ("code", "service")}


async def test_by_default_messages_and_extensions_pass_but_stack_traces_never(
    aiohttp_client: Any, kit: SubgraphKit
) -> None:
    errors = await _errors(aiohttp_client, kit, Config())
    assert errors["errs"]["message"] == "boom is sold out"
    assert errors["errs"]["path"] == ["boom"]
    assert _extensions(errors["errs"]) == FILTERED
    assert list(errors["errs"]["extensions"])[-2:] == ["service", "code"]
    assert errors["other"]["message"] == "other is sold out"
    assert _extensions(errors["other"]) == FILTERED


async def test_dev_mode_passes_stack_traces(aiohttp_client: Any, kit: SubgraphKit) -> None:
    errors = await _errors(aiohttp_client, kit, load_config_text("dev: true\n"))
    expected = {k: v for k, v in EXTENSIONS.items() if k not in ("code", "service")}
    assert _extensions(errors["errs"]) == expected
    assert errors["errs"]["extensions"]["service"] == "errs", "the subgraph cannot spoof its name"


async def test_the_boolean_form_still_loads_false_redacts_true_includes(
    aiohttp_client: Any, kit: SubgraphKit
) -> None:
    config = load_config_text("include_subgraph_errors:\n  all: false\n  subgraphs:\n    other: true\n")
    errors = await _errors(aiohttp_client, kit, config)
    assert errors["errs"]["message"] == "Subgraph errors redacted"
    assert errors["errs"]["extensions"] == {"service": "errs", "code": "OUT_OF_STOCK"}
    assert errors["other"]["message"] == "other is sold out"
    assert _extensions(errors["other"]) == FILTERED


async def test_an_allow_list_keeps_only_its_keys_and_never_a_stack_trace(
    aiohttp_client: Any, kit: SubgraphKit
) -> None:
    config = load_config_text(
        """
include_subgraph_errors:
  all:
    allow_extensions_keys: [reason, exception, stacktrace]
"""
    )
    errors = await _errors(aiohttp_client, kit, config)
    for name in ("errs", "other"):
        assert errors[name]["message"].endswith("is sold out")
        assert _extensions(errors[name]) == {"reason": "sold out"}  # an allowed stack trace is still one

    dev = dataclasses.replace(config, dev=True)
    errors = await _errors(aiohttp_client, kit, dev)
    assert _extensions(errors["errs"]) == {
        "reason": "sold out",
        "exception": EXTENSIONS["exception"],
        "stacktrace": EXTENSIONS["stacktrace"],
    }


async def test_deny_lists_and_per_subgraph_policies(aiohttp_client: Any, kit: SubgraphKit) -> None:
    config = load_config_text(
        """
include_subgraph_errors:
  all:
    deny_extensions_keys: [retryable]
  subgraphs:
    other:
      redact_message: true
      allow_extensions_keys: [detail]
"""
    )
    errors = await _errors(aiohttp_client, kit, config)
    assert errors["errs"]["message"] == "boom is sold out"
    assert _extensions(errors["errs"]) == {"reason": "sold out", "detail": FILTERED["detail"]}
    assert errors["other"]["message"] == "Subgraph errors redacted"
    assert _extensions(errors["other"]) == {"detail": FILTERED["detail"]}
