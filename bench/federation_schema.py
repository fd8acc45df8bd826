"""Turn a Federation 1 subgraph SDL into an executable graphql-core schema.

Why this exists: the benchmark subgraph SDLs are written the Fed 1 way (``extend type Query``,
``extend type Product @key(...)`` for types the subgraph does not own, ``@external``/``@requires``/
``@provides``). graphql-core cannot build a schema from a document that extends a type it never defines,
and it knows nothing of ``_Any``, ``_Entity``, ``_entities`` or ``_service``. This module adds exactly
what a federation subgraph must expose so that a real gateway can plan against it, and leaves data and
resolvers to the caller.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLUnionType,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    build_ast_schema,
    parse,
)

# Fed 1 directive and scalar definitions a subgraph SDL may use without declaring them.
_FEDERATION_PRELUDE = """
scalar _Any
scalar _FieldSet
directive @external on FIELD_DEFINITION
directive @requires(fields: _FieldSet!) on FIELD_DEFINITION
directive @provides(fields: _FieldSet!) on FIELD_DEFINITION
directive @key(fields: _FieldSet!) repeatable on OBJECT | INTERFACE
directive @extends on OBJECT | INTERFACE
type _Service { sdl: String }
"""

# A resolver receives the parent value and the field arguments; info is rarely needed here.
FieldResolver = Callable[..., Any]
# An entity resolver receives one representation (``{"__typename": ..., key fields..., required fields...}``)
# and returns the object for it, or None when the subgraph does not know it.
EntityResolver = Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True, slots=True)
class SubgraphDefinition:
    """What is needed to serve one subgraph: its SDL as written, its resolvers and entity resolvers.

    ``resolvers`` is keyed ``"Type.field"``; fields without one use graphql-core's default resolver, which
    reads dict keys, so plain dicts are the natural objects to return.
    """

    name: str
    sdl: str
    resolvers: Mapping[str, FieldResolver]
    entity_resolvers: Mapping[str, EntityResolver]


def _has_key(node: ObjectTypeDefinitionNode | ObjectTypeExtensionNode) -> bool:
    return any(d.name.value == "key" for d in node.directives or ())


def _normalize(document: DocumentNode) -> tuple[list[Any], list[str]]:
    """Fold ``extend type X`` of types the document never defines into plain definitions.

    Several extensions of the same undefined type are merged into one definition at the position of the
    first. Returns the new definition list and the names of entity (``@key``) types, in SDL order.
    """
    defined = {d.name.value for d in document.definitions if isinstance(d, ObjectTypeDefinitionNode)}
    orphans: dict[str, list[ObjectTypeExtensionNode]] = {}
    slots: list[Any] = []  # a node, or the name of an orphan extension group to build afterwards
    entities: list[str] = []
    for node in document.definitions:
        is_object = isinstance(node, ObjectTypeDefinitionNode | ObjectTypeExtensionNode)
        if is_object and _has_key(node) and node.name.value not in entities:
            entities.append(node.name.value)
        if isinstance(node, ObjectTypeExtensionNode) and node.name.value not in defined:
            if node.name.value not in orphans:
                slots.append(node.name.value)
            orphans.setdefault(node.name.value, []).append(node)
        else:
            slots.append(node)
    out: list[Any] = []
    for slot in slots:
        if not isinstance(slot, str):
            out.append(slot)
            continue
        group = orphans[slot]
        out.append(
            ObjectTypeDefinitionNode(
                name=group[0].name,
                interfaces=tuple(i for ext in group for i in ext.interfaces or ()),
                directives=tuple(d for ext in group for d in ext.directives or ()),
                fields=tuple(f for ext in group for f in ext.fields or ()),
            )
        )
    return out, entities


def build_subgraph_schema(definition: SubgraphDefinition) -> GraphQLSchema:
    """Build the executable schema: SDL + federation prelude + ``_Entity``, ``_entities``, ``_service``."""
    definitions, entities = _normalize(parse(definition.sdl))
    has_query = any(isinstance(d, ObjectTypeDefinitionNode) and d.name.value == "Query" for d in definitions)
    extra = _FEDERATION_PRELUDE
    if entities:
        extra += f"union _Entity = {' | '.join(entities)}\n"
    query_fields = "_service: _Service!\n"
    if entities:
        query_fields = "_entities(representations: [_Any!]!): [_Entity]!\n" + query_fields
    extra += ("extend type Query" if has_query else "type Query") + " {\n" + query_fields + "}\n"
    document = DocumentNode(definitions=(*definitions, *parse(extra).definitions))
    schema = build_ast_schema(document)
    _attach_resolvers(schema, definition)
    return schema


def _attach_resolvers(schema: GraphQLSchema, definition: SubgraphDefinition) -> None:
    for coordinate, resolver in definition.resolvers.items():
        type_name, field_name = coordinate.split(".")
        graphql_type = schema.get_type(type_name)
        if not isinstance(graphql_type, GraphQLObjectType) or field_name not in graphql_type.fields:
            raise ValueError(f"{definition.name}: resolver for unknown field {coordinate}")
        graphql_type.fields[field_name].resolve = _adapt(resolver)

    query = schema.query_type
    assert query is not None  # build_subgraph_schema always defines Query
    sdl = definition.sdl
    query.fields["_service"].resolve = lambda _root, _info: {"sdl": sdl}

    entity_union = schema.get_type("_Entity")
    if isinstance(entity_union, GraphQLUnionType):
        entity_union.resolve_type = lambda value, _info, _type: value["__typename"]
        resolvers = definition.entity_resolvers
        missing = {t.name for t in entity_union.types} - set(resolvers)
        if missing:
            raise ValueError(f"{definition.name}: no entity resolver for {sorted(missing)}")

        def resolve_entities(
            _root: Any, _info: GraphQLResolveInfo, representations: list[Mapping[str, Any]]
        ) -> list[Any]:
            results: list[Any] = []
            for representation in representations:
                found = resolvers[representation["__typename"]](representation)
                if found is not None:
                    # resolve_type needs the concrete type; objects may be shared data dicts, so copy.
                    found = {**found, "__typename": representation["__typename"]}
                results.append(found)
            return results

        query.fields["_entities"].resolve = resolve_entities


def _adapt(resolver: FieldResolver) -> Callable[..., Any]:
    """Call resolvers as ``resolver(parent, **args)``: the benchmark resolvers never need ``info``."""

    def resolve(parent: Any, _info: GraphQLResolveInfo, **args: Any) -> Any:
        return resolver(parent, **args)

    return resolve


def entity_type_names(schema: GraphQLSchema) -> list[str]:
    """The ``@key`` types in ``_Entity``, for tests and diagnostics."""
    union = schema.get_type("_Entity")
    return [t.name for t in union.types] if isinstance(union, GraphQLUnionType) else []


__all__ = [
    "EntityResolver",
    "FieldResolver",
    "SubgraphDefinition",
    "build_subgraph_schema",
    "entity_type_names",
]
