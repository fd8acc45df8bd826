"""Decodes GraphQL-over-HTTP request parameters (JSON body or query string) into ``GraphQLRequest``.

Why: parameter rules (types, JSON-encoded variables in GET) are the same for both methods and easy to get
subtly wrong; keeping them in pure functions makes each rule testable without a server. Problems raise
``ClientError`` (400, BAD_REQUEST) with a message that tells the client which parameter is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson

from gateway.errors import BAD_REQUEST, ClientError
from gateway.pipeline.types import GraphQLRequest


def _bad(message: str) -> ClientError:
    return ClientError(message, code=BAD_REQUEST, http_status=400)


def _optional_str(payload: Mapping[str, Any], name: str) -> str | None:
    value = payload.get(name)
    if value is None or isinstance(value, str):
        return value
    raise _bad(f"the '{name}' parameter must be a string")


def _optional_map(payload: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    value = payload.get(name)
    if value is None or isinstance(value, dict):
        return value
    raise _bad(f"the '{name}' parameter must be a map (JSON object)")


def parse_json_body(raw: bytes, *, allow_batch: bool = False) -> dict[str, Any] | list[Any]:
    """The JSON object of a POST body (or, when ``allow_batch``, a JSON array of them: a batch); malformed
    JSON and other values are refused."""
    if not raw.strip():
        raise _bad("the request body is empty; expected a JSON object with a 'query'")
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise _bad("the request body is not valid JSON") from None
    if isinstance(payload, list):
        if allow_batch:
            return payload
        raise _bad("batched requests (a JSON array) are not supported")
    if not isinstance(payload, dict):
        raise _bad("the request body must be a JSON object")
    return payload


def decode_query_string(params: Mapping[str, str]) -> dict[str, Any]:
    """GET parameters as a payload map: ``variables`` and ``extensions`` are JSON-encoded strings."""
    payload: dict[str, Any] = {"query": params.get("query"), "operationName": params.get("operationName")}
    if params.get("documentId") is not None:
        payload["documentId"] = params["documentId"]
    for name in ("variables", "extensions"):
        text = params.get(name)
        if text is None or text == "":
            continue
        try:
            payload[name] = orjson.loads(text)
        except orjson.JSONDecodeError:
            raise _bad(f"the '{name}' parameter is not valid JSON") from None
    return payload


def build_request(
    payload: Mapping[str, Any],
    http_method: str,
    headers: Mapping[str, str],
    client_address: str | None,
) -> GraphQLRequest:
    """Validate parameter types and build the pipeline request.

    A missing ``query`` is refused unless a persisted-query extension or a ``documentId`` may supply it (the
    pipeline decides).
    """
    query = _optional_str(payload, "query")
    operation_name = _optional_str(payload, "operationName")
    variables = _optional_map(payload, "variables")
    extensions = _optional_map(payload, "extensions")
    document_id = _optional_str(payload, "documentId")
    if query is None and document_id is None and not (extensions and "persistedQuery" in extensions):
        raise _bad("the 'query' parameter is missing")
    return GraphQLRequest(
        query=query,
        operation_name=operation_name,
        variables=variables,
        extensions=extensions,
        http_method=http_method,
        headers=headers,
        client_address=client_address,
        document_id=document_id,
    )
