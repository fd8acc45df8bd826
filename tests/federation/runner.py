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


class CaseEnvironment:
    """A case's live subgraphs plus one gateway started on the URL-rewritten supergraph."""

    def __init__(self, case: Case, start_gateway: GatewayStarter) -> None:
        self.case = case
        self.kit = SubgraphKitThread(case.subgraph_specs())
        self.kit.start()
        self._processes: list[RunningProcess] = []
        self._tempdir = tempfile.TemporaryDirectory(prefix=f"case-{case.name}-")
        try:
            self.supergraph_file = Path(self._tempdir.name) / "supergraph.graphql"
            self.supergraph_file.write_text(case.supergraph_with_urls(self.kit.urls))
            self.url = self.add_gateway(start_gateway)
        except BaseException:
            self.close()
            raise

    def add_gateway(self, start_gateway: GatewayStarter) -> str:
        """Start another gateway on the same subgraphs (the oracle test runs two); return its URL."""
        process, url = start_gateway(self.supergraph_file)
        self._processes.append(process)
        return url

    def run(self, query: CaseQuery, url: str | None = None) -> tuple[int, Any, list[RecordedRequest]]:
        """Send one query with its faults injected; return the status, body and the subgraph requests it caused."""
        self.kit.clear_log()
        for name, fault in query.faults.items():
            self.kit.set_fault(name, fault)
        try:
            status, body = post_graphql(url or self.url, query.query, query.variables)
        finally:
            self.kit.clear_faults()
        return status, body, self.kit.requests()

    def close(self) -> None:
        for process in self._processes:
            process.stop()
        self._processes.clear()
        self.kit.stop()
        self._tempdir.cleanup()


def check_requests(query: CaseQuery, log: list[RecordedRequest]) -> list[str]:
    """Check a query's ``.requests.json`` expectations against the requests it caused.

    Per subgraph: ``requests`` (exact number of HTTP requests), ``entities_requests`` (exact number of
    ``_entities`` fetches), ``representations`` (exact total of representations sent), ``unique_representations``
    (no ``_entities`` fetch repeats a representation).
    """
    problems: list[str] = []
    for subgraph, checks in query.requests.items():
        mine = [r for r in log if r.subgraph == subgraph]
        entity_fetches = [r for r in mine if r.is_entities]
        if "requests" in checks and len(mine) != checks["requests"]:
            problems.append(f"{subgraph}: expected {checks['requests']} request(s), got {len(mine)}")
        if "entities_requests" in checks and len(entity_fetches) != checks["entities_requests"]:
            problems.append(
                f"{subgraph}: expected {checks['entities_requests']} _entities request(s), got {len(entity_fetches)}"
            )
        total = sum(len(r.representations) for r in entity_fetches)
        if "representations" in checks and total != checks["representations"]:
            problems.append(f"{subgraph}: expected {checks['representations']} representation(s), got {total}")
        if checks.get("unique_representations"):
            for fetch in entity_fetches:
                canonical = [json.dumps(r, sort_keys=True) for r in fetch.representations]
                if len(set(canonical)) != len(canonical):
                    problems.append(f"{subgraph}: an _entities fetch repeats representations: {canonical}")
    return problems
