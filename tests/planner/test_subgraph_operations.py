"""Every fetch of every plan is a valid operation for the subgraph it goes to.

Why: the gateway must never ask a subgraph for a field it lacks, a type condition on a union member it does
not have, or an argument it does not define (shared roots, unions that differ per subgraph, fields whose type
differs per subgraph, interface objects). Each federation case's subgraph SDLs are built into real schemas
(with ``_entities``/``_Any`` as the subgraph kit serves them) and every fetch our planner makes for every case
query is validated against its subgraph's schema, so a plan that a real subgraph would refuse fails here
without running anything.
"""

from __future__ import annotations

from functools import cache

import pytest
from graphql import GraphQLError, GraphQLSchema, parse, validate

from gateway.planner import PlanningError, build_query_plan
from gateway.planner.operation import find_operation, fragments_of
from gateway.supergraph.api_schema import build_api_schema
from gateway.supergraph.model import Supergraph, load_supergraph
from tests.federation.case_loader import Case, CaseQuery, load_cases
from tests.support.subgraph_schema import Resolvers, build_subgraph_schema

CASES = load_cases()
PARAMS = [pytest.param(case, query, id=query.id) for case in CASES for query in case.queries]


@cache
def _supergraph(case_name: str) -> Supergraph:
    case = next(c for c in CASES if c.name == case_name)
    return load_supergraph(case.supergraph_path.read_text())


@cache
def _subgraph_schema(case_name: str, subgraph: str) -> GraphQLSchema:
    case = next(c for c in CASES if c.name == case_name)
    return build_subgraph_schema(case.subgraph_sdls[subgraph], Resolvers()).schema


@pytest.mark.parametrize(("case", "query"), PARAMS)
def test_every_fetch_is_valid_for_its_subgraph(case: Case, query: CaseQuery) -> None:
    if not case.subgraph_sdls:
        pytest.skip("the case has no subgraph SDLs")
    supergraph = _supergraph(case.name)
    try:
        document = parse(query.query)
    except GraphQLError:
        pytest.skip("the document does not parse")
    if validate(build_api_schema(supergraph.document, supergraph.links), document):
        pytest.skip("the document is invalid for the API schema: nothing is planned")
    operation = find_operation(document, None)
    if operation is None or operation.operation.value == "subscription":
        pytest.skip("no single operation to plan")
    try:
        plan = build_query_plan(supergraph, operation, fragments_of(document))
    except PlanningError as error:
        pytest.fail(f"planning failed: {error}")
    graphs = {g.name: g for g in supergraph.graphs.values()}
    problems: list[str] = []
    for fetch in plan.fetches:
        if fetch.contexts:
            continue  # assembled per request (one aliased _entities per context value set)
        subgraph = next((name for name in case.subgraph_sdls if name.lower() == fetch.service.lower()), None)
        assert subgraph is not None, f"unknown subgraph {fetch.service}"
        assert fetch.service in graphs
        errors = validate(_subgraph_schema(case.name, subgraph), parse(fetch.operation))
        problems.extend(f"{fetch.service}: {e.message}\n  {fetch.operation}" for e in errors)
    assert not problems, "\n".join(problems)
