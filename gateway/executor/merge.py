"""Walking and merging the response tree: pure functions on plain dicts and lists.

Why separate: the executor's only mutation of shared state is here, in one place, always run in the request's
task between awaits (so no locks are needed).
"""

from __future__ import annotations

from typing import Any

JSONObject = dict[str, Any]


def collect_objects(data: JSONObject, path: tuple[str, ...]) -> list[JSONObject]:
    """Objects at a merge path (``'@'`` flattens one list level); nulls and non-objects are skipped."""
    current: list[Any] = [data]
    for segment in path:
        following: list[Any] = []
        if segment == "@":
            for value in current:
                if isinstance(value, list):
                    following.extend(value)
        else:
            for value in current:
                if isinstance(value, dict):
                    child = value.get(segment)
                    if child is not None:
                        following.append(child)
        current = following
    return [value for value in current if isinstance(value, dict)]


def collect_object_paths(data: JSONObject, path: tuple[str, ...]) -> list[tuple[JSONObject, list[str | int]]]:
    """Like ``collect_objects`` but with each object's concrete response path (only used for errors)."""
    current: list[tuple[Any, list[str | int]]] = [(data, [])]
    for segment in path:
        following: list[tuple[Any, list[str | int]]] = []
        if segment == "@":
            for value, where in current:
                if isinstance(value, list):
                    following.extend((item, [*where, i]) for i, item in enumerate(value))
        else:
            for value, where in current:
                if isinstance(value, dict):
                    child = value.get(segment)
                    if child is not None:
                        following.append((child, [*where, segment]))
        current = following
    return [(value, where) for value, where in current if isinstance(value, dict)]


def deep_merge(target: JSONObject, source: JSONObject, merge_typename: bool = True) -> None:
    """Merge a subgraph result object into the response tree, field by field.

    A null never replaces an object or list already merged from another fetch (the other fetch's data is
    not lost because one subgraph could not resolve an overlapping field).
    """
    for key, value in source.items():
        if key == "__typename" and not merge_typename and key in target:
            continue
        existing = target.get(key)
        if existing is None:
            target[key] = value
        elif isinstance(value, dict):
            if isinstance(existing, dict):
                deep_merge(existing, value)
            else:
                target[key] = value
        elif isinstance(value, list):
            if isinstance(existing, list) and len(existing) == len(value):
                _merge_lists(existing, value)
            else:
                target[key] = value
        elif value is not None or not isinstance(existing, dict | list):
            target[key] = value


def _merge_lists(target: list[Any], source: list[Any]) -> None:
    for index, value in enumerate(source):
        existing = target[index]
        if isinstance(value, dict) and isinstance(existing, dict):
            deep_merge(existing, value)
        elif isinstance(value, list) and isinstance(existing, list) and len(existing) == len(value):
            _merge_lists(existing, value)
        elif value is not None or existing is None:
            target[index] = value


def collect_objects_with_ancestors(
    data: JSONObject, path: tuple[str, ...], depths: frozenset[int]
) -> list[tuple[JSONObject, dict[int, JSONObject]]]:
    """Objects at a merge path, each with its ancestor objects at the given path depths (for @fromContext)."""
    current: list[tuple[Any, dict[int, JSONObject]]] = [(data, {})]
    for index, segment in enumerate(path):
        if index in depths:
            current = [(value, {**seen, index: value}) for value, seen in current if isinstance(value, dict)]
        following: list[tuple[Any, dict[int, JSONObject]]] = []
        if segment == "@":
            for value, seen in current:
                if isinstance(value, list):
                    following.extend((item, seen) for item in value)
        else:
            for value, seen in current:
                if isinstance(value, dict):
                    child = value.get(segment)
                    if child is not None:
                        following.append((child, seen))
        current = following
    end = len(path)
    return [
        (value, {**seen, end: value} if end in depths else seen)
        for value, seen in current
        if isinstance(value, dict)
    ]
