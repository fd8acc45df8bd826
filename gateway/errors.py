"""One error type for the whole gateway, with a stable code and HTTP status.

Why: every error that reaches a client must carry ``extensions.code`` (Apollo's codes where Apollo has one),
and the HTTP layer must know which status to answer with. Two families keep internal details from leaking:
``ClientError`` messages are safe to show; ``InternalError`` messages are replaced by a generic text.
"""

from __future__ import annotations

from typing import Any, NotRequired, TypedDict


class FormattedError(TypedDict):
    """The wire shape of one GraphQL error."""

    message: str
    locations: NotRequired[list[dict[str, int]]]
    path: NotRequired[list[str | int]]
    extensions: NotRequired[dict[str, Any]]


# Codes (Apollo's where Apollo has one).
GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
BAD_USER_INPUT = "BAD_USER_INPUT"
BAD_REQUEST = "BAD_REQUEST"
OPERATION_RESOLUTION_FAILURE = "OPERATION_RESOLUTION_FAILURE"
PERSISTED_QUERY_NOT_SUPPORTED = "PERSISTED_QUERY_NOT_SUPPORTED"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
NOT_ACCEPTABLE = "NOT_ACCEPTABLE"
PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
# The client did not send its request head (server.header_read_timeout) or body (body_read_timeout) in time.
REQUEST_TIMEOUT = "REQUEST_TIMEOUT"
# A request header (or all of them) is larger than server.max_header_bytes allows (HTTP 431).
REQUEST_HEADER_FIELDS_TOO_LARGE = "REQUEST_HEADER_FIELDS_TOO_LARGE"
# The request line (method, URL, version) is longer than server.max_header_bytes (HTTP 414).
URI_TOO_LONG = "URI_TOO_LONG"
UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
SUBREQUEST_HTTP_ERROR = "SUBREQUEST_HTTP_ERROR"
SUBREQUEST_MALFORMED_RESPONSE = "SUBREQUEST_MALFORMED_RESPONSE"
DOWNSTREAM_SERVICE_ERROR = "DOWNSTREAM_SERVICE_ERROR"
# The client request as a whole exceeded ``server.request_timeout`` (HTTP 504), or a subgraph call was cut
# short because that deadline came before the subgraph's own timeout.
GATEWAY_TIMEOUT = "GATEWAY_TIMEOUT"
# One subgraph call exceeded its ``traffic_shaping`` timeout (a field error; the rest of the response stands).
SUBGRAPH_TIMEOUT = "SUBGRAPH_TIMEOUT"
# A subgraph answer was larger than ``traffic_shaping`` ``max_response_bytes`` (after decompression): reading
# stopped at the limit and the connection was closed; the fetch fails, the rest of the response stands.
SUBREQUEST_RESPONSE_TOO_LARGE = "SUBREQUEST_RESPONSE_TOO_LARGE"
# The subgraph URL's circuit breaker is open: no call was made (gateway/transport/breaker.py).
SUBREQUEST_CIRCUIT_OPEN = "SUBREQUEST_CIRCUIT_OPEN"
# The subgraph's concurrency bound was full and no slot freed in time: no call was made.
SUBGRAPH_OVERLOADED = "SUBGRAPH_OVERLOADED"
# The gateway-wide admission limit (traffic_shaping.router) is full: 503 with Retry-After, nothing run.
SERVICE_OVERLOADED = "SERVICE_OVERLOADED"
QUERY_PLANNING_FAILED = "QUERY_PLANNING_FAILED"
SUPERGRAPH_NOT_READY = "SUPERGRAPH_NOT_READY"
INTERNAL_SERVER_ERROR = "INTERNAL_SERVER_ERROR"
INVALID_GRAPHQL_RESPONSE = "INVALID_GRAPHQL_RESPONSE"
BATCHING_NOT_ENABLED = "BATCHING_NOT_ENABLED"
BATCH_LIMIT_EXCEEDED = "BATCH_LIMIT_EXCEEDED"


class GatewayError(Exception):
    """An error with a GraphQL ``extensions.code`` and the HTTP status the request should get."""

    code: str = INTERNAL_SERVER_ERROR
    http_status: int = 500
    expose: bool = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        http_status: int | None = None,
        path: list[str | int] | None = None,
        extensions: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if http_status is not None:
            self.http_status = http_status
        self.path = path
        self.extra_extensions = extensions or {}

    def to_graphql(self) -> FormattedError:
        """Format as a GraphQL error; internal messages are masked."""
        message = self.message if self.expose else "Internal server error"
        error: FormattedError = {"message": message}
        if self.path is not None:
            error["path"] = list(self.path)
        error["extensions"] = {**self.extra_extensions, "code": self.code}
        return error


class ClientError(GatewayError):
    """A problem with the client's request: the message is safe to show."""

    code = BAD_REQUEST
    http_status = 400
    expose = True


class InternalError(GatewayError):
    """A failure inside the gateway: the message is logged, never shown."""

    code = INTERNAL_SERVER_ERROR
    http_status = 500
    expose = False


def make_error(
    message: str,
    code: str,
    *,
    path: list[str | int] | None = None,
    locations: list[dict[str, int]] | None = None,
    extensions: dict[str, Any] | None = None,
) -> FormattedError:
    """Build one formatted error with ``extensions.code`` set."""
    error: FormattedError = {"message": message}
    if locations:
        error["locations"] = locations
    if path is not None:
        error["path"] = path
    ext: dict[str, Any] = dict(extensions) if extensions else {}
    ext["code"] = code
    error["extensions"] = ext
    return error
