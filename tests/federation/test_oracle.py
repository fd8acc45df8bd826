"""Live comparison with Apollo's own gateway (@apollo/gateway) on the same subgraphs, for every case query.

Two checks per query, in one test so each case starts once: Apollo still answers what the checked-in
expected file says (so the recordings are not stale), and our gateway answers what Apollo answers, under the
same rules as ``test_cases.py``. Queries with an ``.oracle-deviation.json`` (a documented place where
Apollo's gateway departs from the spec or from the codes this project uses) are compared only as far as that
file says.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.federation.case_loader import Case, CaseQuery, load_cases
from tests.federation.compare import compare_responses
from tests.federation.gateways import node_missing_reason, start_apollo_gateway, start_our_gateway
from tests.federation.runner import CaseEnvironments

pytestmark = pytest.mark.node

_missing = node_missing_reason()
if _missing is not None:
    pytest.skip(_missing, allow_module_level=True)

CASES = load_cases()
PARAMS = [pytest.param(case, query, id=query.id) for case in CASES for query in case.queries]


@pytest.fixture(scope="module")
def environments() -> Iterator[CaseEnvironments]:
    envs = CaseEnvironments()
    yield envs
    envs.close()


def _relaxed(body: dict, check: str) -> dict:
    """Keep only what a deviation still compares: data and the number of errors (not their codes)."""
    if check != "data":
        return body
    errors = [{"message": e.get("message")} for e in body.get("errors") or []]
    return {**({"data": body["data"]} if "data" in body else {}), **({"errors": errors} if errors else {})}


@pytest.mark.parametrize(("case", "query"), PARAMS)
def test_oracle_query(environments: CaseEnvironments, case: Case, query: CaseQuery) -> None:
    """Both checks in one test, so each case's subgraphs and gateways start once for the whole module."""
    if query.oracle_check == "none":
        pytest.skip(f"documented oracle deviation: {query.oracle_deviation}")
    expected = query.expected()
    assert expected is not None, f"{query.expected_path} is missing"
    environment = environments.get(case)
    _, apollo, _ = environment.run(query, environment.gateway("apollo", start_apollo_gateway))
    stale = compare_responses(_relaxed(apollo, query.oracle_check), _relaxed(expected, query.oracle_check))
    problems = [f"Apollo vs the expected file: {p}" for p in stale]
    try:
        ours_url = environment.gateway("ours", start_our_gateway)
    except Exception as error:
        problems.append(f"our gateway did not start: {error}")
    else:
        _, ours, _ = environment.run(query, ours_url)
        differences = compare_responses(
            _relaxed(ours, query.oracle_check), _relaxed(apollo, query.oracle_check)
        )
        problems += [f"ours vs Apollo: {p}" for p in differences]
    assert not problems, "\n".join(problems)
