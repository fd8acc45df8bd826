"""Run a case: its subgraphs, one gateway on its supergraph, and its queries with faults and log checks.

Why: our tests, the live oracle comparison and the regeneration script must run queries identically (same
faults, same fresh request log per query), or their results would not be comparable.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.federation.case_loader import Case, CaseQuery
from tests.federation.gateways import post_graphql
from tests.support.kit_thread import SubgraphKitThread
from tests.support.processes import RunningProcess
from tests.support.subgraph_kit import RecordedRequest

GatewayStarter = Callable[[Path], tuple[RunningProcess, str]]


class GatewayUnavailable(RuntimeError):
    """A gateway of this case failed to start earlier; the original error is in the message."""


class CaseEnvironment:
    """A case's live subgraphs plus the gateways started on its URL-rewritten supergraph.

    Gateways start lazily, by name, at most once: a gateway that failed to start is not retried for every
    query of the case (that would cost its startup timeout each time); :meth:`gateway` re-raises the failure.
    """

    def __init__(self, case: Case) -> None:
        self.case = case
        self.kit = SubgraphKitThread(case.subgraph_specs())
        self._processes: list[RunningProcess] = []
        self._gateways: dict[str, str | BaseException] = {}
        self._tempdir = tempfile.TemporaryDirectory(prefix=f"case-{case.name}-")
        try:
            self.kit.start()
            self.supergraph_file = Path(self._tempdir.name) / "supergraph.graphql"
            self.supergraph_file.write_text(case.supergraph_with_urls(self.kit.urls))
        except BaseException:
            self.close()
            raise

    def gateway(self, name: str, start_gateway: GatewayStarter) -> str:
        """The URL of the gateway called ``name``, started with ``start_gateway`` on first use."""
        known = self._gateways.get(name)
        if isinstance(known, str):
            return known
        if known is not None:
            raise GatewayUnavailable(f"{name} gateway failed to start for case {self.case.name}: {known}")
        try:
            process, url = start_gateway(self.supergraph_file)
        except Exception as error:
            self._gateways[name] = error
            raise
        self._processes.append(process)
        self._gateways[name] = url
        return url

    def run(self, query: CaseQuery, url: str) -> tuple[int, Any, list[RecordedRequest]]:
        """Send one query with its faults injected; return the status, body and the requests it caused."""
        self.kit.clear_log()
        for name, fault in query.faults.items():
            self.kit.set_fault(name, fault)
        try:
            status, body = post_graphql(url, query.query, query.variables)
        finally:
            self.kit.clear_faults()
        return status, body, self.kit.requests()

    def close(self) -> None:
        for process in self._processes:
            process.stop()
        self._processes.clear()
        self.kit.stop()
        self._tempdir.cleanup()


class CaseEnvironments:
    """One live environment at a time, switched when the tests move on to the next case.

    Why: tests are parametrized over case x query and ordered by case; keeping only the current case's
    subgraphs and gateways alive bounds the processes and ports in use on a small machine.
    """

    def __init__(self) -> None:
        self._current: CaseEnvironment | None = None

    def get(self, case: Case) -> CaseEnvironment:
        if self._current is not None and self._current.case.name == case.name:
            return self._current
        self.close()
        self._current = CaseEnvironment(case)
        return self._current

    def close(self) -> None:
        if self._current is not None:
            current, self._current = self._current, None
            current.close()


def check_requests(query: CaseQuery, log: list[RecordedRequest]) -> list[str]:
    """Check a query's ``.requests.json`` expectations against the requests it caused.

    Per subgraph: ``requests`` (exact number of HTTP requests), ``entities_requests`` (exact number of
    ``_entities`` fetches), ``representations`` (exact total of representations sent),
    ``unique_representations`` (no ``_entities`` fetch repeats a representation).
    """
    problems: list[str] = []
    for subgraph, checks in query.requests.items():
        mine = [r for r in log if r.subgraph == subgraph]
        entity_fetches = [r for r in mine if r.is_entities]
        if "requests" in checks and len(mine) != checks["requests"]:
            problems.append(f"{subgraph}: expected {checks['requests']} request(s), got {len(mine)}")
        if "entities_requests" in checks and len(entity_fetches) != checks["entities_requests"]:
            want = checks["entities_requests"]
            problems.append(f"{subgraph}: expected {want} _entities request(s), got {len(entity_fetches)}")
        total = sum(len(r.representations) for r in entity_fetches)
        if "representations" in checks and total != checks["representations"]:
            problems.append(
                f"{subgraph}: expected {checks['representations']} representation(s), got {total}"
            )
        if checks.get("unique_representations"):
            for fetch in entity_fetches:
                canonical = [json.dumps(r, sort_keys=True) for r in fetch.representations]
                if len(set(canonical)) != len(canonical):
                    problems.append(f"{subgraph}: an _entities fetch repeats representations: {canonical}")
    return problems
