"""Two GraphQL-over-HTTP answers, against real listening gateways (the engine on the demo supergraph, and the
HTTP layer with the fake pipeline): a mutation over GET is 405 ``Allow: POST`` before CSRF prevention looks
at it, and a request with no Accept header at all is answered as application/graphql-response+json (unless
``server.default_response_media_type`` says application/json).

``http.client`` is used because it sends no Accept header unless told to (urllib, curl and Node's fetch send
``*/*``, which is an Accept header, answered as application/json).
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.http.fake_pipeline import FAKE_SDL
from tests.http.processes import REPO, RunningGateway, gateway_serve

DEMO_SUPERGRAPH = REPO / "schema" / "supergraph.graphql"
MUTATION = 'mutation { cancelOrder(id: "1") { id } }'


@pytest.fixture(scope="module")
def engine() -> Iterator[RunningGateway]:
    """The engine on the demo supergraph (subgraphs not running: nothing here reaches them)."""
    with gateway_serve(DEMO_SUPERGRAPH, pipeline_factory=None) as running:
        yield running


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningGateway]:
    supergraph = tmp_path_factory.mktemp("fake") / "fake.graphql"
    supergraph.write_text(FAKE_SDL)
    with gateway_serve(supergraph) as running:
        yield running


def send(
    gateway: RunningGateway, method: str, path: str, body: bytes | None = None, **headers: str
) -> tuple[int, dict[str, str], dict[str, object]]:
    connection = http.client.HTTPConnection("127.0.0.1", gateway.port, timeout=10)
    try:
        connection.request(
            method, path, body=body, headers={k.replace("_", "-"): v for k, v in headers.items()}
        )
        response = connection.getresponse()
        raw = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, json.loads(raw)
    finally:
        connection.close()


def get_path(query: str, **params: str) -> str:
    return "/graphql?" + urllib.parse.urlencode({"query": query, **params})


def first_code(body: dict[str, object]) -> object:
    errors = body["errors"]
    assert isinstance(errors, list)
    return errors[0]["extensions"]["code"]


@pytest.mark.parametrize("target", ["engine", "fake"])
def test_a_mutation_over_get_without_preflight_header_is_405_not_csrf(
    target: str, request: pytest.FixtureRequest
) -> None:
    gateway: RunningGateway = request.getfixturevalue(target)
    mutation = "mutation { bump }" if target == "fake" else MUTATION
    status, headers, body = send(gateway, "GET", get_path(mutation), accept="application/json")
    assert status == 405
    assert headers["allow"] == "POST"
    assert first_code(body) == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize("target", ["engine", "fake"])
def test_a_query_over_get_without_preflight_header_is_still_refused_by_csrf(
    target: str, request: pytest.FixtureRequest
) -> None:
    gateway: RunningGateway = request.getfixturevalue(target)
    status, _, body = send(gateway, "GET", get_path("{ __typename }"), accept="application/json")
    assert status == 400
    assert first_code(body) == "CSRF_ERROR"


def test_a_mutation_over_get_named_among_several_operations(engine: RunningGateway) -> None:
    document = "query Q { __typename } " + MUTATION.replace("mutation", "mutation M", 1)
    status, headers, _ = send(engine, "GET", get_path(document, operationName="M"), accept="application/json")
    assert status == 405
    assert headers["allow"] == "POST"
    status, _, body = send(engine, "GET", get_path(document, operationName="Q"), accept="application/json")
    assert status == 400
    assert first_code(body) == "CSRF_ERROR"


def test_an_invalid_get_document_keeps_the_csrf_answer(engine: RunningGateway) -> None:
    status, _, body = send(engine, "GET", get_path("mutation { nope"), accept="application/json")
    assert status == 400
    assert first_code(body) == "CSRF_ERROR"


@pytest.mark.parametrize("target", ["engine", "fake"])
def test_no_accept_header_is_answered_as_graphql_response_json(
    target: str, request: pytest.FixtureRequest
) -> None:
    gateway: RunningGateway = request.getfixturevalue(target)
    body = json.dumps({"query": "{ __typename }"}).encode()
    status, headers, answer = send(gateway, "POST", "/graphql", body, content_type="application/json")
    assert status == 200
    assert headers["content-type"].startswith("application/graphql-response+json")
    assert answer == {"data": {"__typename": "Query"}}
    # and a request error under that media type is a 4xx, as the spec says for it
    bad = json.dumps({"query": "{ nope }"}).encode()
    status, headers, _ = send(gateway, "POST", "/graphql", bad, content_type="application/json")
    assert status == 400
    assert headers["content-type"].startswith("application/graphql-response+json")


def test_the_default_media_type_can_be_application_json(tmp_path: Path) -> None:
    config = tmp_path / "gateway.yaml"
    config.write_text("server:\n  default_response_media_type: application/json\n")
    with gateway_serve(DEMO_SUPERGRAPH, "--config", str(config), pipeline_factory=None) as gateway:
        body = json.dumps({"query": "{ nope }"}).encode()
        status, headers, _ = send(gateway, "POST", "/graphql", body, content_type="application/json")
    assert status == 200  # legacy application/json: a request error still answers 200
    assert headers["content-type"].startswith("application/json")
