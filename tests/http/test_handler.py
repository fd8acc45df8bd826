"""The GraphQL-over-HTTP rules of ``gateway.http.handler`` against a real aiohttp server."""

from __future__ import annotations

import logging
from typing import Any

import orjson
import pytest

from gateway.config.model import ServerConfig
from tests.http.conftest import GRJ, JSON
from tests.http.fake_pipeline import FAKE_SDL, FakePipeline


async def post(client: Any, body: Any, accept: str | None = None, **kwargs: Any) -> Any:
    headers = {"Content-Type": "application/json"}
    if accept is not None:
        headers["Accept"] = accept
    data = body if isinstance(body, bytes | str) else orjson.dumps(body)
    return await client.post("/graphql", data=data, headers=headers, **kwargs)


def error_code(payload: dict[str, Any]) -> str:
    return payload["errors"][0]["extensions"]["code"]


# --- media types ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, JSON),
        (JSON, JSON),
        (GRJ, GRJ),
        ("*/*", JSON),
        ("application/*", JSON),
        (f"{GRJ}, {JSON}", GRJ),
        (f"{JSON}, {GRJ}", GRJ),
        (f"{GRJ};q=0.5, {JSON}", JSON),
        (f"{JSON};charset=utf-8", JSON),
    ],
)
async def test_accept_negotiation_picks_media_type(client: Any, accept: str | None, expected: str) -> None:
    response = await post(client, {"query": "{ hello }"}, accept)
    assert response.status == 200
    assert response.headers["Content-Type"] == f"{expected}; charset=utf-8"
    assert await response.json(content_type=None) == {"data": {"hello": "hello world"}}


@pytest.mark.parametrize("accept", ["text/plain", "application/xml", f"{JSON};q=0, {GRJ};q=0"])
async def test_unacceptable_accept_gets_406(client: Any, accept: str) -> None:
    response = await post(client, {"query": "{ hello }"}, accept)
    assert response.status == 406
    assert response.headers["Content-Type"].startswith(JSON)
    assert error_code(await response.json()) == "NOT_ACCEPTABLE"


async def test_utf8_request_and_response(client: Any) -> None:
    response = await post(client, {"query": '{ hello(name: "Run🏃Swim🏊") }'}, GRJ)
    assert response.status == 200
    assert (await response.read()).decode("utf-8") == '{"data":{"hello":"hello Run🏃Swim🏊"}}'


# --- request errors and status codes ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"query": "{"}, "GRAPHQL_PARSE_FAILED"),
        ({"query": "{ nope }"}, "GRAPHQL_VALIDATION_FAILED"),
        ({"query": "query Q($n: Int!) { slow(ms: $n) }", "variables": {"n": "x"}}, "BAD_USER_INPUT"),
        ({"query": "query Q($n: Int!) { slow(ms: $n) }", "variables": {"n": None}}, "BAD_USER_INPUT"),
    ],
)
async def test_request_errors_by_media_type(client: Any, body: dict[str, Any], code: str) -> None:
    modern = await post(client, body, GRJ)
    assert modern.status == 400
    payload = await modern.json(content_type=None)
    assert "data" not in payload
    assert error_code(payload) == code

    legacy = await post(client, body, JSON)
    assert legacy.status == 200
    payload = await legacy.json()
    assert "data" not in payload
    assert error_code(payload) == code


async def test_field_error_after_execution_is_200_with_data(client: Any) -> None:
    response = await post(client, {"query": "{ hello crash }"}, GRJ)
    assert response.status == 200
    payload = await response.json(content_type=None)
    assert payload["data"] == {"hello": "hello world", "crash": None}
    assert payload["errors"][0]["path"] == ["crash"]


async def test_malformed_json_body_is_400_bad_request(client: Any) -> None:
    for accept in (JSON, GRJ):
        response = await post(client, b'{ "not a JSON', accept)
        assert response.status == 400
        payload = await response.json(content_type=None)
        assert error_code(payload) == "BAD_REQUEST"
        assert "JSON" in payload["errors"][0]["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"query": 1},
        {"query": ["{ hello }"]},
        {"query": "{ hello }", "operationName": 5},
        {"query": "{ hello }", "variables": "{}"},
        {"query": "{ hello }", "variables": [1]},
        {"query": "{ hello }", "extensions": "x"},
        {"qeury": "{ hello }"},
        "just a string",
    ],
)
async def test_invalid_parameters_are_400(client: Any, body: Any) -> None:
    response = await post(client, orjson.dumps(body), JSON)
    assert response.status == 400
    assert error_code(await response.json()) == "BAD_REQUEST"


async def test_empty_body_is_400(client: Any) -> None:
    response = await post(client, b"", JSON)
    assert response.status == 400
    assert error_code(await response.json()) == "BAD_REQUEST"


async def test_null_optional_parameters_are_allowed(client: Any) -> None:
    body = {"query": "{ hello }", "operationName": None, "variables": None, "extensions": None}
    response = await post(client, body, GRJ)
    assert response.status == 200


async def test_persisted_query_without_query_reaches_the_pipeline(client: Any) -> None:
    body = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}}
    response = await post(client, body, GRJ)
    assert response.status == 400
    assert error_code(await response.json(content_type=None)) == "PERSISTED_QUERY_NOT_SUPPORTED"


# --- content type, size, methods --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin-1"]
)
async def test_unsupported_content_type_is_415(client: Any, content_type: str) -> None:
    response = await client.post(
        "/graphql", data=b'{"query":"{ hello }"}', headers={"Content-Type": content_type}
    )
    assert response.status == 415
    assert error_code(await response.json()) == "UNSUPPORTED_MEDIA_TYPE"


async def test_missing_content_type_is_415(client: Any) -> None:
    response = await client.post(
        "/graphql", data=b'{"query":"{ hello }"}', skip_auto_headers=["Content-Type"]
    )
    assert response.status == 415


async def test_body_over_limit_is_413(make_client: Any) -> None:
    client = await make_client(ServerConfig(max_request_bytes=64))
    small = await post(client, {"query": "{ hello }"})
    assert small.status == 200
    big = await post(client, {"query": "{ hello }", "extensions": {"pad": "x" * 100}})
    assert big.status == 413
    payload = await big.json()
    assert error_code(payload) == "PAYLOAD_TOO_LARGE"


async def test_chunked_body_over_limit_is_413(make_client: Any) -> None:
    client = await make_client(ServerConfig(max_request_bytes=64))

    async def chunks() -> Any:
        for _ in range(10):
            yield b" " * 50
        yield b'{"query":"{ hello }"}'

    response = await client.post("/graphql", data=chunks(), headers={"Content-Type": "application/json"})
    assert response.status == 413
    assert error_code(await response.json()) == "PAYLOAD_TOO_LARGE"


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
async def test_unknown_method_is_405(client: Any, method: str) -> None:
    response = await client.request(method, "/graphql")
    assert response.status == 405
    assert response.headers["Allow"] == "GET, POST"
    assert error_code(await response.json()) == "METHOD_NOT_ALLOWED"


async def test_unknown_path_is_graphql_shaped_404(client: Any) -> None:
    response = await client.get("/nope")
    assert response.status == 404
    assert response.headers["Content-Type"].startswith(JSON)
    assert error_code(await response.json()) == "NOT_FOUND"


# --- GET --------------------------------------------------------------------------------------------------


async def test_get_with_variables_and_operation_name(client: Any) -> None:
    params = {
        "query": "query A { hello } query B($name: String) { hello(name: $name) }",
        "operationName": "B",
        "variables": '{"name": "get"}',
        "extensions": "{}",
    }
    response = await client.get("/graphql", params=params, headers={"Accept": GRJ})
    assert response.status == 200
    assert await response.json(content_type=None) == {"data": {"hello": "hello get"}}


async def test_get_with_invalid_variables_json_is_400(client: Any) -> None:
    response = await client.get("/graphql", params={"query": "{ hello }", "variables": "{nope"})
    assert response.status == 400
    assert error_code(await response.json()) == "BAD_REQUEST"


async def test_get_with_non_object_variables_is_400(client: Any) -> None:
    response = await client.get("/graphql", params={"query": "{ hello }", "variables": "[1]"})
    assert response.status == 400


async def test_get_without_query_is_400(client: Any) -> None:
    response = await client.get("/graphql", headers={"Accept": JSON})
    assert response.status == 400


@pytest.mark.parametrize("accept", [GRJ, JSON])
async def test_mutation_over_get_is_405_with_allow_post(
    client: Any, pipeline: FakePipeline, accept: str
) -> None:
    response = await client.get("/graphql", params={"query": "mutation { bump }"}, headers={"Accept": accept})
    assert response.status == 405
    assert response.headers["Allow"] == "POST"
    assert error_code(await response.json(content_type=None)) == "METHOD_NOT_ALLOWED"
    assert pipeline.bumps == 0


async def test_mutation_over_post_runs(client: Any) -> None:
    response = await post(client, {"query": "mutation { bump }"}, GRJ)
    assert response.status == 200
    assert await response.json(content_type=None) == {"data": {"bump": 1}}


async def test_graphiql_page_for_browsers(client: Any) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = await client.get("/graphql", headers={"Accept": browser})
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "graphiql" in (await response.text()).lower()


async def test_graphiql_disabled_refuses_html_only_accept(make_client: Any) -> None:
    client = await make_client(ServerConfig(graphiql=False))
    response = await client.get("/graphql", params={"query": "{ hello }"}, headers={"Accept": "text/html"})
    assert response.status == 406


# --- pipeline interaction ---------------------------------------------------------------------------------


async def test_headers_reach_pipeline_lower_cased(client: Any) -> None:
    response = await client.post(
        "/graphql",
        data=orjson.dumps({"query": '{ header(name: "x-custom-thing") }'}),
        headers={"Content-Type": "application/json", "X-Custom-Thing": "v1"},
    )
    assert await response.json() == {"data": {"header": "v1"}}


async def test_pipeline_response_headers_are_sent(client: Any, pipeline: FakePipeline) -> None:
    pipeline.response_headers = {"X-RateLimit-Remaining": "9"}
    response = await post(client, {"query": "{ hello }"})
    assert response.headers["X-RateLimit-Remaining"] == "9"


async def test_unexpected_exception_is_masked_500(client: Any, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger="gateway.http"):
        response = await post(client, {"query": "query Crash { hello }"}, GRJ)
    assert response.status == 500
    text = await response.text()
    assert "secret" not in text
    payload = orjson.loads(text)
    assert payload["errors"][0]["message"] == "Internal server error"
    assert error_code(payload) == "INTERNAL_SERVER_ERROR"
    assert any("secret internal detail" in (r.exc_text or "") for r in caplog.records)


async def test_request_timeout_is_504(make_client: Any) -> None:
    client = await make_client(ServerConfig(request_timeout=0.2))
    response = await post(client, {"query": "{ slow(ms: 3000) }"}, GRJ)
    assert response.status == 504
    assert error_code(await response.json(content_type=None)) == "GATEWAY_TIMEOUT"
    fast = await post(client, {"query": "{ slow(ms: 10) }"}, GRJ)
    assert fast.status == 200


async def test_custom_paths(make_client: Any) -> None:
    client = await make_client(ServerConfig(graphql_path="/api", health_path="/live"))
    assert (await post_to(client, "/api")).status == 200
    assert (await client.get("/live")).status == 200
    assert (await client.get("/graphql")).status == 404


async def post_to(client: Any, path: str) -> Any:
    return await client.post(path, json={"query": "{ hello }"})


# --- health and lifetime ----------------------------------------------------------------------------------


async def test_health_before_and_after_load(make_client: Any) -> None:
    fake = FakePipeline()
    client = await make_client(fake=fake)
    before = await client.get("/health")
    assert before.status == 503
    assert await before.json() == {"status": "fail"}
    fake.load_supergraph(FAKE_SDL)
    after = await client.get("/health")
    assert after.status == 200
    assert await after.json() == {"status": "pass"}


async def test_pipeline_started_and_closed_with_app(aiohttp_server: Any) -> None:
    from gateway.app import create_app
    from gateway.config.model import Config

    fake = FakePipeline()
    server = await aiohttp_server(create_app(Config(), fake))
    assert (fake.started, fake.closed) == (1, 0)
    await server.close()
    assert (fake.started, fake.closed) == (1, 1)


async def test_default_config_with_csrf_prevention(make_client: Any) -> None:
    """With the default CSRF prevention, preflighted requests still follow every handler rule."""
    client = await make_client(csrf=True)
    params = {"query": "query Q($name: String) { hello(name: $name) }", "variables": '{"name": "x"}'}
    blocked = await client.get("/graphql", params=params)
    assert blocked.status == 400
    allowed = await client.get("/graphql", params=params, headers={"apollo-require-preflight": "true"})
    assert allowed.status == 200
    assert await allowed.json() == {"data": {"hello": "hello x"}}
    mutation = await client.get(
        "/graphql", params={"query": "mutation { bump }"}, headers={"apollo-require-preflight": "true"}
    )
    assert mutation.status == 405
    assert (await post(client, {"query": "{ hello }"}, GRJ)).status == 200
    bad_type = await client.post("/graphql", data=b"{}", headers={"Content-Type": "application/xml"})
    assert bad_type.status == 415


async def test_health_answers_head(client: Any) -> None:
    response = await client.head("/health")
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-store"
