"""JSON Schema (draft 2020-12) of the configuration file, generated from the dataclasses.

Why: editors (VS Code YAML, JetBrains) validate and autocomplete a config file given its schema; generating it
from ``model.py`` through the same shapes the loader uses means the schema cannot drift from what is accepted.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from gateway.config.durations import DURATION_HINT
from gateway.config.introspect import (
    ListOf,
    MapOf,
    Optional,
    Record,
    Scalar,
    Shape,
    Tagged,
    Toggle,
    fields_of,
)
from gateway.config.model import Config

_DURATION_PATTERN = r"^\s*(\d+(\.\d+)?|\.\d+)\s*(ms|s|m|h)?\s*$"
_ENV_PATTERN = r"\$\{env\.[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}"


def config_json_schema() -> dict[str, Any]:
    """The whole schema, with one ``$defs`` entry per dataclass."""
    defs: dict[str, Any] = {}
    root = _record(Config, defs)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "pygraph gateway configuration",
        **defs.pop(root["$ref"].rsplit("/", 1)[1]),
        "$defs": defs,
    }


def _record(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    name = cls.__name__
    if name not in defs:
        defs[name] = {}  # reserve the name first: the model may be recursive one day
        properties = {}
        for spec in fields_of(cls):
            prop = _shape(spec.shape, defs)
            if spec.doc:
                prop = {**prop, "description": spec.doc}
            if spec.default is not dataclasses.MISSING:
                default = _json_default(spec.default)
                if default is not dataclasses.MISSING:
                    prop = {**prop, "default": default}
            properties[spec.name] = prop
        defs[name] = {
            "type": "object",
            "description": (cls.__doc__ or "").strip().splitlines()[0],
            "properties": properties,
            "additionalProperties": False,
        }
    return {"$ref": f"#/$defs/{name}"}


def _shape(shape: Shape, defs: dict[str, Any]) -> dict[str, Any]:
    if isinstance(shape, Scalar):
        return _scalar(shape.name)
    if isinstance(shape, Optional):
        return {"anyOf": [_shape(shape.inner, defs), {"type": "null"}]}
    if isinstance(shape, ListOf):
        return {"type": "array", "items": _shape(shape.item, defs)}
    if isinstance(shape, MapOf):
        return {"type": "object", "additionalProperties": _shape(shape.value, defs)}
    if isinstance(shape, Record):
        return _record(shape.cls, defs)
    if isinstance(shape, Toggle):
        return {"anyOf": [*_scalar("bool")["anyOf"], _record(shape.cls, defs)]}
    assert isinstance(shape, Tagged)
    return {
        "oneOf": [
            {
                "type": "object",
                "properties": {key: _record(cls, defs)},
                "required": [key],
                "additionalProperties": False,
            }
            for key, cls in shape.members.items()
        ]
    }


def _scalar(kind: str) -> dict[str, Any]:
    env = {"type": "string", "pattern": _ENV_PATTERN}
    if kind == "str":
        return {"type": "string"}
    if kind == "duration":
        return {
            "anyOf": [
                {"type": "number", "minimum": 0},
                {"type": "string", "pattern": _DURATION_PATTERN},
                env,
            ],
            "description": DURATION_HINT,
        }
    json_type = {"int": "integer", "float": "number", "bool": "boolean"}[kind]
    return {"anyOf": [{"type": json_type}, env]}


def _json_default(value: Any) -> Any:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, tuple):
        return [] if not value else dataclasses.MISSING
    if isinstance(value, Mapping):
        return {} if not value else dataclasses.MISSING
    return dataclasses.MISSING  # nested records: their properties carry the defaults
