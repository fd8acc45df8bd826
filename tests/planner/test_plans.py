"""Query plans for each federation feature, as printed-plan snapshots plus structural assertions.

Snapshots live in tests/planner/snapshots/<name>.txt; regenerate with UPDATE_SNAPSHOTS=1 after reviewing the
diff by eye. The structural tests state the property that matters (fetch count, order, dependencies) so that a
snapshot update cannot silently accept a worse plan.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from graphql import parse

from gateway.planner import PlanningError, build_query_plan
from gateway.planner.nodes import QueryPlan
from gateway.planner.operation import find_operation, fragments_of
from gateway.planner.printer import format_plan, plan_to_json
from gateway.supergraph.model import Supergraph, load_supergraph

HERE = Path(__file__).parent
ROOT = HERE.parent.parent
BENCH = ROOT / "bench" / "data" / "supergraph.graphql"
MEDIA = HERE / "supergraphs" / "media.graphql"
VALUES = HERE / "supergraphs" / "values.graphql"
FED1 = ROOT / "tests" / "federation" / "cases" / "fed1_bench" / "supergraph.graphql"
CONTEXT = ROOT / "tests" / "federation" / "cases" / "from_context" / "supergraph.graphql"

_cache: dict[Path, Supergraph] = {}


def supergraph(path: Path) -> Supergraph:
    if path not in _cache:
        _cache[path] = load_supergraph(path.read_text())
    return _cache[path]


def plan(path: Path, query: str, labels: frozenset[str] = frozenset()) -> QueryPlan:
    document = parse(query)
    operation = find_operation(document, None)
    assert operation is not None
    return build_query_plan(supergraph(path), operation, fragments_of(document), labels)


def services(result: QueryPlan) -> list[tuple[str, str]]:
    return [(f.service, ".".join(f.path)) for f in result.fetches]


SNAPSHOTS = {
    "bench-light": (BENCH, "{ users { id username name } }"),
    "bench-requires": (BENCH, "{ me { name reviews { body product { name shippingEstimate } } } }"),
    "bench-provides": (BENCH, "{ topProducts { reviews { author { username } } } }"),
    "bench-provides-partial": (BENCH, "{ topProducts { reviews { author { username name } } } }"),
    "media-interface-object-fields": (MEDIA, "{ media { id title reviews { score } } }"),
    "media-interface-object-concrete": (
        MEDIA,
        "{ topMedia { id title ... on Book { author } reviews { score } } }",
    ),
    "media-interface-object-typename": (MEDIA, "{ topMedia { __typename id } }"),
    "media-union-requires-args": (
        MEDIA,
        '{ search(term: "x") { __typename ... on Book { title reviews { score } } '
        '... on Product { name shipping(zone: "US") gadget { sku power } } } }',
    ),
    "media-nested-key": (MEDIA, "{ shelves { label capacity owner { id } } }"),
    "media-mutations": (
        MEDIA,
        'mutation { addBook(title: "x") { id title reviews { score } } addReview(mediaId: "1", score: 5) '
        '{ score } rename(id: "1", title: "y") { id } ping(note: "n") }',
    ),
    "media-skip-include": (
        MEDIA,
        "query($v: Boolean!) { media { id ... @include(if: $v) { reviews { score } } title @skip(if: $v) } }",
    ),
    "values-shared-differing-fields": (VALUES, "{ me { address { street city zip geo { lat lng } } } }"),
    "values-whole-field-from-other-subgraph": (VALUES, "{ me { address { zip geo { lng } } } }"),
    "context-from-ancestor": (CONTEXT, "{ customers { name orders { id total } } }"),
    "fed1-join-v0.1": (
        FED1,
        "{ topProducts { name reviews { id author { username } } } "
        "me { reviews { product { name inStock } } } }",
    ),
}


@pytest.mark.parametrize("name", sorted(SNAPSHOTS))
def test_plan_snapshot(name: str) -> None:
    path, query = SNAPSHOTS[name]
    printed = format_plan(plan(path, query)) + "\n"
    snapshot = HERE / "snapshots" / f"{name}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") or not snapshot.exists():
        snapshot.write_text(printed)
    assert printed == snapshot.read_text()


def test_heavy_query_plan_is_minimal() -> None:
    result = plan(BENCH, (ROOT / "bench" / "data" / "heavy.graphql").read_text())
    pairs = services(result)
    # one fetch per (subgraph, merge path): siblings share fetches, no N+1 whatever the list sizes
    assert len(pairs) == len(set(pairs)) == 13
    roots = [f for f in result.fetches if not f.depends_on]
    assert {f.service for f in roots} == {"accounts", "products"}  # independent root fetches run in parallel


def test_requires_waits_for_the_fetch_providing_its_fields() -> None:
    result = plan(BENCH, "{ me { reviews { product { shippingEstimate } } } }")
    by_key = {(f.service, ".".join(f.path)): f for f in result.fetches}
    inventory = by_key[("inventory", "me.reviews.@.product")]
    products = by_key[("products", "me.reviews.@.product")]
    assert products.id in inventory.depends_on
    assert inventory.requires_text == "{... on Product {__typename upc price weight}}"


def test_provides_avoids_a_fetch() -> None:
    result = plan(BENCH, "{ topProducts { reviews { author { username } } } }")
    assert [f.service for f in result.fetches] == ["products", "reviews"]


def test_progressive_override_follows_labels() -> None:
    query = "{ products { id price } }"
    assert [f.service for f in plan(MEDIA, query).fetches] == ["b"]
    assert [f.service for f in plan(MEDIA, query, frozenset({"percent(50)"})).fetches] == ["a"]


def test_shareable_root_field_picks_the_subgraph_that_resolves_most() -> None:
    # Product.stock exists only in b; products is shareable between a and b
    assert [f.service for f in plan(MEDIA, "{ products { id name stock } }").fetches] == ["b"]


def test_mutations_run_in_document_order() -> None:
    result = plan(MEDIA, SNAPSHOTS["media-mutations"][1])
    roots = [f for f in result.fetches if f.operation_kind == "mutation"]
    assert [f.service for f in roots] == ["a", "b", "a", "c"]
    # each mutation fetch waits for everything before it, including entity fetches of earlier fields
    for earlier, later in zip(result.fetches, result.fetches[1:]):
        if later.operation_kind == "mutation":
            assert earlier.id in later.depends_on


def test_interface_object_jumps_use_the_interface_typename() -> None:
    result = plan(MEDIA, "{ media { id reviews { score } } }")
    entity = result.fetches[1]
    assert entity.service == "b"
    assert {(r.typename, r.rep_typename) for r in entity.requires or ()} == {
        ("Book", "Media"),
        ("Movie", "Media"),
    }


def test_internal_key_field_gets_an_alias_when_the_client_uses_its_name() -> None:
    result = plan(BENCH, "{ me { id: name reviews { body } } }")
    root = result.fetches[0]
    assert "_fed_id:id" in root.operation
    requirement = (result.fetches[1].requires or ())[0]
    assert [(f.output, f.read) for f in requirement.spec.fields] == [("id", "_fed_id")]


def test_variables_reach_only_the_fetches_that_use_them() -> None:
    result = plan(
        MEDIA,
        'query($t: String!, $z: String = "EU") '
        "{ search(term: $t) { ... on Product { shipping(zone: $z) } } }",
    )
    by_service = {f.service: f for f in result.fetches}
    assert by_service["a"].variable_usages == ("t",)
    assert by_service["c"].variable_usages == ("z",)
    assert '$z:String="EU"' in by_service["c"].operation


def test_plan_json_has_apollo_shape() -> None:
    result = plan_to_json(plan(BENCH, "{ me { name reviews { body } } }"))
    assert result["kind"] == "QueryPlan"
    sequence = result["node"]
    assert sequence["kind"] == "Sequence"
    assert sequence["nodes"][0]["kind"] == "Fetch"
    assert sequence["nodes"][1]["kind"] == "Flatten"
    assert sequence["nodes"][1]["path"] == ["me"]


def test_subscriptions_are_refused() -> None:
    sg = supergraph(BENCH)
    operation = parse("subscription { users { id } }").definitions[0]
    with pytest.raises(PlanningError, match="Subscriptions"):
        build_query_plan(sg, operation)  # type: ignore[arg-type]


def test_planning_is_deterministic() -> None:
    query = SNAPSHOTS["media-union-requires-args"][1]
    assert format_plan(plan(MEDIA, query)) == format_plan(plan(MEDIA, query))


def test_fetches_entirely_under_skip_include_carry_their_conditions() -> None:
    result = plan(MEDIA, SNAPSHOTS["media-skip-include"][1])
    root, entity = result.fetches
    assert root.conditions is None
    assert root.needed({})
    assert entity.conditions == (frozenset({("v", True)}),)
    assert entity.needed({"v": True})
    assert not entity.needed({"v": False})
    literal = plan(MEDIA, "{ media { id reviews @include(if: false) { score } } }")
    assert [f.service for f in literal.fetches if f.needed({})] == ["a"]


def test_from_context_fetches_the_ancestor_value_and_passes_a_variable() -> None:
    result = plan(CONTEXT, "{ customers { name orders { id total } } }")
    root, entity = result.fetches
    assert "currency" in root.operation  # the context value is selected on the ancestor
    assert entity.service == "shop"  # same subgraph, but through _entities: values differ per ancestor
    assert [(c.variable, c.depth, c.type) for c in entity.contexts] == [("ctxArg_0", 2, "String")]
    assert entity.entities_selection == "{...on Order{total(currency:$ctxArg_0)}}"
