"""CSRF prevention and CORS through a real aiohttp server (the HTTP layer with the fake pipeline)."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.app import create_app
from gateway.config.errors import ConfigError
from gateway.config.load import load_config_text
from gateway.config.model import Config
from gateway.config.policies import CorsConfig, CsrfConfig
from tests.http.fake_pipeline import FAKE_SDL, FakePipeline

HELLO = {"query": "{ hello }"}
BUMP = {"query": "mutation { bump }"}


@pytest.fixture
def fake() -> FakePipeline:
    pipeline = FakePipeline()
    pipeline.load_supergraph(FAKE_SDL)
    return pipeline


@pytest.fixture
def serve(aiohttp_client: Any, fake: FakePipeline) -> Any:
    async def start(**sections: Any) -> Any:
        return await aiohttp_client(create_app(Config(**sections), fake))

    return start


async def code_of(response: Any) -> str:
    body = await response.json()
    return body["errors"][0]["extensions"]["code"]


# --- CSRF ---------------------------------------------------------------------------------------------


async def test_simple_get_is_refused(serve: Any) -> None:
    client = await serve()
    response = await client.get("/graphql", params=HELLO)
    assert response.status == 400
    body = await response.json()
    assert body["errors"][0]["extensions"]["code"] == "CSRF_ERROR"
    assert "x-apollo-operation-name, apollo-require-preflight" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    "headers",
    [
        {"x-apollo-operation-name": "Hello"},
        {"Apollo-Require-Preflight": "true"},
        {"Content-Type": "application/json"},
    ],
)
async def test_preflighted_get_is_executed(serve: Any, headers: dict[str, str]) -> None:
    client = await serve()
    response = await client.get("/graphql", params=HELLO, headers=headers)
    assert response.status == 200
    assert await response.json() == {"data": {"hello": "hello world"}}


@pytest.mark.parametrize("content_type", ["text/plain; charset=utf-8", "Multipart/Form-Data", "garbage", "/"])
async def test_get_with_a_simple_or_unparsable_content_type_is_refused(serve: Any, content_type: str) -> None:
    client = await serve()
    response = await client.get("/graphql", params=HELLO, headers={"Content-Type": content_type})
    assert (response.status, await code_of(response)) == (400, "CSRF_ERROR")


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None],
)
async def test_simple_post_is_refused_before_anything_runs(
    serve: Any, fake: FakePipeline, content_type: str | None
) -> None:
    client = await serve()
    headers = {"Content-Type": content_type} if content_type else {}
    response = await client.post(
        "/graphql", data=b'{"query":"mutation { bump }"}', headers=headers, skip_auto_headers=["Content-Type"]
    )
    assert (response.status, await code_of(response)) == (400, "CSRF_ERROR")
    assert fake.bumps == 0, "the mutation must not run"


async def test_json_post_is_never_affected(serve: Any, fake: FakePipeline) -> None:
    client = await serve()
    response = await client.post("/graphql", json=BUMP)
    assert response.status == 200
    assert fake.bumps == 1


async def test_preflighted_simple_post_reaches_the_media_type_check(serve: Any) -> None:
    client = await serve()
    response = await client.post(
        "/graphql", data=b"{}", headers={"Content-Type": "text/plain", "apollo-require-preflight": "1"}
    )
    assert (response.status, await code_of(response)) == (415, "UNSUPPORTED_MEDIA_TYPE")


async def test_health_and_graphiql_are_not_affected(serve: Any) -> None:
    client = await serve()
    assert (await client.get("/health")).status == 200
    page = await client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/html")


async def test_configured_required_headers(serve: Any) -> None:
    client = await serve(csrf=CsrfConfig(required_headers=("X-My-Client",)))
    refused = await client.get("/graphql", params=HELLO, headers={"x-apollo-operation-name": "Hello"})
    assert refused.status == 400
    allowed = await client.get("/graphql", params=HELLO, headers={"x-my-client": "web"})
    assert allowed.status == 200


async def test_csrf_can_be_turned_off(serve: Any) -> None:
    client = await serve(csrf=CsrfConfig(enabled=False))
    assert (await client.get("/graphql", params=HELLO)).status == 200


async def test_other_methods_keep_their_405(serve: Any) -> None:
    client = await serve()
    response = await client.delete("/graphql")
    assert (response.status, await code_of(response)) == (405, "METHOD_NOT_ALLOWED")


# --- CORS ---------------------------------------------------------------------------------------------


def preflight_headers(origin: str, method: str = "POST", headers: str = "content-type") -> dict[str, str]:
    return {
        "Origin": origin,
        "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers,
    }


async def test_localhost_preflight_is_answered_by_default(serve: Any) -> None:
    client = await serve()
    response = await client.options(
        "/graphql",
        headers=preflight_headers("http://localhost:3000", headers="content-type,apollo-require-preflight"),
    )
    assert response.status == 204
    assert response.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, POST, OPTIONS"
    assert response.headers["Access-Control-Allow-Headers"] == "content-type,apollo-require-preflight"
    assert "Origin" in response.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in response.headers


async def test_other_origins_are_refused_by_default(serve: Any) -> None:
    client = await serve()
    response = await client.options("/graphql", headers=preflight_headers("https://evil.example"))
    assert response.status == 403
    assert "Access-Control-Allow-Origin" not in response.headers
    actual = await client.post("/graphql", json=HELLO, headers={"Origin": "https://evil.example"})
    assert actual.status == 200  # CORS only stops the browser from reading the answer
    assert "Access-Control-Allow-Origin" not in actual.headers


async def test_allowed_origin_gets_cors_headers_on_answers_and_errors(serve: Any) -> None:
    client = await serve()
    origin = "http://127.0.0.1:8080"
    response = await client.post("/graphql", json=HELLO, headers={"Origin": origin})
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "ratelimit-remaining" in response.headers["Access-Control-Expose-Headers"]
    refused = await client.get("/graphql", params=HELLO, headers={"Origin": origin})  # CSRF refusal
    assert refused.status == 400
    assert refused.headers["Access-Control-Allow-Origin"] == origin


async def test_configured_origins_regex_credentials_and_max_age(serve: Any) -> None:
    cors = CorsConfig(
        origins=("https://app.example.com",),
        match_origins=(r"^https://[a-z]+\.preview\.example\.com$",),
        allow_headers=("content-type", "authorization"),
        allow_credentials=True,
        max_age=600,
        methods=("post",),
    )
    client = await serve(cors=cors)
    for origin in ("https://app.example.com", "https://pr.preview.example.com"):
        response = await client.options("/graphql", headers=preflight_headers(origin, headers="x-anything"))
        assert response.status == 204
        assert response.headers["Access-Control-Allow-Origin"] == origin
        assert response.headers["Access-Control-Allow-Headers"] == "content-type, authorization"
        assert response.headers["Access-Control-Allow-Credentials"] == "true"
        assert response.headers["Access-Control-Max-Age"] == "600"
        assert response.headers["Access-Control-Allow-Methods"] == "POST"
    assert (
        await client.options("/graphql", headers=preflight_headers("http://localhost:3000"))
    ).status == 403
    assert (
        await client.options("/graphql", headers=preflight_headers("https://x.preview.example.com.evil"))
    ).status == 403


async def test_allow_any_origin(serve: Any) -> None:
    client = await serve(cors=CorsConfig(allow_any_origin=True))
    response = await client.post("/graphql", json=HELLO, headers={"Origin": "https://anyone.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


async def test_cors_off_leaves_preflight_to_the_router(serve: Any) -> None:
    client = await serve(cors=CorsConfig(enabled=False))
    response = await client.options("/graphql", headers=preflight_headers("http://localhost:3000"))
    assert response.status == 405
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_and_csrf_config_validation() -> None:
    with pytest.raises(ConfigError, match="allow_credentials"):
        load_config_text("cors:\n  allow_any_origin: true\n  allow_credentials: true\n")
    with pytest.raises(ConfigError, match="regular expression"):
        load_config_text("cors:\n  match_origins: ['(']\n")
    with pytest.raises(ConfigError, match="required_headers"):
        load_config_text("csrf:\n  required_headers: []\n")
    config = load_config_text(
        "csrf:\n  required_headers: [X-Client]\ncors:\n  origins: [https://a.example]\n"
    )
    assert config.csrf.required_headers == ("x-client",)
    assert config.cors.origin_allowed("https://a.example")
