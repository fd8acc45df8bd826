"""Build entity representations from merged data, following a plan's precomputed ``RepSpec``."""

from __future__ import annotations

from typing import Any

from gateway.planner.nodes import EntityRequirement, RepSpec


class _Missing(Exception):
    """A required field is absent (its fetch failed): the object cannot be represented."""


def _value(value: Any, spec: RepSpec) -> Any:
    if value is None:
        return None
    if isinstance(value, list):
        return [_value(item, spec) for item in value]
    if not isinstance(value, dict):
        return value
    return _object(value, spec)


def _object(obj: dict[str, Any], spec: RepSpec) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for field in spec.fields:
        if field.read not in obj:
            raise _Missing
        value = obj[field.read]
        result[field.output] = _value(value, field.sub) if field.sub is not None else value
    if spec.by_type:
        typename = obj.get("__typename")
        for runtime, part in spec.by_type:
            if runtime == typename:
                result.update(_object(obj, part))
    return result


def build_representation(obj: dict[str, Any], requirement: EntityRequirement) -> dict[str, Any] | None:
    """The ``_Any`` sent to ``_entities`` for ``obj``, or None when a required field is missing."""
    try:
        body = _object(obj, requirement.spec)
    except _Missing:
        return None
    representation: dict[str, Any] = {"__typename": requirement.rep_typename}
    representation.update(body)
    representation["__typename"] = requirement.rep_typename
    return representation


def context_value(ancestor: dict[str, Any] | None, spec: RepSpec) -> Any:
    """The value a @fromContext selection picks on an ancestor: its single selected field (None if absent)."""
    if ancestor is None:
        return None
    try:
        selected = _object(ancestor, spec)
    except _Missing:
        return None
    return next(iter(selected.values()), None)
