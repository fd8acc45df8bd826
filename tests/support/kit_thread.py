"""Run a :class:`SubgraphKit` on its own event loop in a background thread, for synchronous tests.

Why: one set of subgraphs must live across many tests (a whole case, module-scoped) while each test talks to a
gateway over blocking HTTP. A private loop thread avoids tying the subgraphs' lifetime to pytest-asyncio's
per-test loops, and the same helper serves the regeneration script, which is not a test at all.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine, Sequence
from types import TracebackType
from typing import Any, TypeVar

from tests.support.subgraph_kit import Fault, RecordedRequest, SubgraphKit, SubgraphSpec

T = TypeVar("T")


class SubgraphKitThread:
    """Synchronous facade over a kit running in a daemon thread; use as a context manager."""

    def __init__(self, specs: Sequence[SubgraphSpec]) -> None:
        self._specs = list(specs)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="subgraph-kit", daemon=True)
        self.kit = SubgraphKit()
        self.urls: dict[str, str] = {}

    def _call(self, coroutine: Coroutine[Any, Any, T], timeout: float = 15.0) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    def start(self) -> dict[str, str]:
        self._thread.start()
        self.urls = self._call(self.kit.start(self._specs))
        return self.urls

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        try:
            self._call(self.kit.close())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(5)
            self._loop.close()

    def __enter__(self) -> SubgraphKitThread:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def set_fault(self, name: str, fault: Fault | None) -> None:
        self._call(self.kit.set_fault(name, fault))

    def clear_faults(self) -> None:
        self._call(self.kit.clear_faults())

    def requests(self, name: str | None = None) -> list[RecordedRequest]:
        return self.kit.requests(name)

    def entity_requests(self, name: str | None = None) -> list[RecordedRequest]:
        return self.kit.entity_requests(name)

    def clear_log(self) -> None:
        self.kit.clear_log()

    def fault_hits(self, name: str) -> int:
        return self.kit.fault_hits(name)
