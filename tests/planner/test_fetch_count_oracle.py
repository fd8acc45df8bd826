"""Our plans need no more subgraph fetches than Apollo's query planner for the same operation.

Apollo's planner (@apollo/query-planner, from the federation oracle's npm project) is run on every query
of every federation case and every planner snapshot; "fewest fetches a sensible plan needs" is checked
against it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from graphql import GraphQLError, parse, validate

from gateway.planner import build_query_plan
from gateway.planner.operation import find_operation, fragments_of
from gateway.supergraph.api_schema import build_api_schema
from gateway.supergraph.model import load_supergraph
from tests.federation.case_loader import load_cases
from tests.federation.gateways import ORACLE_DIR, ensure_oracle_installed
from tests.planner.test_plans import SNAPSHOTS

pytestmark = pytest.mark.node
HERE = Path(__file__).parent


def _params() -> list[tuple[str, Path, str]]:
    params = [(f"snapshot/{name}", path, query) for name, (path, query) in sorted(SNAPSHOTS.items())]
    for case in load_cases():
        supergraph = case.path / "supergraph.graphql"
        for query in case.queries:
            params.append((query.id, supergraph, query.query))
    return params


PARAMS = _params()

# Queries where our plan takes one fetch more than Apollo's, each reviewed: two sibling fields under one
# parent each jump to the same subgraph (two _entities fetches in parallel, at the children's paths) where
# Apollo enters that subgraph once through the common parent (an entity, or the root for shared roots).
# Same depth, correct answers; merging sibling jumps through their parent is a planner optimization not
# done yet. Where Apollo's plan is also wrong (its answer loses data: the case's .oracle-deviation.json),
# that is said too.
ONE_MORE_FETCH = {
    "child_type_mismatch/03-child-fields-under-teams-root": "lead and members -> accounts, Apollo via Team",
    "child_type_mismatch/07-named-fragments-abstract-and-concrete": "owner, staff -> teams; Apollo: root",
    "child_type_mismatch/09-user-to-team-and-back": "Apollo's plan drops owner's data (deviation)",
    "union_intersection/09-shareable-value-unions-with-differing-members": "Apollo never fetches Movie.year",
    "provides_on_interface/08-provides-inside-entity-fetch": "author and related -> catalog, Apollo via Book",
}


@pytest.fixture(scope="module")
def apollo_plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[dict[str, str]] | str]:
    """Apollo's fetches for every parameter, computed by one node process."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node/npm are not installed")
    ensure_oracle_installed()
    jobs = [{"supergraph": str(path), "query": query} for _, path, query in PARAMS]
    jobs_file = tmp_path_factory.mktemp("apollo") / "jobs.json"
    jobs_file.write_text(json.dumps(jobs))
    completed = subprocess.run(
        ["node", str(HERE / "apollo_plan.mjs"), str(ORACLE_DIR / "node_modules"), str(jobs_file)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    results = json.loads(completed.stdout)
    return {
        name: (result["fetches"] if "fetches" in result else result["error"])
        for (name, _, _), result in zip(PARAMS, results, strict=True)
    }


@pytest.mark.parametrize(("name", "supergraph_path", "query"), PARAMS, ids=[p[0] for p in PARAMS])
def test_no_more_fetches_than_apollo(
    apollo_plans: dict[str, list[dict[str, str]] | str], name: str, supergraph_path: Path, query: str
) -> None:
    try:
        document = parse(query)
    except GraphQLError:
        pytest.skip("the document does not parse: a request error, nothing to plan")
    supergraph = load_supergraph(supergraph_path.read_text())
    if validate(build_api_schema(supergraph.document, supergraph.links), document):
        pytest.skip("the document is invalid: a request error, nothing to plan")
    operation = find_operation(document, None)
    if operation is None:
        pytest.skip("the document needs an operation name: it is a request error, nothing to plan")
    if operation.operation.value == "subscription":
        pytest.skip("subscriptions are not planned")
    ours = build_query_plan(supergraph, operation, fragments_of(document))
    apollo = apollo_plans[name]
    if isinstance(apollo, str):
        if "context/v0.1" in apollo and "unsupported" in apollo:
            pytest.skip("Apollo's JS planner does not support @context/@fromContext")
        pytest.fail(f"Apollo's planner failed: {apollo}")
    allowed = len(apollo) + (1 if name in ONE_MORE_FETCH else 0)
    assert len(ours.fetches) <= allowed, (
        f"{name}: ours {[(f.service, '.'.join(f.path)) for f in ours.fetches]} vs Apollo {apollo}"
    )
