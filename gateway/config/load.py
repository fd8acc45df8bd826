"""Loads and validates the YAML configuration file into ``Config``.

Why: PyYAML's ``safe_load`` loses line numbers, so the file is *composed* into a node tree and walked against
the dataclass shapes (``introspect.py``). Every problem is collected with its key path and line, unknown
keys get a "did you mean" hint, and ``${env.NAME}`` references are expanded in scalar values before they are
converted, so ``port: ${env.PORT:-4000}`` works.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from gateway.config.durations import parse_duration
from gateway.config.envvars import expand_env
from gateway.config.errors import ConfigError, ConfigIssue
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
from gateway.config.model import Config, InvalidField

_NULL_TAG = "tag:yaml.org,2002:null"
_TRUE = frozenset({"true", "yes", "on"})
_FALSE = frozenset({"false", "no", "off"})


class _Invalid:
    """Marks a value that failed validation (an issue was recorded)."""


_INVALID = _Invalid()


def load_config(path: str | Path | None, environ: Mapping[str, str] | None = None) -> Config:
    """Read ``path`` (or return the defaults when ``None``); raise ``ConfigError`` listing every problem."""
    if path is None:
        return Config()
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([ConfigIssue(f"cannot read configuration file: {exc}", "", source)]) from None
    return load_config_text(text, source, environ)


def load_config_text(text: str, source: str = "<config>", environ: Mapping[str, str] | None = None) -> Config:
    """Parse configuration YAML ``text``; ``source`` names it in error messages."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = exc.problem or exc.context or "syntax error"
        raise ConfigError([ConfigIssue(f"invalid YAML: {problem}", "", source, line)]) from None
    except yaml.YAMLError as exc:
        raise ConfigError([ConfigIssue(f"invalid YAML: {exc}", "", source)]) from None
    builder = _Builder(source, os.environ if environ is None else environ)
    if root is None:
        return Config()
    config = builder.build(root, Record(Config), "")
    if builder.issues:
        raise ConfigError(builder.issues)
    assert isinstance(config, Config)
    return config


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class _Builder:
    """Walks one composed document, collecting issues instead of stopping at the first."""

    def __init__(self, source: str, environ: Mapping[str, str]) -> None:
        self.source = source
        self.environ = environ
        self.issues: list[ConfigIssue] = []

    def issue(self, message: str, path: str, node: yaml.Node | None, hint: str | None = None) -> _Invalid:
        line = _line(node) if node is not None else None
        self.issues.append(ConfigIssue(message, path, self.source, line, hint))
        return _INVALID

    def build(self, node: yaml.Node, shape: Shape, path: str) -> Any:
        is_null = isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG
        if isinstance(shape, Optional):
            return None if is_null else self.build(node, shape.inner, path)
        if isinstance(shape, Scalar):
            if is_null:
                return self.issue("a value is required (got null)", path, node)
            return self.scalar(node, shape.name, path)
        if isinstance(shape, Record):
            return self.record(node, shape.cls, path)
        if isinstance(shape, ListOf):
            return self.sequence(node, shape, path)
        if isinstance(shape, MapOf):
            return self.mapping(node, shape, path)
        if isinstance(shape, Toggle):
            if is_null or isinstance(node, yaml.SequenceNode):
                return self.issue(f"expected true, false or a mapping, got {_describe(node)}", path, node)
            if isinstance(node, yaml.ScalarNode):
                return self.scalar(node, "bool", path)
            return self.record(node, shape.cls, path)
        return self.tagged(node, shape, path)

    def pairs(self, node: yaml.Node, path: str, what: str) -> list[tuple[str, yaml.Node, yaml.Node]] | None:
        """The (key, key node, value node) pairs of a mapping node; ``None`` after recording an issue."""
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG:
            return []
        if not isinstance(node, yaml.MappingNode):
            self.issue(f"expected {what}, got {_describe(node)}", path, node)
            return None
        seen: set[str] = set()
        result = []
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.issue("mapping keys must be plain strings", path, key_node)
                continue
            key = str(key_node.value)
            if key in seen:
                self.issue(f"duplicate key {key!r}", path, key_node)
                continue
            seen.add(key)
            result.append((key, key_node, value_node))
        return result

    def record(self, node: yaml.Node, cls: type, path: str) -> Any:
        pairs = self.pairs(node, path, "a mapping")
        if pairs is None:
            return _INVALID
        specs = {spec.name: spec for spec in fields_of(cls)}
        kwargs: dict[str, Any] = {}
        key_nodes: dict[str, yaml.Node] = {}
        failed = False
        for key, key_node, value_node in pairs:
            spec = specs.get(key)
            if spec is None:
                close = difflib.get_close_matches(key, list(specs), n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}?" if close else f"valid keys: {', '.join(specs)}"
                self.issue(f"unknown key {key!r}", path, key_node, hint)
                failed = True
                continue
            value = self.build(value_node, spec.shape, _join(path, key))
            if value is _INVALID:
                failed = True
                continue
            kwargs[key] = value
            key_nodes[key] = key_node
        if failed:
            return _INVALID
        try:
            return cls(**kwargs)
        except InvalidField as exc:
            at = key_nodes.get(exc.field_name, node)
            return self.issue(str(exc), _join(path, exc.field_name), at)
        except (ValueError, TypeError) as exc:
            return self.issue(str(exc), path, node)

    def sequence(self, node: yaml.Node, shape: ListOf, path: str) -> Any:
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG:
            return ()
        if not isinstance(node, yaml.SequenceNode):
            return self.issue(f"expected a list, got {_describe(node)}", path, node)
        items = [self.build(item, shape.item, f"{path}[{i}]") for i, item in enumerate(node.value)]
        if any(item is _INVALID for item in items):
            return _INVALID
        return tuple(items)

    def mapping(self, node: yaml.Node, shape: MapOf, path: str) -> Any:
        pairs = self.pairs(node, path, "a mapping of names to values")
        if pairs is None:
            return _INVALID
        result = {key: self.build(value, shape.value, _join(path, key)) for key, _k, value in pairs}
        if any(value is _INVALID for value in result.values()):
            return _INVALID
        return MappingProxyType(result)

    def tagged(self, node: yaml.Node, shape: Tagged, path: str) -> Any:
        choices = ", ".join(shape.members)
        pairs = self.pairs(node, path, f"a mapping with one of: {choices}")
        if pairs is None:
            return _INVALID
        if len(pairs) != 1:
            return self.issue(f"expected exactly one of: {choices}", path, node)
        key, key_node, value_node = pairs[0]
        cls = shape.members.get(key)
        if cls is None:
            close = difflib.get_close_matches(key, list(shape.members), n=1, cutoff=0.6)
            hint = f"did you mean {close[0]!r}?" if close else f"expected one of: {choices}"
            return self.issue(f"unknown rule {key!r}", path, key_node, hint)
        return self.record(value_node, cls, _join(path, key))

    def scalar(self, node: yaml.Node, kind: str, path: str) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return self.issue(f"expected a {_KIND_NAMES[kind]}, got {_describe(node)}", path, node)
        raw = str(node.value)
        try:
            text = expand_env(raw, self.environ)
        except ValueError as exc:
            return self.issue(str(exc), path, node)
        try:
            return _convert(text, kind)
        except ValueError as exc:
            message, _, hint = str(exc).partition("; ")
            return self.issue(message, path, node, hint or None)


_KIND_NAMES = {
    "str": "string",
    "int": "integer",
    "float": "number",
    "bool": "boolean",
    "duration": "duration",
}


def _convert(text: str, kind: str) -> Any:
    if kind == "str":
        return text
    if kind == "int":
        try:
            return int(text.strip().replace("_", ""))
        except ValueError:
            raise ValueError(f"expected an integer, got {text!r}") from None
    if kind == "float":
        try:
            return float(text)
        except ValueError:
            raise ValueError(f"expected a number, got {text!r}") from None
    if kind == "bool":
        lowered = text.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"expected true or false, got {text!r}")
    return parse_duration(text)


def _describe(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    return f"{node.value!r}"


def config_with(config: Config, section: str, **changes: Any) -> Config:
    """A copy of ``config`` with fields of one section replaced (command-line overrides)."""
    updated = dataclasses.replace(getattr(config, section), **changes)
    return dataclasses.replace(config, **{section: updated})
