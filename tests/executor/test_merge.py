"""Merging subgraph results into the response tree, and walking it by flatten paths."""

from __future__ import annotations

from gateway.executor.merge import collect_object_paths, collect_objects, deep_merge


def test_collect_objects_flattens_lists_and_skips_nulls() -> None:
    first = {"reviews": [{"id": 1}, None, {"id": 2}]}
    data = {"users": [first, None, {"reviews": None}, {"reviews": [{"id": 3}]}]}
    assert collect_objects(data, ("users", "@", "reviews", "@")) == [{"id": 1}, {"id": 2}, {"id": 3}]


def test_collect_objects_nested_lists() -> None:
    data = {"grid": [[{"v": 1}, {"v": 2}], [], [{"v": 3}]]}
    assert collect_objects(data, ("grid", "@", "@")) == [{"v": 1}, {"v": 2}, {"v": 3}]


def test_collect_object_paths_gives_concrete_paths() -> None:
    data = {"users": [{"reviews": [{"id": 1}]}, {"reviews": [{"id": 2}, {"id": 3}]}]}
    paths = [path for _, path in collect_object_paths(data, ("users", "@", "reviews", "@"))]
    assert paths == [["users", 0, "reviews", 0], ["users", 1, "reviews", 0], ["users", 1, "reviews", 1]]


def test_deep_merge_combines_nested_objects_and_lists() -> None:
    target = {"me": {"id": "1", "reviews": [{"id": "r1"}, {"id": "r2"}]}}
    deep_merge(target, {"me": {"name": "Ada", "reviews": [{"body": "a"}, {"body": "b"}]}})
    assert target == {
        "me": {"id": "1", "reviews": [{"id": "r1", "body": "a"}, {"id": "r2", "body": "b"}], "name": "Ada"}
    }


def test_deep_merge_null_never_erases_data_from_another_fetch() -> None:
    target = {"product": {"upc": "1", "name": "Table"}}
    deep_merge(target, {"product": None})
    assert target == {"product": {"upc": "1", "name": "Table"}}


def test_deep_merge_keeps_typename_when_told() -> None:
    target = {"__typename": "Book", "id": "1"}
    deep_merge(target, {"__typename": "Media", "reviews": []}, merge_typename=False)
    assert target == {"__typename": "Book", "id": "1", "reviews": []}
    deep_merge(target, {"__typename": "Novel"})
    assert target["__typename"] == "Novel"
