"""Per-call CPU cost of the resilience layer: ResilientTransport.call with the defaults on, with everything
off, and the plain transport fetch + decode it replaced, on a stub transport that answers at once (no network,
so only the layer's own work is timed). Run: ``.venv/bin/python -m bench.resilience_overhead``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping

from gateway.config.resilience import CircuitBreakerConfig, ConcurrencyConfig, RetryConfig
from gateway.transport.client import SubgraphTransport, decode_response
from gateway.transport.resilience import ResilientTransport, SubgraphGuard

BODY = b'{"data":{"users":[{"id":"1","username":"a","name":"b"}]}}'


class Stub(SubgraphTransport):
    async def fetch(  # type: ignore[override]
        self,
        service: str,
        url: str,
        body: bytes,
        headers: Mapping[str, str],
        timeout: float,  # noqa: ASYNC109
        max_bytes: int = 0,
    ) -> tuple[int, str, bytes, str | None]:
        return 200, "OK", BODY, None


async def main() -> None:
    stub = Stub()
    on = ResilientTransport(stub)
    g_on = on.guard("a", "u", CircuitBreakerConfig(), RetryConfig(), ConcurrencyConfig())
    off = ResilientTransport(stub)
    g_off = off.guard(
        "a",
        "u",
        CircuitBreakerConfig(enabled=False),
        RetryConfig(enabled=False),
        ConcurrencyConfig(max_in_flight=0),
    )
    loop = asyncio.get_running_loop()
    N = 200_000

    async def plain() -> None:
        for _ in range(N):
            s, r, raw, _ = await stub.fetch("a", "u", b"", {}, 30.0)
            decode_response("a", s, r, raw)

    async def guarded(t: ResilientTransport, g: SubgraphGuard) -> None:
        for _ in range(N):
            await t.call(g, b"", {}, 30.0, True, loop.time() + 60)

    for _ in range(3):
        res: dict[str, float] = {}
        runs: tuple[tuple[str, Callable[[], Awaitable[None]]], ...] = (
            ("plain", plain),
            ("off", lambda: guarded(off, g_off)),
            ("on", lambda: guarded(on, g_on)),
        )
        for name, coro in runs:
            t0 = time.perf_counter()
            await coro()
            res[name] = (time.perf_counter() - t0) / N * 1e6
        print(
            {k: round(v, 2) for k, v in res.items()},
            "on-plain us:",
            round(res["on"] - res["plain"], 2),
            "on-off us:",
            round(res["on"] - res["off"], 2),
        )


if __name__ == "__main__":
    asyncio.run(main())
