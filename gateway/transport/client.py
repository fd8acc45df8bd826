"""The only code that talks to subgraphs: one pooled aiohttp ClientSession, per-subgraph timeouts and
response size limits.

Why one session: connection reuse (keep-alive) is most of a subgraph call's cost on loopback; a session per
request or per subgraph would pay TCP set-up again and again.

Why a size limit: a subgraph answer is held in memory whole (and then decoded, several times its size), so a
runaway answer (a huge list, a bug streaming forever, a compression bomb) must be stopped while it is read,
not after. An answer whose Content-Length is known and within the limit is read in one ``read()`` as before;
any other is read chunk by chunk (decompressed: aiohttp inflates in bounded steps as the chunks are consumed)
and abandoned, its connection closed rather than pooled, as soon as it passes the limit.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp
import orjson

from gateway.errors import (
    SUBGRAPH_TIMEOUT,
    SUBREQUEST_HTTP_ERROR,
    SUBREQUEST_MALFORMED_RESPONSE,
    SUBREQUEST_RESPONSE_TOO_LARGE,
)
from gateway.telemetry.metrics import NOOP_METRICS, Metrics


class SubgraphFetchError(Exception):
    """A subgraph call failed at the transport level (no usable GraphQL response)."""

    def __init__(self, service: str, code: str, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.service = service
        self.code = code
        self.message = message
        self.status = status
        self.attempts = 1  # HTTP attempts made (set by the resilience layer; more than 1 after retries)


_ACCEPT = "application/graphql-response+json, application/json;q=0.9"

# Functions that add per-request headers (a request id, trace context) to every subgraph request, from the
# current context. Applied here, in the transport, and not by the header rules: those headers differ per
# client request and must not be part of the coalescing key (gateway/executor/dedup.py); a coalesced call
# runs in a task created by the first caller, so it carries that caller's values. Registered once at
# start-up by the features that need them; empty (no cost) otherwise.
OUTGOING_HEADER_HOOKS: list[Callable[[dict[str, str]], None]] = []

# The default of ``traffic_shaping.all.max_response_bytes`` (see gateway/config/model.py for why 16 MiB).
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024


class _TooLarge(Exception):
    """Internal: the answer passed the limit (``announced`` is its Content-Length when that told us)."""

    def __init__(self, announced: int | None) -> None:
        super().__init__()
        self.announced = announced


class SubgraphTransport:
    """Sends GraphQL requests to subgraphs and returns their decoded JSON responses."""

    def __init__(self, connection_limit: int = 256, metrics: Metrics = NOOP_METRICS) -> None:
        self._connection_limit = connection_limit
        self.metrics = metrics  # counts and times every real HTTP call (coalesced fetches make none)
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._connection_limit,
                limit_per_host=0,
                keepalive_timeout=30,
                ttl_dns_cache=300,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                skip_auto_headers=("User-Agent",),
                auto_decompress=True,
            )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def fetch(
        self,
        service: str,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        timeout: float,  # noqa: ASYNC109 - per-subgraph setting, applied with asyncio.timeout inside
        max_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> tuple[int, str, bytes, str | None]:
        """POST one GraphQL request; returns (status, reason, raw body, Retry-After header or None).
        Raises ``SubgraphFetchError``: ``SUBGRAPH_TIMEOUT`` past ``timeout`` (body read included),
        ``SUBREQUEST_RESPONSE_TOO_LARGE`` for a (decompressed) body over ``max_bytes``,
        ``SUBREQUEST_HTTP_ERROR`` for connection failures.

        Raw bytes (not decoded JSON) so coalesced callers each decode their own copy: the executor mutates
        decoded trees while merging, and they must never be shared between client requests.
        """
        if self._session is None:
            await self.start()
        assert self._session is not None
        request_headers = {"content-type": "application/json", "accept": _ACCEPT}
        request_headers.update(headers)
        for hook in OUTGOING_HEADER_HOOKS:
            hook(request_headers)
        started = time.perf_counter()
        try:
            async with asyncio.timeout(timeout):
                async with self._session.post(url, data=body, headers=request_headers) as response:
                    status = response.status
                    length = response.content_length
                    encoding = response.headers.get("Content-Encoding")
                    plain = encoding is None or encoding.lower() == "identity"
                    try:
                        if plain and length is not None:
                            if length > max_bytes:
                                raise _TooLarge(length)  # refused before reading a byte of the body
                            payload = await response.read()  # the fast path: a known, acceptable size
                        else:
                            payload = await _read_at_most(response, max_bytes)
                    except _TooLarge as error:
                        response.close()  # a half-read connection must never go back to the pool
                        outcome = "success" if 200 <= status < 300 else "http_error"
                        self.metrics.subgraph_request(service, outcome, time.perf_counter() - started)
                        raise _too_large(service, max_bytes, status, error.announced) from None
                    outcome = "success" if 200 <= status < 300 else "http_error"
                    self.metrics.subgraph_request(service, outcome, time.perf_counter() - started)
                    retry_after = response.headers.get("Retry-After") if status in (429, 503) else None
                    return status, response.reason or "", payload, retry_after
        except TimeoutError as error:
            self.metrics.subgraph_request(service, "timeout", time.perf_counter() - started)
            raise SubgraphFetchError(
                service,
                SUBGRAPH_TIMEOUT,
                f"HTTP fetch failed from '{service}': request timed out after {timeout:g}s",
            ) from error
        except (aiohttp.ClientError, OSError) as error:
            self.metrics.subgraph_request(service, "network_error", time.perf_counter() - started)
            detail = str(error) or type(error).__name__
            raise SubgraphFetchError(
                service, SUBREQUEST_HTTP_ERROR, f"HTTP fetch failed from '{service}': {detail}"
            ) from error


async def _read_at_most(response: aiohttp.ClientResponse, max_bytes: int) -> bytes:
    """The (decompressed) body, read as it arrives; raises ``_TooLarge`` as soon as it passes ``max_bytes``.

    Used when the size is not known up front (chunked, or compressed: Content-Length then counts the
    compressed bytes). aiohttp inflates compressed bodies in bounded steps as chunks are consumed, so what is
    held never exceeds the limit by more than one chunk, whatever the compression ratio."""
    content = response.content
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = await content.readany()
        if not chunk:
            break
        size += len(chunk)
        if size > max_bytes:
            raise _TooLarge(None)
        chunks.append(chunk)
    if len(chunks) == 1:
        return chunks[0]
    return b"".join(chunks)


def _too_large(service: str, max_bytes: int, status: int, announced: int | None) -> SubgraphFetchError:
    told = f"; Content-Length {announced}" if announced is not None else ""
    return SubgraphFetchError(
        service,
        SUBREQUEST_RESPONSE_TOO_LARGE,
        f"HTTP fetch failed from '{service}': the response is larger than max_response_bytes "
        f"({_size(max_bytes)}{told})",
        status,
    )


def _size(count: int) -> str:
    """``16 MiB``, ``512 KiB`` or ``1000 bytes``: the limit as it is most likely written in the config."""
    for unit, factor in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= factor and count % factor == 0:
            return f"{count // factor} {unit}"
    return f"{count} bytes"


def decode_response(service: str, status: int, reason: str, payload: bytes) -> dict[str, Any]:
    """Decode a subgraph's answer into a GraphQL response map, or raise ``SubgraphFetchError``."""
    try:
        decoded = orjson.loads(payload) if payload else None
    except orjson.JSONDecodeError:
        decoded = None
    valid = isinstance(decoded, dict) and ("data" in decoded or "errors" in decoded)
    if not 200 <= status < 300:
        if valid and status < 500 and decoded.get("errors"):  # type: ignore[union-attr]
            return decoded  # type: ignore[return-value]  # GraphQL-over-HTTP 4xx with a GraphQL body
        raise SubgraphFetchError(
            service, SUBREQUEST_HTTP_ERROR, f"HTTP fetch failed from '{service}': {status}: {reason}", status
        )
    if not valid:
        raise SubgraphFetchError(
            service,
            SUBREQUEST_MALFORMED_RESPONSE,
            f"HTTP fetch failed from '{service}': subgraph response is not a GraphQL response "
            "(expected a JSON object with 'data' or 'errors')",
            status,
        )
    return decoded  # type: ignore[return-value]


def encode_request(query: str, variables: Mapping[str, Any] | None, operation_name: str | None) -> bytes:
    body: dict[str, Any] = {"query": query}
    if operation_name:
        body["operationName"] = operation_name
    if variables:
        body["variables"] = variables
    return orjson.dumps(body)
