"""Query plans for the hard corners of Federation 2, one family each, on the federation cases' supergraphs.

Why: each family was answered wrongly before (issue 12); the responses are checked end to end by
tests/federation (real subgraphs), and here the plan itself is pinned: a printed snapshot per family
(``tests/planner/snapshots/family-*.txt``, regenerate with UPDATE_SNAPSHOTS=1 after reviewing the diff) plus
the structural property that makes the answer right, so a snapshot update cannot silently accept a wrong plan.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from graphql import parse

from gateway.planner import build_query_plan
from gateway.planner.nodes import FetchNode, QueryPlan
from gateway.planner.operation import find_operation, fragments_of
from gateway.planner.printer import format_plan
from gateway.supergraph.model import load_supergraph

HERE = Path(__file__).parent
CASES = HERE.parent / "federation" / "cases"

# family -> (case, query file prefix)
FAMILIES = {
    "shared-root-value-type": ("shared_roots", "04"),
    "shared-root-entity-below-value": ("shared_roots", "10"),
    "union-members-differ": ("union_intersection", "03"),
    "union-members-one-subgraph": ("union_members_one_subgraph", "02"),
    "child-type-differs": ("child_type_mismatch", "03"),
    "parent-entity-call": ("parent_entity_calls", "01"),
    "parent-entity-call-three-subgraphs": ("parent_entity_calls", "05"),
    "interface-object-unresolvable-key": ("interface_object_unresolvable", "04"),
    "provides-on-interface": ("provides_on_interface", "06"),
    "requires-with-arguments": ("requires_with_args", "03"),
}


def family_plan(family: str) -> QueryPlan:
    case, prefix = FAMILIES[family]
    folder = CASES / case
    query_file = next((folder / "queries").glob(f"{prefix}-*.graphql"))
    document = parse(query_file.read_text())
    operation = find_operation(document, None)
    assert operation is not None
    supergraph = load_supergraph((folder / "supergraph.graphql").read_text())
    return build_query_plan(supergraph, operation, fragments_of(document))


def by_place(result: QueryPlan) -> dict[tuple[str, str], FetchNode]:
    return {(f.service, ".".join(f.path)): f for f in result.fetches}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_family_plan_snapshot(family: str) -> None:
    printed = format_plan(family_plan(family)) + "\n"
    snapshot = HERE / "snapshots" / f"family-{family}.txt"
    if os.environ.get("UPDATE_SNAPSHOTS") or not snapshot.exists():
        snapshot.write_text(printed)
    assert printed == snapshot.read_text()


def test_shared_value_root_is_asked_from_each_subgraph_for_its_own_fields() -> None:
    result = family_plan("shared-root-value-type")
    # no key: one root fetch per subgraph owning requested fields, all in parallel, merged by the executor
    assert all(f.requires is None and not f.depends_on for f in result.fetches)
    operations = {f.service: f.operation for f in result.fetches}
    assert set(operations) == {"category", "name", "price"}
    assert "name" not in operations["category"]
    assert "price" not in operations["category"]
    assert "category" not in operations["name"]
    assert "price" not in operations["name"]


def test_entity_below_a_shared_value_root_continues_through_its_key() -> None:
    places = by_place(family_plan("shared-root-entity-below-value"))
    assert ("name", "") in places
    assert ("category", "") in places
    assert {("category", "products.@.book"), ("price", "products.@.book")} <= set(places)


def test_union_members_are_asked_only_where_the_subgraph_has_them() -> None:
    result = family_plan("union-members-differ")
    # cinema types the shared root featured as [Book!]!: no fragment on Movie, Song or Podcast goes there
    for fetch in result.fetches:
        if fetch.service == "cinema":
            assert "...on Song" not in fetch.operation
            assert "...on Podcast" not in fetch.operation


def test_child_type_is_planned_as_the_subgraph_declares_it() -> None:
    places = by_place(family_plan("child-type-differs"))
    root = places[("teams", "")]
    # teams declares lead: User! and members: [User!]!: fields are selected directly, no fragment on
    # Account or Bot (teams has neither), and __typename is asked for the abstract supergraph position
    assert "...on" not in root.operation
    assert "lead{__typename id title}" in root.operation
    assert ("accounts", "teams.@.lead") in places


def test_parent_entity_call_goes_back_through_the_parent() -> None:
    result = family_plan("parent-entity-call")
    places = by_place(result)
    # Category has no key in shelf: its details come from shelf through Product, never through Category
    assert ("shelf", "products.@") in places
    assert all(f.path != ("products", "@", "category") or f.service != "shelf" for f in result.fetches)


def test_three_subgraph_chain_gets_the_compound_key_first() -> None:
    places = by_place(family_plan("parent-entity-call-three-subgraphs"))
    shelf = places[("shelf", "products.@")]
    warehouse = places[("warehouse", "products.@")]
    assert shelf.id in warehouse.depends_on
    assert "sku" in shelf.operation
    assert "region" in shelf.operation


def test_no_entities_call_to_an_unresolvable_interface_object() -> None:
    result = family_plan("interface-object-unresolvable-key")
    assert all(f.service != "feed" for f in result.fetches if f.requires is not None)
    content = [f for f in result.fetches if f.service == "content" and f.requires is not None]
    assert content
    assert all(r.rep_typename == "Node" for f in content for r in f.requires or ())


def test_provides_on_interface_reads_only_the_named_implementation() -> None:
    places = by_place(family_plan("provides-on-interface"))
    root = places[("shelf", "")]
    assert "title" in root.operation
    assert "name" in root.operation
    catalog = places[("catalog", "featured")]
    assert "minutes" in catalog.operation
    assert "born" in catalog.operation


def test_each_requirement_gets_the_arguments_it_required() -> None:
    result = family_plan("requires-with-arguments")
    inventory = next(f for f in result.fetches if f.service == "inventory")
    for unit in ("KILOGRAM", "GRAM", "POUND"):
        assert f"weight(unit:{unit})" in inventory.operation
    reads: dict[str, str] = {}
    for fetch in result.fetches:
        for requirement in fetch.requires or ():
            for rep_field in requirement.spec.fields:
                if rep_field.output == "weight":
                    reads[fetch.service] = rep_field.read
    # three requiring subgraphs, three different response keys, each sent as "weight"
    assert len(set(reads.values())) == 3
