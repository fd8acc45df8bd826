"""Every case x query through OUR gateway, started with its real CLI, against the recorded expected responses.

One gateway process per case (started on first use, stopped when the next case begins or the module ends).
``data`` must match exactly, key order included; errors by count, path and ``extensions.code``
(see ``compare.py``); ``<NN-name>.requests.json`` expectations are checked on the subgraphs' request log.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.federation.case_loader import Case, CaseQuery, load_cases
from tests.federation.compare import compare_responses
from tests.federation.gateways import start_our_gateway
from tests.federation.runner import CaseEnvironments, check_requests

CASES = load_cases()
PARAMS = [pytest.param(case, query, id=query.id) for case in CASES for query in case.queries]


@pytest.fixture(scope="module")
def environments() -> Iterator[CaseEnvironments]:
    envs = CaseEnvironments()
    yield envs
    envs.close()


@pytest.mark.parametrize(("case", "query"), PARAMS)
def test_case_query(environments: CaseEnvironments, case: Case, query: CaseQuery) -> None:
    expected = query.expected()
    assert expected is not None, f"{query.expected_path} is missing: run python -m tests.federation.regen"
    environment = environments.get(case)
    url = environment.gateway("ours", start_our_gateway)
    status, body, log = environment.run(query, url)
    problems = compare_responses(body, expected) + check_requests(query, log)
    assert not problems, f"HTTP {status}\n" + "\n".join(problems)


def test_every_case_has_queries_and_expected_files() -> None:
    assert CASES, "no cases found"
    for case in CASES:
        assert case.queries, f"case {case.name} has no queries"
        assert case.supergraph_path.exists(), f"case {case.name} has no supergraph.graphql"
        for query in case.queries:
            assert query.expected_path.exists(), f"{query.id}: expected response not recorded"
