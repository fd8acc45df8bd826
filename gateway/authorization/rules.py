"""The authorization rules of one supergraph: which clauses guard each type and field.

Why computed once per schema generation: reading directive applications means walking the whole supergraph
document; requests only need dictionary lookups. A *clause* is one directive application: every clause
guarding a selection must hold (AND); inside ``@requiresScopes``/``@policy`` the outer list is OR and the
inner lists are AND, exactly as Apollo defines them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from graphql import (
    DirectiveNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    StringValueNode,
    ValueNode,
    get_named_type,
)

from gateway.supergraph.model import Supergraph

ClauseKind = Literal["authenticated", "scopes", "policy"]
NO_CLAUSES: frozenset[Clause] = frozenset()

_TYPE_NODES = (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
)
_FIELD_OWNERS = (
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
)


@dataclass(frozen=True, slots=True)
class Clause:
    """One directive application. ``alternatives``: OR of AND-sets (empty for ``authenticated``)."""

    kind: ClauseKind
    alternatives: frozenset[frozenset[str]] = frozenset()

    def describe(self) -> str:
        if self.kind == "authenticated":
            return "@authenticated"
        options = sorted(sorted(alt) for alt in self.alternatives)
        return f"@{'requiresScopes' if self.kind == 'scopes' else 'policy'}({options})"


def _string_matrix(value: ValueNode | None) -> frozenset[frozenset[str]]:
    """``[["a", "b"], ["c"]]`` -> {{a, b}, {c}}; a bare string or flat list is read leniently."""
    if value is None:
        return frozenset()
    if isinstance(value, StringValueNode):
        return frozenset({frozenset({value.value})})
    if not isinstance(value, ListValueNode):
        return frozenset()
    result: set[frozenset[str]] = set()
    for item in value.values:
        if isinstance(item, StringValueNode):
            result.add(frozenset({item.value}))
        elif isinstance(item, ListValueNode):
            result.add(frozenset(v.value for v in item.values if isinstance(v, StringValueNode)))
    return frozenset(result)


def _argument(directive: DirectiveNode, name: str) -> ValueNode | None:
    for argument in directive.arguments or ():
        if argument.name.value == name:
            return argument.value
    return None


@dataclass(slots=True)
class SchemaRules:
    """Clauses by type and by field coordinate, plus memoized per-selection rules."""

    supergraph: Supergraph
    schema: GraphQLSchema  # the API schema operations are validated against
    type_clauses: dict[str, frozenset[Clause]] = field(default_factory=dict)
    field_clauses: dict[tuple[str, str], frozenset[Clause]] = field(default_factory=dict)
    _selection_memo: dict[tuple[str, str], frozenset[Clause]] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return not self.type_clauses and not self.field_clauses

    def for_type(self, type_name: str) -> frozenset[Clause]:
        """Clauses guarding a type condition (``... on T``)."""
        return self.type_clauses.get(type_name, NO_CLAUSES)

    def for_field(self, scope: GraphQLNamedType, field_name: str) -> frozenset[Clause]:
        """Clauses guarding ``field_name`` selected where the type in scope is ``scope``.

        The field's own directives and its return type's. On an interface every possible object type must
        allow the field too (its own field and type directives), since the runtime object may be any of them.
        """
        key = (scope.name, field_name)
        found = self._selection_memo.get(key)
        if found is not None:
            return found
        clauses = set(self.field_clauses.get(key, NO_CLAUSES))
        if isinstance(scope, GraphQLObjectType | GraphQLInterfaceType):
            fielddef = scope.fields.get(field_name)
            if fielddef is not None:
                clauses |= self.for_type(get_named_type(fielddef.type).name)
        if isinstance(scope, GraphQLInterfaceType | GraphQLUnionType):
            for possible in self.schema.get_possible_types(scope):
                clauses |= self.field_clauses.get((possible.name, field_name), NO_CLAUSES)
                clauses |= self.for_type(possible.name)
                fielddef = possible.fields.get(field_name)
                if fielddef is not None:
                    clauses |= self.for_type(get_named_type(fielddef.type).name)
        result = frozenset(clauses)
        self._selection_memo[key] = result
        return result


def read_rules(supergraph: Supergraph, schema: GraphQLSchema) -> SchemaRules:
    """Collect every ``@authenticated``/``@requiresScopes``/``@policy`` application of the supergraph."""
    rules = SchemaRules(supergraph, schema)
    names: dict[str, ClauseKind] = {}
    for spec_name, element, kind in (
        ("authenticated", "authenticated", "authenticated"),
        ("requiresScopes", "requiresScopes", "scopes"),
        ("policy", "policy", "policy"),
    ):
        spec = supergraph.links.get(spec_name)
        if spec is not None:
            names[spec.directive(element)] = kind  # type: ignore[assignment]
    if not names:
        return rules

    def clauses_of(directives: tuple[DirectiveNode, ...] | None) -> set[Clause]:
        found: set[Clause] = set()
        for directive in directives or ():
            kind = names.get(directive.name.value)
            if kind == "authenticated":
                found.add(Clause("authenticated"))
            elif kind == "scopes":
                found.add(Clause("scopes", _string_matrix(_argument(directive, "scopes"))))
            elif kind == "policy":
                found.add(Clause("policy", _string_matrix(_argument(directive, "policies"))))
        return found

    type_clauses: dict[str, set[Clause]] = {}
    field_clauses: dict[tuple[str, str], set[Clause]] = {}
    for definition in supergraph.document.definitions:
        if not isinstance(definition, _TYPE_NODES):
            continue
        type_name = definition.name.value
        own = clauses_of(definition.directives)
        if own:
            type_clauses.setdefault(type_name, set()).update(own)
        if isinstance(definition, _FIELD_OWNERS):
            for fielddef in definition.fields or ():
                found = clauses_of(fielddef.directives)
                if found:
                    field_clauses.setdefault((type_name, fielddef.name.value), set()).update(found)
    rules.type_clauses = {k: frozenset(v) for k, v in type_clauses.items()}
    rules.field_clauses = {k: frozenset(v) for k, v in field_clauses.items()}
    return rules
