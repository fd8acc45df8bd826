"""The in-memory model shared by subgraph parsing, merging and printing.

Why our own model rather than graphql-core's ``GraphQLSchema``: composition needs to keep applied directives
with their *federation meaning* (a renamed ``@myKey`` is still ``@key``), per-subgraph provenance and Apollo's
definition order, none of which a built executable schema keeps. Type references are kept as printed strings
(``[String!]!``) because composition only compares and prints them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from graphql import ValueNode, print_ast

TypeKind = Literal["object", "interface", "union", "enum", "input", "scalar"]
KIND_KEYWORD: dict[str, str] = {
    "object": "type",
    "interface": "interface",
    "union": "union",
    "enum": "enum",
    "input": "input",
    "scalar": "scalar",
}


@dataclass(frozen=True, slots=True)
class Applied:
    """An applied directive. ``name`` is the canonical federation name (``key``) for federation/spec
    directives and the written name for anything else; ``args`` keep graphql-core value nodes."""

    name: str
    args: tuple[tuple[str, ValueNode], ...] = ()
    # Applied inside an ``extend type`` block (Apollo marks such keys ``extension: true``).
    from_extension: bool = False

    def arg(self, name: str) -> ValueNode | None:
        """The value node of one argument, if given."""
        for key, value in self.args:
            if key == name:
                return value
        return None

    def str_arg(self, name: str) -> str | None:
        """A string/enum argument's raw value (what a field set or label is)."""
        value = self.arg(name)
        if value is None:
            return None
        raw = getattr(value, "value", None)
        return raw if isinstance(raw, str) else None

    def bool_arg(self, name: str, default: bool) -> bool:
        """A boolean argument, or ``default`` when absent."""
        value = self.arg(name)
        raw = getattr(value, "value", None) if value is not None else None
        return raw if isinstance(raw, bool) else default

    def signature(self) -> str:
        """A printable identity used to de-duplicate identical applications across subgraphs."""
        inner = ", ".join(f"{k}: {print_ast(v)}" for k, v in self.args)
        return f"@{self.name}({inner})" if inner else f"@{self.name}"


@dataclass(slots=True)
class InputValue:
    """A field argument or an input-object field."""

    name: str
    type: str
    default: ValueNode | None = None
    description: str | None = None
    directives: list[Applied] = field(default_factory=list)


@dataclass(slots=True)
class FieldDef:
    """An output field of an object or interface type."""

    name: str
    type: str
    args: dict[str, InputValue] = field(default_factory=dict)
    description: str | None = None
    directives: list[Applied] = field(default_factory=list)

    def has(self, name: str) -> bool:
        """Whether a directive with this canonical name is applied."""
        return any(d.name == name for d in self.directives)

    def first(self, name: str) -> Applied | None:
        """The first application of a directive (canonical name)."""
        return next((d for d in self.directives if d.name == name), None)


@dataclass(slots=True)
class EnumValueDef:
    """One enum value."""

    name: str
    description: str | None = None
    directives: list[Applied] = field(default_factory=list)


@dataclass(slots=True)
class TypeDef:
    """One named type of a subgraph (definition and its extensions folded together)."""

    name: str
    kind: TypeKind
    description: str | None = None
    fields: dict[str, FieldDef] = field(default_factory=dict)
    input_fields: dict[str, InputValue] = field(default_factory=dict)
    interfaces: list[str] = field(default_factory=list)
    members: list[str] = field(default_factory=list)
    values: dict[str, EnumValueDef] = field(default_factory=dict)
    directives: list[Applied] = field(default_factory=list)
    # True when every definition of the type in the subgraph was an ``extend type``.
    only_extension: bool = False

    def has(self, name: str) -> bool:
        """Whether a directive with this canonical name is applied to the type."""
        return any(d.name == name for d in self.directives)

    def all(self, name: str) -> list[Applied]:
        """Every application of a directive (canonical name) on the type."""
        return [d for d in self.directives if d.name == name]


@dataclass(frozen=True, slots=True)
class ComposedDirective:
    """A custom directive a subgraph asked to keep in the supergraph with ``@composeDirective``."""

    name: str  # name as used in the subgraph (and the supergraph)
    url: str | None  # the @link url that defines it, if any
    name_in_spec: str
    definition: str  # printed directive definition


EXECUTABLE_LOCATIONS = (
    "QUERY",
    "MUTATION",
    "SUBSCRIPTION",
    "FIELD",
    "FRAGMENT_DEFINITION",
    "FRAGMENT_SPREAD",
    "INLINE_FRAGMENT",
    "VARIABLE_DEFINITION",
)


@dataclass(frozen=True, slots=True)
class ExecutableDirective:
    """A directive clients may use in operations; only its executable locations matter to the supergraph."""

    name: str
    args: tuple[InputValue, ...]
    repeatable: bool
    locations: tuple[str, ...]


@dataclass(slots=True)
class Subgraph:
    """A parsed, federation-aware subgraph."""

    name: str
    url: str
    fed2: bool
    version: tuple[int, int]
    types: dict[str, TypeDef] = field(default_factory=dict)
    composed: dict[str, ComposedDirective] = field(default_factory=dict)
    # Canonical names of federation directives in ``@link(import:)`` order (Apollo orders spec links by it).
    imports: list[str] = field(default_factory=list)
    # Executable directive definitions (usable in operations), merged when defined everywhere.
    executable: dict[str, ExecutableDirective] = field(default_factory=dict)

    def type_kind(self, name: str) -> str | None:
        """The kind of a named type, or ``"builtin"`` for the standard scalars, or None."""
        if name in BUILTIN_SCALARS:
            return "builtin"
        t = self.types.get(name)
        return t.kind if t else None


BUILTIN_SCALARS = frozenset({"String", "Int", "Float", "Boolean", "ID"})
ROOT_TYPES = ("Query", "Mutation", "Subscription")


def base_type(type_ref: str) -> str:
    """The named type under list and non-null wrappers."""
    return type_ref.replace("[", "").replace("]", "").replace("!", "")
