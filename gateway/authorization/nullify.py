"""Nulls removed fields that the planner fetched anyway (entity keys), with GraphQL null propagation.

Why: the planner adds ``@key`` fields to fetches for entity joins. When the client selected such a field but
may not see it, the merged data still holds the value and the response shaper (compiled from the client's
document) would show it. This pass runs on the shaped body and sets those paths to null, propagating the
null upwards through non-null positions as the spec requires.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLList, GraphQLNonNull, GraphQLOutputType

from gateway.authorization.filter import Removed


class _Bubble:
    """Returned when a null must propagate to the parent position."""


_BUBBLE = _Bubble()


def _value(value: Any, type_: GraphQLOutputType, entry: Removed, depth: int) -> Any:
    """Process ``value`` of declared ``type_`` at path position ``depth``; returns the new value or _BUBBLE"""
    if value is None:
        return None
    inner = type_.of_type if isinstance(type_, GraphQLNonNull) else type_
    if isinstance(inner, GraphQLList):
        if not isinstance(value, list):
            return value
        item_type = inner.of_type
        for index, item in enumerate(value):
            result = _value(item, item_type, entry, depth)
            if result is _BUBBLE:
                value[index] = None
                if isinstance(item_type, GraphQLNonNull):
                    return _BUBBLE
        return value
    if not isinstance(value, dict):
        return value
    return _BUBBLE if _object(value, entry, depth + 1) else value


def _object(obj: dict[str, Any], entry: Removed, depth: int) -> bool:
    """Apply ``entry`` under ``obj`` (path position ``depth``); True when ``obj`` itself must become null."""
    key = entry.path[depth]
    type_ = entry.types[depth]
    if obj.get(key) is None:
        return False  # absent or already null: the shaper has handled it
    if depth == len(entry.path) - 1:
        obj[key] = None
        return isinstance(type_, GraphQLNonNull)
    result = _value(obj[key], type_, entry, depth)
    if result is _BUBBLE:
        obj[key] = None
        return isinstance(type_, GraphQLNonNull)
    return False


def null_removed(body: dict[str, Any], removed: tuple[Removed, ...]) -> None:
    """Null every removed path still present in ``body["data"]`` (skipping type-narrowed paths)."""
    data = body.get("data")
    if not isinstance(data, dict):
        return
    for entry in removed:
        if entry.narrowed or not entry.path:
            continue
        if _object(data, entry, 0):
            body["data"] = None
            return
