"""Make graphql-core 3.3's introspection answer like graphql-js 16, which every gateway client sees elsewhere.

Why: graphql-core 3.3 follows the graphql-js 17 drafts in its meta-schema (``includeDeprecated: Boolean!``,
``@deprecated(reason: String!)``, a ``FRAGMENT_VARIABLE_DEFINITION`` directive location from the unreleased
fragment-arguments proposal, reworded descriptions, and object default values printed as ``{ a: 1 }``).
Apollo Router, Apollo Gateway and Hive Gateway all answer introspection with graphql-js 16's meta-schema;
clients, schema registries and snapshot tests compare that output byte for byte. This module aligns the
differences once, at import time, by adjusting graphql-core's introspection singletons; every adjustment is
idempotent and checked by ``tests/supergraph/test_introspection_compat.py``.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLDeprecatedDirective,
    GraphQLString,
    ListValueNode,
    ObjectValueNode,
    ValueNode,
    print_ast,
)
from graphql.type import introspection as meta

_INCLUDE_DEPRECATED = (
    ("__Type", "fields"),
    ("__Type", "enumValues"),
    ("__Type", "inputFields"),
    ("__Field", "args"),
    ("__Directive", "args"),
)


def print_value(node: ValueNode) -> str:
    """graphql-js 16's printing of a value literal: ``{a: 1, b: [2, 3]}`` (no spaces inside braces)."""
    if isinstance(node, ObjectValueNode):
        return "{" + ", ".join(f"{f.name.value}: {print_value(f.value)}" for f in node.fields) + "}"
    if isinstance(node, ListValueNode):
        return "[" + ", ".join(print_value(v) for v in node.values) + "]"
    return print_ast(node)  # scalars, enums, null: the same in both


def _default_value(item: Any, info: Any) -> str | None:
    from graphql.utilities import get_default_value_ast

    ast = get_default_value_ast(item[1])
    return print_value(ast) if ast else None


def align_introspection_with_graphql_js() -> None:
    """Apply the graphql-js 16 meta-schema to graphql-core's introspection types (idempotent)."""
    types = meta.introspection_types
    for type_name, field_name in _INCLUDE_DEPRECATED:
        argument = types[type_name].fields[field_name].args.get("includeDeprecated")  # type: ignore[union-attr]
        if argument is not None:
            argument.type = GraphQLBoolean
    reason = GraphQLDeprecatedDirective.args.get("reason")
    if reason is not None:
        reason.type = GraphQLString
    locations = types["__DirectiveLocation"]
    locations.values.pop("FRAGMENT_VARIABLE_DEFINITION", None)  # type: ignore[union-attr]
    variable_definition = locations.values.get("VARIABLE_DEFINITION")  # type: ignore[union-attr]
    if variable_definition is not None:
        variable_definition.description = "Location adjacent to a variable definition."
    subscription = types["__Schema"].fields["subscriptionType"]  # type: ignore[union-attr]
    subscription.description = (
        "If this server support subscription, the type that subscription operations will be rooted at."
    )
    types["__InputValue"].fields["defaultValue"].resolve = _default_value  # type: ignore[union-attr]


align_introspection_with_graphql_js()
