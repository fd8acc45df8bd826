"""The GraphQL-over-HTTP endpoint: decoding, negotiation, status codes, timeout.

Why: the spec (graphql.github.io/graphql-over-http) fixes status codes per response media type, and the
rest of the gateway should never see HTTP. This handler turns an HTTP request into a ``GraphQLRequest``, runs
the pipeline under the overall request timeout and maps the ``GraphQLResponse`` back to HTTP. Everything that
depends only on configuration (limits, timeout, GraphiQL page) is computed once in ``__init__``.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestPayloadError

from gateway.config.model import BatchingConfig, ServerConfig
from gateway.errors import (
    BAD_REQUEST,
    BATCH_LIMIT_EXCEEDED,
    BATCHING_NOT_ENABLED,
    GATEWAY_TIMEOUT,
    METHOD_NOT_ALLOWED,
    NOT_ACCEPTABLE,
    PAYLOAD_TOO_LARGE,
    REQUEST_TIMEOUT,
    UNSUPPORTED_MEDIA_TYPE,
    GatewayError,
    make_error,
)
from gateway.http.connections import RateLimitedLog
from gateway.http.graphiql import graphiql_page
from gateway.http.negotiation import APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, TEXT_HTML, negotiate
from gateway.http.params import build_request, decode_query_string, parse_json_body
from gateway.http.serialize import error_response, json_response
from gateway.pipeline.types import GraphQLRequest, GraphQLResponse, Pipeline
from gateway.telemetry.metrics import NOOP_METRICS, Metrics

log = logging.getLogger("gateway.http")

ALLOWED_METHODS = "GET, POST"
# What reading a request body raises when the client breaks its framing (bad chunking, short body at EOF).
_MALFORMED_BODY = (RequestPayloadError, HttpProcessingError)
_NOT_ACCEPTABLE_MESSAGE = (
    "cannot produce a response acceptable to the Accept header; "
    "use application/graphql-response+json or application/json"
)


def response_status(body: dict[str, Any], pipeline_status: int | None, media_type: str) -> int:
    """The HTTP status for a pipeline response, per the GraphQL-over-HTTP spec.

    Under application/graphql-response+json a request error (no ``data``) is a 4xx (400 unless the pipeline
    says otherwise). Under legacy application/json a well-formed request gets 200 even with request errors;
    only statuses that are not "GraphQL request error" (405 mutation over GET, 401/403/429, 5xx) are kept.
    """
    if media_type == GRAPHQL_RESPONSE_JSON:
        if pipeline_status is not None:
            return pipeline_status
        return 200 if "data" in body else 400
    if pipeline_status is None or pipeline_status == 400:
        return 200
    return pipeline_status


class GraphQLHandler:
    """Serves one GraphQL endpoint for one pipeline."""

    def __init__(
        self,
        pipeline: Pipeline,
        server: ServerConfig,
        batching: BatchingConfig | None = None,
        metrics: Metrics = NOOP_METRICS,
    ) -> None:
        self._pipeline = pipeline
        self._batching = batching or BatchingConfig()
        self._timeout = server.request_timeout
        self._max_bytes = server.max_request_bytes
        self._graphiql_page = graphiql_page(server)  # None when server.graphiql is off
        self._too_large = f"the request body exceeds the limit of {server.max_request_bytes} bytes"
        self._body_timeout = min(server.body_read_timeout, server.request_timeout)
        self._default_media = server.default_response_media_type
        self._metrics = metrics
        self._quiet_log = RateLimitedLog(log)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Entry point registered for every method on the GraphQL path."""
        method = request.method
        if method == "POST":
            return await self._post(request)
        if method in ("GET", "HEAD"):
            return await self._get(request)
        return error_response(
            405,
            f"method {method} is not allowed; use GET or POST",
            METHOD_NOT_ALLOWED,
            headers={"Allow": ALLOWED_METHODS},
        )

    async def _post(self, request: web.Request) -> web.StreamResponse:
        media_type = negotiate(request.headers.get("Accept"), False, self._default_media)
        if media_type is None:
            return error_response(406, _NOT_ACCEPTABLE_MESSAGE, NOT_ACCEPTABLE)
        if request.headers.get("Content-Type") is None or request.content_type != APPLICATION_JSON:
            return error_response(
                415,
                "unsupported Content-Type; POST requests must use application/json",
                UNSUPPORTED_MEDIA_TYPE,
                media_type,
            )
        charset = request.charset
        if charset is not None and charset.lower() not in ("utf-8", "utf8"):
            return error_response(
                415, f"unsupported charset {charset!r}; use utf-8", UNSUPPORTED_MEDIA_TYPE, media_type
            )
        length = request.content_length
        if length is not None and length > self._max_bytes:
            return error_response(413, self._too_large, PAYLOAD_TOO_LARGE, media_type)
        try:
            if length is not None and request.content.is_eof():
                raw = await request.read()  # the whole body arrived with the head: nothing to wait for
            else:
                async with asyncio.timeout(self._body_timeout):
                    raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return error_response(413, self._too_large, PAYLOAD_TOO_LARGE, media_type)
        except TimeoutError:
            return await self._body_timed_out(request, media_type)
        except ConnectionError:
            # The client went away while sending its body: normal traffic, not a gateway error (counted by
            # the connection, gateway.http.connections). Usually the handler is cancelled instead.
            return error_response(
                400, "the request body was not received completely", BAD_REQUEST, media_type
            )
        except _MALFORMED_BODY as exc:
            self._metrics.connection_event("malformed_request")
            self._quiet_log("refused a request body from %s: %s", request.remote, exc)
            response = error_response(400, f"malformed request body: {exc}", BAD_REQUEST, media_type)
            response.force_close()  # the framing is broken: the connection cannot carry another request
            return response
        if len(raw) > self._max_bytes:
            return error_response(413, self._too_large, PAYLOAD_TOO_LARGE, media_type)
        try:
            payload = parse_json_body(raw, allow_batch=True)
            if isinstance(payload, list):
                return await self._batch(payload, request, media_type)
            graphql_request = build_request(payload, "POST", _lowered(request), request.remote)
        except GatewayError as exc:
            return error_response(exc.http_status, exc.message, exc.code, media_type)
        return await self._execute(graphql_request, media_type)

    async def _body_timed_out(self, request: web.Request, media_type: str) -> web.StreamResponse:
        """408, then close: the rest of the body may never come, so the connection cannot be reused."""
        self._metrics.connection_event("body_timeout")
        self._quiet_log("closing a connection: request body not received within %gs", self._body_timeout)
        response = error_response(
            408,
            f"the request body was not received within {self._body_timeout:g}s (server.body_read_timeout)",
            REQUEST_TIMEOUT,
            media_type,
        )
        response.force_close()
        await response.prepare(request)
        await response.write_eof()
        # Close now (the transport flushes the answer first): aiohttp would otherwise linger, reading what
        # the client may still send. A connection closed by the server is not a client disconnect.
        request.protocol.force_close()
        return response

    async def _batch(self, batch: list[Any], request: web.Request, media_type: str) -> web.StreamResponse:
        """Query batching (Apollo Router's contract): an array of requests -> an array of responses, in order.

        Each entry runs through the pipeline on its own (its own errors, plan, authorization); they run
        concurrently under one overall timeout. Off unless ``batching.enabled``.
        """
        if not self._batching.enabled:
            return error_response(
                400,
                "query batching is not enabled: send one GraphQL request per HTTP request "
                "(or enable `batching` in the configuration)",
                BATCHING_NOT_ENABLED,
                media_type,
            )
        if not batch:
            return error_response(400, "the batch is empty", BAD_REQUEST, media_type)
        if len(batch) > self._batching.maximum_size:
            return error_response(
                400,
                f"the batch has {len(batch)} requests; the maximum is {self._batching.maximum_size}",
                BATCH_LIMIT_EXCEEDED,
                media_type,
            )
        headers = _lowered(request)

        async def one(entry: Any) -> dict[str, Any]:
            if not isinstance(entry, dict):
                return {"errors": [make_error("each batch entry must be a JSON object", BAD_REQUEST)]}
            try:
                graphql_request = build_request(entry, "POST", headers, request.remote)
            except GatewayError as exc:
                return {"errors": [exc.to_graphql()]}
            return (await self._pipeline.run(graphql_request)).body

        try:
            async with asyncio.timeout(self._timeout):
                bodies = await asyncio.gather(*(one(entry) for entry in batch))
        except TimeoutError:
            return error_response(
                504, f"the batch did not complete within {self._timeout:g}s", GATEWAY_TIMEOUT, media_type
            )
        return json_response(list(bodies), 200, media_type)

    async def _get(self, request: web.Request) -> web.StreamResponse:
        query = request.query
        media_type = negotiate(
            request.headers.get("Accept"), self._graphiql_page is not None, self._default_media
        )
        if media_type is None:
            return error_response(406, _NOT_ACCEPTABLE_MESSAGE, NOT_ACCEPTABLE)
        if media_type == TEXT_HTML:
            assert self._graphiql_page is not None
            return self._graphiql_page.response()
        try:
            payload = decode_query_string(query)
            graphql_request = build_request(payload, "GET", _lowered(request), request.remote)
        except GatewayError as exc:
            return error_response(exc.http_status, exc.message, exc.code, media_type)
        return await self._execute(graphql_request, media_type)

    async def _execute(self, graphql_request: GraphQLRequest, media_type: str) -> web.StreamResponse:
        try:
            async with asyncio.timeout(self._timeout) as deadline:
                result: GraphQLResponse = await self._pipeline.run(graphql_request)
        except TimeoutError:
            if not deadline.expired():
                raise
            return error_response(
                504, f"the request did not complete within {self._timeout:g}s", GATEWAY_TIMEOUT, media_type
            )
        except GatewayError as exc:
            if not exc.expose:
                log.error("pipeline error: %s", exc.message, exc_info=exc)
            status = response_status({}, exc.http_status, media_type)
            return json_response({"errors": [exc.to_graphql()]}, status, media_type)
        status = response_status(result.body, result.http_status, media_type)
        headers = dict(result.headers) if result.headers else None
        if status == 405 and graphql_request.http_method == "GET":
            headers = {**(headers or {}), "Allow": "POST"}
        return json_response(result.body, status, media_type, headers)


def _lowered(request: web.Request) -> dict[str, str]:
    """Incoming headers with lower-case names, as ``GraphQLRequest.headers`` promises."""
    return {name.lower(): value for name, value in request.headers.items()}
