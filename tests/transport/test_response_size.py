"""``traffic_shaping`` ``max_response_bytes``: a subgraph answer over the limit is stopped while it is read.

Against a raw HTTP/1.1 subgraph server on 127.0.0.1 (``RawSubgraph``, below) that can answer 50 MB without a
Content-Length (chunked), announce 50 MB in its Content-Length, or send a small gzip body that inflates to
50 MB, and that counts the bytes it managed to send and the connections it accepted. Each too-large answer
must give ``SUBREQUEST_RESPONSE_TOO_LARGE`` (naming the limit) without the whole answer being read or held,
must not be retried, must not leave its half-read connection in the pool, and the gateway must keep
answering.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import gzip
import tracemalloc
from collections.abc import AsyncIterator
from types import MappingProxyType
from typing import Any, Literal

import orjson
import pytest

from gateway.app import create_app
from gateway.compose.compose import SubgraphSource, compose
from gateway.config.model import Config, TrafficShapingConfig, TrafficShapingOverride
from gateway.config.resilience import CircuitBreakerConfig, ConcurrencyConfig, RetryConfig
from gateway.errors import SUBREQUEST_RESPONSE_TOO_LARGE
from gateway.pipeline.runner import GatewayPipeline
from gateway.transport.client import SubgraphFetchError, SubgraphTransport
from gateway.transport.resilience import ResilientTransport
from tests.support.subgraph_kit import SubgraphSpec, running_subgraphs
from tests.support.subgraph_schema import Resolvers

MiB = 1024 * 1024
LIMIT = 1 * MiB
HUGE = 50 * MiB
CHUNK = 64 * 1024
BLOCK = b"x" * CHUNK  # written again and again: the server must not hold 50 MiB in this process either
PREFIX = b'{"data":{"big":"'
SUFFIX = b'"}}'
SMALL = b'{"data":{"big":"small"}}'
# 50 MiB of JSON that gzip squeezes into about 50 KB
BOMB = gzip.compress(PREFIX + b"x" * HUGE + SUFFIX, compresslevel=9)

Mode = Literal["small", "small_gzip", "chunked", "length", "gzip"]


class RawSubgraph:
    """A minimal keep-alive HTTP/1.1 server answering every POST according to ``mode``; it records how many
    body bytes it could write for the last answer, how many requests and connections it saw."""

    def __init__(self) -> None:
        self.mode: Mode = "small"
        self.sent = 0
        self.requests = 0
        self.connections = 0
        self._server: asyncio.Server | None = None
        self.url = ""

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/graphql"

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
                self.requests += 1
                self.sent = 0
                await self._answer(writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass  # the gateway closed the connection: what it did with a too-large answer
        finally:
            writer.close()

    async def _answer(self, writer: asyncio.StreamWriter) -> None:
        mode = self.mode
        ok = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        if mode in ("small", "small_gzip", "gzip"):
            body = SMALL if mode == "small" else gzip.compress(SMALL) if mode == "small_gzip" else BOMB
            encoding = b"" if mode == "small" else b"Content-Encoding: gzip\r\n"
            writer.write(ok + encoding + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            await writer.drain()
            self.sent = len(body)
            return
        if mode == "chunked":
            writer.write(ok + b"Transfer-Encoding: chunked\r\n\r\n")
        else:
            writer.write(ok + b"Content-Length: %d\r\n\r\n" % (len(PREFIX) + HUGE + len(SUFFIX)))
        await writer.drain()
        for index in range(HUGE // CHUNK + 2):
            part = PREFIX if index == 0 else SUFFIX if index > HUGE // CHUNK else BLOCK
            writer.write(b"%x\r\n%s\r\n" % (len(part), part) if mode == "chunked" else part)
            await writer.drain()
            self.sent += len(part)
        if mode == "chunked":
            writer.write(b"0\r\n\r\n")
            await writer.drain()


@pytest.fixture
async def raw() -> AsyncIterator[RawSubgraph]:
    server = RawSubgraph()
    await server.start()
    yield server
    await server.close()


async def _fetch(transport: SubgraphTransport, raw: RawSubgraph) -> bytes:
    _status, _reason, payload, _ = await transport.fetch(
        "big", raw.url, b'{"query":"{big}"}', {}, 10.0, LIMIT
    )
    return payload


# --- the HTTP transport ------------------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["chunked", "length", "gzip"])
async def test_a_too_large_answer_is_refused_without_being_read_or_held(raw: RawSubgraph, mode: Mode) -> None:
    transport = SubgraphTransport()
    try:
        raw.mode = mode
        tracemalloc.start()
        try:
            with pytest.raises(SubgraphFetchError) as caught:
                await _fetch(transport, raw)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        error = caught.value
        assert error.code == SUBREQUEST_RESPONSE_TOO_LARGE
        assert error.status == 200
        assert error.message.startswith(
            "HTTP fetch failed from 'big': the response is larger than max_response_bytes (1 MiB"
        ), error.message
        # what the gateway process allocated while fetching: about the limit, never the 50 MiB answer
        assert peak < 8 * MiB, f"{mode}: {peak} bytes allocated at the peak"
        await asyncio.sleep(0.1)  # let the server notice the closed connection
        print(f"\n{mode}: peak {peak} bytes allocated, {raw.sent} body bytes sent by the subgraph")
        if mode in ("chunked", "length"):
            assert raw.sent < HUGE // 2, f"{mode}: the server could send {raw.sent} bytes"
        if mode == "length":
            assert f"Content-Length {len(PREFIX) + HUGE + len(SUFFIX)})" in error.message

        # the half-read connection was closed, not pooled: the next call opens a new one, and works
        raw.mode = "small"
        assert orjson.loads(await _fetch(transport, raw)) == {"data": {"big": "small"}}
        assert raw.connections == 2
        assert orjson.loads(await _fetch(transport, raw)) == {"data": {"big": "small"}}
        assert raw.connections == 2, "a complete answer leaves its connection in the pool"
        raw.mode = "small_gzip"  # a compressed answer within the limit goes through the incremental read
        assert orjson.loads(await _fetch(transport, raw)) == {"data": {"big": "small"}}
    finally:
        await transport.close()


async def test_the_limit_is_inclusive(raw: RawSubgraph) -> None:
    transport = SubgraphTransport()
    try:
        for mode in ("small", "small_gzip"):
            raw.mode = mode  # type: ignore[assignment]
            _status, _reason, payload, _ = await transport.fetch("big", raw.url, b"{}", {}, 10.0, len(SMALL))
            assert payload == SMALL
            with pytest.raises(SubgraphFetchError) as caught:
                await transport.fetch("big", raw.url, b"{}", {}, 10.0, len(SMALL) - 1)
            assert caught.value.code == SUBREQUEST_RESPONSE_TOO_LARGE
            assert f"({len(SMALL) - 1} bytes" in caught.value.message
    finally:
        await transport.close()


# --- the resilience layer: not retried, judged by the status ------------------------------------------------


async def test_a_too_large_answer_is_not_retried_and_does_not_open_the_breaker(raw: RawSubgraph) -> None:
    transport = ResilientTransport(SubgraphTransport())
    guard = transport.guard(
        "big",
        raw.url,
        CircuitBreakerConfig(minimum_requests=1),  # a single failure would open it
        RetryConfig(backoff=0.0, on_timeout=True),
        ConcurrencyConfig(),
    )
    try:
        raw.mode = "chunked"
        for _ in range(3):
            with pytest.raises(SubgraphFetchError) as caught:
                await transport.call(guard, b"{}", {}, 10.0, True, None, LIMIT)
            assert caught.value.code == SUBREQUEST_RESPONSE_TOO_LARGE
            assert caught.value.attempts == 1
        assert raw.requests == 3, "one HTTP request per call: a too-large answer is never retried"
        assert transport.breakers.states() == {"big": {raw.url: "closed"}}
    finally:
        await transport.transport.close()


# --- through the gateway -----------------------------------------------------------------------------------

HEALTHY_SDL = "type Query { hello: String }"
BIG_SDL = "type Query { big: String }"


async def test_the_gateway_answers_too_large_as_a_field_error_and_keeps_serving(
    aiohttp_client: Any, raw: RawSubgraph
) -> None:
    specs = [SubgraphSpec("healthy", HEALTHY_SDL, Resolvers(fields={"Query.hello": lambda _o, _i: "world"}))]
    async with running_subgraphs(specs) as kit:
        result = compose(
            [
                SubgraphSource("healthy", kit.url("healthy"), HEALTHY_SDL),
                SubgraphSource("big", raw.url, BIG_SDL),
            ]
        )
        assert result.supergraph_sdl is not None, result.errors
        # the limit comes from the subgraph's own override (the default, 16 MiB, would take the whole 1 MiB+)
        traffic = TrafficShapingConfig(
            subgraphs=MappingProxyType({"big": TrafficShapingOverride(max_response_bytes=LIMIT)})
        )
        config = dataclasses.replace(Config(), traffic_shaping=traffic)
        pipeline = GatewayPipeline(config)
        pipeline.load_supergraph(result.supergraph_sdl)
        client = await aiohttp_client(create_app(config, pipeline))

        for mode in ("chunked", "length", "gzip"):
            raw.mode = mode  # type: ignore[assignment]
            requests = raw.requests
            response = await client.post("/graphql", json={"query": "{ hello big }"})
            assert response.status == 200
            body = await response.json()
            assert body["data"] == {"hello": "world", "big": None}, body
            [error] = body["errors"]
            assert error["extensions"]["code"] == SUBREQUEST_RESPONSE_TOO_LARGE
            assert error["extensions"]["service"] == "big"
            assert error["extensions"]["http"] == {"status": 200}
            assert "attempts" not in error["extensions"]
            assert "max_response_bytes (1 MiB" in error["message"]
            assert raw.requests == requests + 1, "not retried"

            raw.mode = "small"
            response = await client.post("/graphql", json={"query": "{ hello big }"})
            assert await response.json() == {"data": {"hello": "world", "big": "small"}}
