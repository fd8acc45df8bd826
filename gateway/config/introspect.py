"""Reads the configuration dataclasses' type hints into a small closed set of shapes.

Why: the YAML loader and the JSON Schema generator must agree on what every field accepts; deriving both
from one description of the dataclasses means a new option is added in exactly one place (``model.py``).
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from gateway.config.model import DURATION


@dataclass(frozen=True, slots=True)
class Scalar:
    """A leaf value: ``str``, ``int``, ``float``, ``bool`` or ``duration``."""

    name: str


@dataclass(frozen=True, slots=True)
class Optional:
    """The inner shape, or null."""

    inner: Shape


@dataclass(frozen=True, slots=True)
class ListOf:
    """A YAML sequence, stored as a tuple."""

    item: Shape


@dataclass(frozen=True, slots=True)
class MapOf:
    """A YAML mapping with free-form string keys (subgraph names), stored read-only."""

    value: Shape


@dataclass(frozen=True, slots=True)
class Record:
    """A dataclass: a YAML mapping with a fixed set of keys."""

    cls: type


@dataclass(frozen=True, slots=True)
class Tagged:
    """One of several dataclasses, written as a single-key mapping ``{<yaml_key>: {...}}``."""

    members: Mapping[str, type]


@dataclass(frozen=True, slots=True)
class Toggle:
    """``true``/``false`` or a dataclass written as a mapping: a section with a boolean shorthand (Apollo
    Router's ``include_subgraph_errors.all: true`` or ``all: {redact_message: ...}``). Typed ``bool | C``."""

    cls: type


Shape = Scalar | Optional | ListOf | MapOf | Record | Tagged | Toggle

_SCALARS: dict[Any, str] = {str: "str", int: "int", float: "float", bool: "bool"}


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One settable field of a configuration dataclass."""

    name: str
    shape: Shape
    doc: str
    default: Any


def shape_of(tp: Any) -> Shape:
    """Classify one resolved type hint."""
    origin = typing.get_origin(tp)
    if origin is typing.Annotated:
        base, *marks = typing.get_args(tp)
        if DURATION in marks:
            return Scalar("duration")
        return shape_of(base)
    if origin in (types.UnionType, typing.Union):
        members = [arg for arg in typing.get_args(tp) if arg is not type(None)]
        if len(members) < len(typing.get_args(tp)):
            inner = members[0] if len(members) == 1 else functools.reduce(lambda a, b: a | b, members)
            return Optional(shape_of(inner))
        if all(dataclasses.is_dataclass(m) and hasattr(m, "yaml_key") for m in members):
            return Tagged({m.yaml_key: m for m in members})
        if len(members) == 2 and bool in members:
            other = members[0] if members[1] is bool else members[1]
            if isinstance(other, type) and dataclasses.is_dataclass(other):
                return Toggle(other)
        raise TypeError(f"unsupported union in configuration model: {tp!r}")
    if origin is tuple:
        item, _ellipsis = typing.get_args(tp)
        return ListOf(shape_of(item))
    if origin in (Mapping, dict):
        _key, value = typing.get_args(tp)
        return MapOf(shape_of(value))
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return Record(tp)
    if tp in _SCALARS:
        return Scalar(_SCALARS[tp])
    raise TypeError(f"unsupported type in configuration model: {tp!r}")


@functools.cache
def fields_of(cls: type) -> tuple[FieldSpec, ...]:
    """The fields a user may set on ``cls``, in declaration order (computed once per class)."""
    hints = typing.get_type_hints(cls, include_extras=True)
    specs = []
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = dataclasses.MISSING
        specs.append(FieldSpec(f.name, shape_of(hints[f.name]), f.metadata.get("doc", ""), default))
    return tuple(specs)
