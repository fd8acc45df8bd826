"""Repeated identical fields: collapsed before validation (``gateway/pipeline/dedupe.py``), and every early
stop of validation names the limit that was hit (``gateway/pipeline/prepare.py``).

Before the fix, ``{ users { id id ... } }`` with ``id`` 1,000 times was refused with "Validation aborted."
after ~0.1 s (~1 s for a repeated object field) of event-loop time: graphql-core's field-merging rule
compares every pair of same-named fields and aborts when its complexity budget runs out.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from graphql import DocumentNode, FieldNode, OperationDefinitionNode, parse, print_ast
from graphql.validation.rules import overlapping_fields_can_be_merged

import gateway.pipeline.prepare as prepare_module
from gateway.app import create_app
from gateway.config.model import Config
from gateway.config.policies import LimitsConfig
from gateway.pipeline.dedupe import dedupe_document
from gateway.pipeline.prepare import MAX_VALIDATION_ERRORS, RequestError, prepare_operation
from gateway.pipeline.runner import GatewayPipeline
from gateway.supergraph.api_schema import build_api_schema
from gateway.supergraph.model import load_supergraph
from tests.federation.case_loader import CASES_DIR, load_case, rewrite_urls
from tests.support.subgraph_kit import SubgraphKit, running_subgraphs

SUPERGRAPH = (Path(__file__).parent.parent.parent / "bench" / "data" / "supergraph.graphql").read_text()
GRJ = {"Accept": "application/graphql-response+json", "Content-Type": "application/json"}

ID_1000 = "{ users { " + "id " * 1000 + "} }"
ID_ONCE = "{ users { id } }"
NESTED_1000 = "{ users { " + "reviews { body product { upc name } } " * 1000 + "} }"
NESTED_ONCE = "{ users { reviews { body product { upc name } } } }"


# ---- unit: dedupe_document ---------------------------------------------------------------------------------


def deduped(query: str) -> str:
    return print_ast(dedupe_document(parse(query)))


def printed(query: str) -> str:
    return print_ast(parse(query))


def root_selections(document: DocumentNode) -> tuple[Any, ...]:
    operation = document.definitions[0]
    assert isinstance(operation, OperationDefinitionNode)
    return operation.selection_set.selections


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ id id name id }", "{ id name }"),
        # nested: sub-selections are deduplicated first, so `a { x x }` is identical to `a { x }`
        ("{ a { x } b a { x x } }", "{ a { x } b }"),
        ("{ a { b { c c } b { c } } a { b { c } } }", "{ a { b { c } } }"),
        # aliases and arguments: identical copies collapse, values compared structurally
        ("{ f(x: 1) f(x: 1) a: f(x: 1) a: f(x: 1) }", "{ f(x: 1) a: f(x: 1) }"),
        ('{ f(o: {a: [1, "s"], b: null}) f(o: {a: [1, "s"], b: null}) }', '{ f(o: {a: [1, "s"], b: null}) }'),
        ("query($v: Int) { f(x: $v) f(x: $v) }", "query($v: Int) { f(x: $v) }"),
        # @skip/@include with the same arguments
        ("{ a @include(if: $v) a @include(if: $v) }", "{ a @include(if: $v) }"),
        # fragment spreads, inline fragments and selections inside fragment definitions
        ("{ ...F ...F } fragment F on T { z z }", "{ ...F } fragment F on T { z }"),
        ("{ ... on T { a } ... on T { a a } ... { b } ... { b } }", "{ ... on T { a } ... { b } }"),
        # only siblings are compared: the same name at another level (or with a selection) is another field
        ("{ a a { a a } }", "{ a a { a } }"),
    ],
)
def test_identical_siblings_collapse(query: str, expected: str) -> None:
    assert deduped(query) == printed(expected)


@pytest.mark.parametrize(
    "query",
    [
        "{ a { x } a { y } }",
        "{ f(x: 1) f(x: 2) }",
        "{ a: f(x: 1) a: f(x: 2) }",
        "{ a: f b: f }",
        "{ f(x: 1, y: 2) f(y: 2, x: 1) }",  # another argument order: not identical, left to validation
        "{ f(o: {a: 1, b: 2}) f(o: {b: 2, a: 1}) }",
        "{ a @include(if: $v) a @skip(if: $v) a }",
        "{ a @include(if: true) a @include(if: false) }",
        "{ ...F ...G ... on T { a } ... on U { a } ... { a } }",
        "{ a { x } a { x y } }",
        # directives other than @skip/@include may mean something per occurrence: never collapsed
        "{ a @foo a @foo }",
        "{ a { b @foo } a { b @foo } }",
        '{ ... @defer(label: "l") { a } ... @defer(label: "l") { a } }',
    ],
)
def test_non_identical_selections_are_left_alone(query: str) -> None:
    document = parse(query)
    assert dedupe_document(document) is document


def test_no_duplicates_returns_the_same_document() -> None:
    for query in (
        "{ users { id name reviews { body } } }",
        "query Q($a: Int) { a(x: $a) { b } } fragment F on T { c }",
    ):
        document = parse(query)
        assert dedupe_document(document) is document


def test_the_first_occurrence_is_kept_and_untouched_nodes_are_shared() -> None:
    document = parse("{ x { y } id name id x { y } other { deep { z } } }")
    result = dedupe_document(document)
    before, after = root_selections(document), root_selections(result)
    assert [s.name.value for s in after] == ["x", "id", "name", "other"]
    assert after[0] is before[0]
    assert after[1] is before[1]
    assert after[3] is before[5], "a subtree without duplicates is reused as is"
    assert document.definitions[0] is not result.definitions[0]
    assert print_ast(document).count("id") == 2, "the input document is not modified"


def test_a_thousand_nested_duplicates_collapse_to_one() -> None:
    result = dedupe_document(parse(NESTED_1000))
    users = root_selections(result)[0]
    assert isinstance(users, FieldNode)
    assert users.selection_set is not None
    assert len(users.selection_set.selections) == 1
    assert print_ast(result) == printed(NESTED_ONCE)


def test_deep_documents_do_not_recurse() -> None:
    """The walk is iterative: the parser's deepest nesting is fine whatever the recursion limit."""
    depth = 190
    query = "{ " + "a { " * depth + "b b" + " }" * depth + " }"
    expected = "{ " + "a { " * depth + "b" + " }" * depth + " }"
    assert deduped(query) == printed(expected)


# ---- validation: what is refused, and how ------------------------------------------------------------------


@pytest.fixture(scope="module")
def api_schema() -> Any:
    supergraph = load_supergraph(SUPERGRAPH)
    return build_api_schema(supergraph.document, supergraph.links)


def refusal(api_schema: Any, query: str) -> list[dict[str, Any]]:
    with pytest.raises(RequestError) as raised:
        prepare_operation(api_schema, query, None)
    assert {e["extensions"]["code"] for e in raised.value.errors} == {"GRAPHQL_VALIDATION_FAILED"}
    return raised.value.errors


@pytest.mark.parametrize(("repeated", "once"), [(ID_1000, ID_ONCE), (NESTED_1000, NESTED_ONCE)])
def test_a_field_repeated_1000_times_is_valid(api_schema: Any, repeated: str, once: str) -> None:
    prepared = prepare_operation(api_schema, repeated, None)
    # what is validated is also what is planned and projected
    assert print_ast(prepared.document) == printed(once)
    assert prepared.operation is prepared.document.definitions[0]


@pytest.mark.parametrize(
    ("query", "conflict"),
    [
        ("{ users { a: id a: name } }", "Fields 'a' conflict"),
        ('{ a: user(id: "1") { id } a: user(id: "2") { id } }', "Fields 'a' conflict"),
        ("{ topProducts(first: 1) { upc } topProducts(first: 2) { upc } }", "Fields 'topProducts' conflict"),
    ],
)
def test_conflicts_are_still_refused(api_schema: Any, query: str, conflict: str) -> None:
    errors = refusal(api_schema, query)
    assert len(errors) == 1
    assert errors[0]["message"].startswith(conflict)


def test_an_invalid_duplicated_field_is_reported_at_its_first_occurrence(api_schema: Any) -> None:
    errors = refusal(api_schema, "{ users {\n  nope\n  nope } }")
    assert [e["locations"] for e in errors] == [[{"line": 2, "column": 3}]]
    assert errors[0]["message"].startswith("Cannot query field 'nope' on type 'User'.")


def test_the_validation_error_limit_is_named(api_schema: Any) -> None:
    errors = refusal(api_schema, "{ users { " + " ".join(f"n{i}" for i in range(150)) + " } }")
    assert len(errors) == MAX_VALIDATION_ERRORS + 1
    last = errors[-1]["message"]
    assert "Validation aborted" not in last
    assert last.startswith(
        f"validation stopped after {MAX_VALIDATION_ERRORS} errors (the validation error limit)"
    )


def test_the_field_merging_budget_is_named(api_schema: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same-named fields that are not identical still cost pairwise comparisons; running out of graphql-core's
    budget is refused with a message naming it (budget lowered here so the test stays fast)."""
    monkeypatch.setattr(overlapping_fields_can_be_merged, "MAX_COMPLEXITY_BUDGET", 1000)
    variables = ", ".join(f"$v{i}: Boolean = true" for i in range(60))
    fields = " ".join(f"id @include(if: $v{i})" for i in range(60))
    errors = refusal(api_schema, f"query({variables}) {{ users {{ {fields} }} }}")
    assert [e["message"] for e in errors] == [
        "validation stopped: comparing fields that share a response name exceeded the field merging budget "
        "(1000 units, graphql-core's MAX_COMPLEXITY_BUDGET); use different aliases or fewer repeated fields "
        "with the same name"
    ]


def test_the_fragment_nesting_limit_is_named(api_schema: Any) -> None:
    levels = 120  # each fragment nests three selection sets: far beyond graphql-core's 200 levels
    fragments = "\n".join(
        f"fragment F{i} on User {{ reviews {{ author {{ ...F{i + 1} }} }} }}" for i in range(levels)
    )
    query = "{ users { ...F0 } }\n" + fragments + f"\nfragment F{levels} on User {{ id }}"
    errors = refusal(api_schema, query)
    assert errors[-1]["message"] == (
        "validation stopped: selections nest deeper than 200 levels through fragments "
        "(graphql-core's nesting limit)"
    )


# ---- end to end: a real gateway on 127.0.0.1 and the benchmark's real subgraph servers -------------------


@pytest.fixture
async def kit() -> AsyncIterator[SubgraphKit]:
    case = load_case(CASES_DIR / "fed1_bench")
    async with running_subgraphs(case.subgraph_specs()) as running:
        yield running


def disable_dedupe(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pipeline as it was before deduplication (for operations prepared from now on)."""
    monkeypatch.setattr(prepare_module, "dedupe_document", lambda document: document)


class Gateway:
    def __init__(self, server: Any, session: aiohttp.ClientSession) -> None:
        self.server = server
        self.session = session

    async def post(self, query: str) -> tuple[int, dict[str, Any]]:
        async with self.session.post(
            self.server.make_url("/graphql"), json={"query": query}, headers=GRJ
        ) as r:
            return r.status, await r.json()


@pytest.fixture
async def start_gateway(aiohttp_server: Any, kit: SubgraphKit) -> AsyncIterator[Any]:
    async with aiohttp.ClientSession() as session:

        async def start(config: Config | None = None) -> Gateway:
            config = config or Config()
            pipeline = GatewayPipeline(config)
            pipeline.load_supergraph(rewrite_urls(SUPERGRAPH, kit.urls))
            server = await aiohttp_server(create_app(config, pipeline), host="127.0.0.1")
            return Gateway(server, session)

        yield start


@pytest.mark.parametrize(("repeated", "once"), [(ID_1000, ID_ONCE), (NESTED_1000, NESTED_ONCE)])
async def test_a_field_repeated_1000_times_answers_like_the_field_once(
    start_gateway: Any, kit: SubgraphKit, repeated: str, once: str
) -> None:
    gateway = await start_gateway()
    status_once, body_once = await gateway.post(once)
    assert status_once == 200
    assert "errors" not in body_once
    assert body_once["data"]["users"], "the benchmark data has users"
    fetches_once = [(r.subgraph, r.query) for r in kit.requests()]
    kit.clear_log()
    status, body = await gateway.post(repeated)
    assert status == 200, body
    assert body == body_once
    assert [(r.subgraph, r.query) for r in kit.requests()] == fetches_once, "subgraphs get the field once"


async def test_without_dedupe_the_refusal_names_the_field_merging_budget(
    start_gateway: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the probe saw, now with a message naming the limit: without deduplication graphql-core's budget
    for comparing same-named fields runs out on this valid query."""
    disable_dedupe(monkeypatch)
    gateway = await start_gateway()
    status, body = await gateway.post(ID_1000)
    assert status == 400
    assert [e["extensions"]["code"] for e in body["errors"]] == ["GRAPHQL_VALIDATION_FAILED"]
    assert "field merging budget" in body["errors"][0]["message"]


MIXED = """
query Mixed($first: Int = 3) {
  topProducts(first: $first) { upc name upc reviews { body } price reviews { body author { username } } }
  me { id ... on User { name } id ... on User { name } u: username reviews { body } u: username }
  topProducts(first: $first) { upc name }
  ...R
  ...R
}
fragment R on Query { users { id name id } }
"""


async def test_responses_are_identical_with_and_without_dedupe(
    start_gateway: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Small enough for validation to pass either way: the deduplicated document answers byte for byte the
    same as the original one, key order included."""
    gateway = await start_gateway()
    status, body = await gateway.post(MIXED)
    assert status == 200
    assert "errors" not in body, body
    disable_dedupe(monkeypatch)
    plain = await start_gateway()
    status_plain, body_plain = await plain.post(MIXED)
    assert status_plain == 200
    assert list(body["data"]["me"]) == ["id", "name", "u", "reviews"]
    assert body == body_plain
    assert list(body["data"]) == list(body_plain["data"])


async def test_distinct_aliases_are_bounded_by_the_alias_limit(start_gateway: Any, kit: SubgraphKit) -> None:
    gateway = await start_gateway()
    status, body = await gateway.post("{ users { " + " ".join(f"a{i}: id" for i in range(1000)) + " } }")
    assert status == 400
    assert body["errors"] == [
        {
            "message": "Maximum aliases limit exceeded in this operation",
            "extensions": {"code": "MAX_ALIASES_LIMIT", "limit": 100, "measured": 1000},
        }
    ]
    assert kit.requests() == []


async def test_the_token_limit_refusal_carries_the_limit(start_gateway: Any) -> None:
    gateway = await start_gateway(Config(limits=LimitsConfig(parser_max_tokens=500)))
    status, body = await gateway.post(ID_1000)
    assert status == 400
    assert body["errors"] == [
        {
            "message": "parsing error: token limit reached, aborting lexing",
            "extensions": {"code": "PARSING_ERROR", "limit": 500},
        }
    ]


async def test_the_validation_error_limit_is_named_over_http(start_gateway: Any) -> None:
    gateway = await start_gateway()
    status, body = await gateway.post("{ users { " + " ".join(f"n{i}" for i in range(150)) + " } }")
    assert status == 400
    assert len(body["errors"]) == MAX_VALIDATION_ERRORS + 1
    assert body["errors"][-1] == {
        "message": "validation stopped after 100 errors (the validation error limit); fix these first",
        "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"},
    }
