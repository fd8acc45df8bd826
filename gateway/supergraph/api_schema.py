"""Derive the client-facing API schema from a supergraph.

Why: clients must never see federation machinery (``join__*``, ``link__*``, ``@link``, ``@tag``,
``@authenticated``…) nor anything ``@inaccessible``; introspection and validation run against this schema.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    REMOVE,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    GraphQLError,
    GraphQLSchema,
    NamedTypeNode,
    Node,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    Visitor,
    build_ast_schema,
    validate_schema,
    visit,
)

from gateway.supergraph import introspection_compat  # noqa: F401 - aligns introspection with graphql-js 16
from gateway.supergraph.errors import SupergraphError
from gateway.supergraph.links import Links

_TYPE_DEFS = (
    "object_type_definition",
    "object_type_extension",
    "interface_type_definition",
    "interface_type_extension",
    "union_type_definition",
    "union_type_extension",
    "enum_type_definition",
    "enum_type_extension",
    "input_object_type_definition",
    "input_object_type_extension",
    "scalar_type_definition",
    "scalar_type_extension",
)


_BUILT_IN_DIRECTIVES = frozenset({"skip", "include", "deprecated", "specifiedBy", "oneOf", "defer", "stream"})
_EXECUTABLE_LOCATIONS = frozenset(
    {
        "QUERY",
        "MUTATION",
        "SUBSCRIPTION",
        "FIELD",
        "FRAGMENT_DEFINITION",
        "FRAGMENT_SPREAD",
        "INLINE_FRAGMENT",
        "VARIABLE_DEFINITION",
    }
)


def _has(node: Any, name: str) -> bool:
    return any(d.name.value == name for d in getattr(node, "directives", None) or ())


class _Strip(Visitor):
    """Removes machinery and inaccessible elements in one pass."""

    def __init__(
        self, prefixes: set[str], directives: set[str], inaccessible: str, removed_types: set[str]
    ) -> None:
        super().__init__()
        self.prefixes = prefixes
        self.directives = directives
        self.inaccessible = inaccessible
        self.removed_types = removed_types

    def _machinery_name(self, name: str) -> bool:
        return any(name.startswith(prefix + "__") for prefix in self.prefixes)

    def enter(self, node: Node, *_args: Any) -> Any:
        kind = node.kind
        if kind in _TYPE_DEFS:
            name = node.name.value  # type: ignore[attr-defined]
            if name in self.removed_types:
                return REMOVE
            return None
        if kind == "directive_definition":
            assert isinstance(node, DirectiveDefinitionNode)
            name = node.name.value
            if name in self.directives or self._machinery_name(name):
                return REMOVE
            return None
        if kind == "directive":
            assert isinstance(node, DirectiveNode)
            name = node.name.value
            if name in self.directives or self._machinery_name(name):
                return REMOVE
            return None
        if kind in ("field_definition", "input_value_definition", "enum_value_definition"):
            if _has(node, self.inaccessible):
                return REMOVE
            return None
        if kind == "named_type":
            assert isinstance(node, NamedTypeNode)
            # union members / implemented interfaces pointing at removed types disappear
            if node.name.value in self.removed_types:
                return REMOVE
        return None


def build_api_schema(document: DocumentNode, links: Links) -> GraphQLSchema:
    """Strip the supergraph document down to the API and build a graphql-core schema from it."""
    inaccessible_spec = links.get("inaccessible")
    inaccessible = inaccessible_spec.directive("inaccessible") if inaccessible_spec else "inaccessible"
    prefixes = links.machinery_prefixes()
    directives = links.machinery_directives() | {inaccessible}
    # Custom directives that can only be applied in the schema (e.g. composed with @composeDirective) are
    # not part of the API: clients cannot use them in operations, and Apollo's API schema drops them.
    for definition in document.definitions:
        if (
            isinstance(definition, DirectiveDefinitionNode)
            and definition.name.value not in _BUILT_IN_DIRECTIVES
            and not any(loc.value in _EXECUTABLE_LOCATIONS for loc in definition.locations)
        ):
            directives.add(definition.name.value)
    removed: set[str] = set()
    for definition in document.definitions:
        if definition.kind in _TYPE_DEFS:
            name = definition.name.value  # type: ignore[attr-defined]
            if _has(definition, inaccessible) or any(name.startswith(p + "__") for p in prefixes):
                removed.add(name)
    stripped = visit(document, _Strip(prefixes, directives, inaccessible, removed))
    definitions = []
    for definition in stripped.definitions:
        if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            # keep root operation types only
            if isinstance(definition, SchemaExtensionNode) and not definition.operation_types:
                continue
            definitions.append(definition)
            continue
        definitions.append(definition)
    stripped = DocumentNode(definitions=tuple(definitions))
    try:
        schema = build_ast_schema(stripped, assume_valid_sdl=True)
    except (GraphQLError, TypeError) as error:
        raise SupergraphError(f"cannot build the API schema from the supergraph: {error}") from error
    # Validate now, once: graphql-core would otherwise raise on the first request's validation.
    problems = validate_schema(schema)
    if problems:
        raise SupergraphError("the API schema is invalid: " + "; ".join(p.message for p in problems[:5]))
    return schema
