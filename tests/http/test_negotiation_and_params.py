"""Unit rules of negotiation, parameter decoding and status mapping (no server needed)."""

from __future__ import annotations

import pytest

from gateway.errors import ClientError
from gateway.http.handler import response_status
from gateway.http.negotiation import APPLICATION_JSON as JSON
from gateway.http.negotiation import GRAPHQL_RESPONSE_JSON as GRJ
from gateway.http.negotiation import TEXT_HTML, negotiate
from gateway.http.params import build_request, decode_query_string, parse_json_body
from gateway.workers import one_line


@pytest.mark.parametrize(
    ("accept", "html", "expected"),
    [
        (None, False, GRJ),  # the GraphQL-over-HTTP draft's default since its 2025 watershed
        ("", False, GRJ),
        ("*/*", False, JSON),
        ("*/*", True, JSON),
        (f"{GRJ}", False, GRJ),
        (f"{GRJ}, */*;q=0.1", False, GRJ),
        (f"application/*;q=0.9, {GRJ};q=0.8", False, JSON),
        ("text/html", False, None),
        ("text/html", True, TEXT_HTML),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", True, TEXT_HTML),
        ("text/html;q=0.5, application/json", True, JSON),
        (f"{JSON};q=bogus, {GRJ};q=0.1", False, GRJ),
        ("APPLICATION/JSON", False, JSON),
    ],
)
def test_negotiate(accept: str | None, html: bool, expected: str | None) -> None:
    assert negotiate(accept, html) == expected


def test_a_missing_accept_header_gets_the_configured_default() -> None:
    assert negotiate(None, False, JSON) == JSON
    assert negotiate("  ", True, JSON) == JSON
    assert negotiate("*/*", False, GRJ) == JSON  # an Accept header is never overridden by the default


@pytest.mark.parametrize(
    ("body", "status", "media", "expected"),
    [
        ({"data": {}}, None, GRJ, 200),
        ({"data": None, "errors": []}, None, GRJ, 200),
        ({"errors": []}, None, GRJ, 400),
        ({"errors": []}, 400, GRJ, 400),
        ({"errors": []}, 405, GRJ, 405),
        ({"errors": []}, 503, GRJ, 503),
        ({"errors": []}, None, JSON, 200),
        ({"errors": []}, 400, JSON, 200),
        ({"errors": []}, 405, JSON, 405),
        ({"errors": []}, 429, JSON, 429),
        ({"errors": []}, 503, JSON, 503),
    ],
)
def test_response_status(body: dict, status: int | None, media: str, expected: int) -> None:
    assert response_status(body, status, media) == expected


def test_parse_json_body_rejections() -> None:
    for raw, message in [
        (b"", "empty"),
        (b"  \n", "empty"),
        (b"{", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[]", "batched"),
        (b"1", "JSON object"),
    ]:
        with pytest.raises(ClientError, match=message):
            parse_json_body(raw)
    assert parse_json_body(b'{"query":"{ a }"}') == {"query": "{ a }"}


def test_decode_query_string() -> None:
    payload = decode_query_string({"query": "{ a }", "variables": '{"x": 1}', "extensions": ""})
    assert payload == {"query": "{ a }", "operationName": None, "variables": {"x": 1}}
    with pytest.raises(ClientError, match="'extensions' parameter is not valid JSON"):
        decode_query_string({"query": "{ a }", "extensions": "{"})


def test_build_request_fields() -> None:
    request = build_request(
        {"query": "{ a }", "operationName": "A", "variables": {"v": 1}, "extensions": {"e": 1}, "other": 1},
        "GET",
        {"x": "y"},
        "127.0.0.1",
    )
    assert (request.query, request.operation_name, request.variables, request.extensions) == (
        "{ a }",
        "A",
        {"v": 1},
        {"e": 1},
    )
    assert (request.http_method, request.headers, request.client_address) == ("GET", {"x": "y"}, "127.0.0.1")


def test_one_line_keeps_the_location() -> None:
    message = "Syntax Error: Unexpected Name 'garbage'.\n\nGraphQL request:3:7\n1 | a\n  | ^\n"
    assert one_line(message) == "Syntax Error: Unexpected Name 'garbage'. (line 3, column 7)"
    assert one_line("plain") == "plain"
