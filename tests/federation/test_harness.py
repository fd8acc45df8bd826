"""Tests of the suite's own machinery: the comparison rule, URL rewriting, request checks and case loading."""

from __future__ import annotations

import pytest

from tests.federation.case_loader import CASES_DIR, CaseQuery, load_cases, rewrite_urls
from tests.federation.compare import compare_responses
from tests.federation.runner import check_requests
from tests.support.subgraph_kit import RecordedRequest


def test_data_must_match_with_key_order() -> None:
    expected = {"data": {"a": 1, "b": 2}}
    assert compare_responses({"data": {"a": 1, "b": 2}}, expected) == []
    assert compare_responses({"data": {"b": 2, "a": 1}}, expected)
    assert compare_responses({"data": {"a": 1}}, expected)
    assert compare_responses({"errors": [{"message": "x"}]}, expected)


def test_errors_compare_count_path_and_code_not_message() -> None:
    expected = {"data": None, "errors": [{"message": "m", "path": ["a", 0], "extensions": {"code": "C"}}]}
    same = {"data": None, "errors": [{"message": "other", "path": ["a", 0], "extensions": {"code": "C"}}]}
    assert compare_responses(same, expected) == []
    assert compare_responses({"data": None, "errors": [{"message": "m", "path": ["a", 1]}]}, expected)
    assert compare_responses({"data": None, "errors": [{"message": "m", "path": ["a", 0]}]}, expected)
    assert compare_responses({"data": None, "errors": []}, expected)


def test_errors_compared_in_any_order() -> None:
    first = {"message": "1", "path": ["a"], "extensions": {"code": "A"}}
    second = {"message": "2", "path": ["b"], "extensions": {"code": "B"}}
    assert compare_responses({"errors": [second, first]}, {"errors": [first, second]}) == []


def test_apollo_value_completion_counts_as_errors_by_path() -> None:
    apollo = {"data": None, "extensions": {"valueCompletion": [{"message": "x", "path": ["p", 1]}]}}
    spec = {"data": None, "errors": [{"message": "y", "path": ["p", 1], "extensions": {"code": "ANY"}}]}
    assert compare_responses(spec, apollo) == []
    assert compare_responses({"data": None}, apollo)


def test_rewrite_urls_for_join_v01_and_later() -> None:
    v03 = 'A @join__graph(name: "a", url: "http://a.subgraph.invalid/graphql")'
    v01 = 'B @join__graph(name: "b" url: "http://b.subgraph.invalid/graphql")'
    urls = {"a": "http://127.0.0.1:1/graphql", "b": "http://127.0.0.1:2/graphql"}
    assert rewrite_urls(f"{v03}\n{v01}", urls) == (
        'A @join__graph(name: "a", url: "http://127.0.0.1:1/graphql")\n'
        'B @join__graph(name: "b" url: "http://127.0.0.1:2/graphql")'
    )
    with pytest.raises(KeyError):
        rewrite_urls(v03, {})


def test_check_requests() -> None:
    query = CaseQuery(
        case="c",
        name="q",
        query="{ x }",
        variables=None,
        expected_path=CASES_DIR / "none.json",
        requests={
            "s": {"requests": 1, "entities_requests": 1, "representations": 2, "unique_representations": True}
        },
    )
    entities = (
        "query($representations: [_Any!]!) { _entities(representations: $representations) { __typename } }"
    )
    rep = {"__typename": "T", "id": "1"}
    good = [
        RecordedRequest(
            "s", {"query": entities, "variables": {"representations": [rep, {**rep, "id": "2"}]}}, {}
        )
    ]
    assert check_requests(query, good) == []
    duplicated = [RecordedRequest("s", {"query": entities, "variables": {"representations": [rep, rep]}}, {})]
    assert len(check_requests(query, duplicated)) == 1
    assert len(check_requests(query, good + good)) == 3


def test_every_case_loads_with_resolvers_for_known_subgraphs() -> None:
    for case in load_cases():
        specs = case.subgraph_specs()
        assert {s.name for s in specs} == set(case.subgraph_sdls)
        supergraph = case.supergraph_with_urls({s.name: f"http://127.0.0.1:9/{s.name}" for s in specs})
        assert "subgraph.invalid" not in supergraph
