"""Turn any federation subgraph SDL into an executable graphql-core schema.

Why: the end-to-end suite needs real subgraphs for arbitrary SDL (Federation 1 and 2, interface entities,
``@interfaceObject``), and Strawberry only builds schemas from Python classes. This module adds what a
subgraph library would add (federation directive definitions, ``_Any``, ``_Entity``, ``_entities``,
``_service``) and wires data-driven resolvers from a :class:`Resolvers` spec, so a case needs only SDL plus
plain data.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    ValueNode,
    build_ast_schema,
    parse,
    value_from_ast_untyped,
)
from graphql.language import (
    BooleanValueNode,
    DefinitionNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListValueNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ObjectValueNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    SelectionSetNode,
    StringValueNode,
    TypeDefinitionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
)

FieldResolver = Callable[..., Any]
ReferenceResolver = Callable[[dict[str, Any], GraphQLResolveInfo], Any]

FEDERATION_SPEC = "https://specs.apollo.dev/federation/"

# Federation 2 directive definitions, written with placeholders for the local names a @link import gives them.
_FED2_DIRECTIVES: dict[str, str] = {
    "key": (
        "directive @{key}(fields: {FieldSet}!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE"
    ),
    "requires": "directive @{requires}(fields: {FieldSet}!) on FIELD_DEFINITION",
    "provides": "directive @{provides}(fields: {FieldSet}!) on FIELD_DEFINITION",
    "external": "directive @{external}(reason: String) on OBJECT | FIELD_DEFINITION",
    "shareable": "directive @{shareable} repeatable on OBJECT | FIELD_DEFINITION",
    "override": "directive @{override}(from: String!, label: String) on FIELD_DEFINITION",
    "extends": "directive @{extends} on OBJECT | INTERFACE",
    "interfaceObject": "directive @{interfaceObject} on OBJECT",
    "composeDirective": "directive @{composeDirective}(name: String!) repeatable on SCHEMA",
    "authenticated": "directive @{authenticated} on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
    "inaccessible": (
        "directive @{inaccessible} on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION"
        " | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"
    ),
    "tag": (
        "directive @{tag}(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION"
        " | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | SCHEMA"
    ),
}
_FED1_DIRECTIVES = """
directive @key(fields: _FieldSet!) repeatable on OBJECT | INTERFACE
directive @requires(fields: _FieldSet!) on FIELD_DEFINITION
directive @provides(fields: _FieldSet!) on FIELD_DEFINITION
directive @external on FIELD_DEFINITION
directive @extends on OBJECT | INTERFACE
directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION
"""
_COMMON_TYPES = """
scalar _Any
scalar _FieldSet
scalar FieldSet
scalar federation__FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
directive @link(url: String!, as: String, import: [link__Import], for: link__Purpose) repeatable on SCHEMA
type _Service { sdl: String }
"""


@dataclass(slots=True)
class Resolvers:
    """How one subgraph answers: data records per entity type plus optional Python callables.

    ``records``: per type name, a list of dicts. ``_entities`` finds the record whose key fields equal the
    representation's (any ``@key`` of the type, compound and nested keys). Records of an interface entity
    may be stored under the interface name or the concrete name; a record's ``__typename`` (when present)
    decides its concrete type. A type with no records and no reference callable is resolved from the
    representation itself.

    ``fields``: ``"Type.field" -> callable(parent, info, **args)`` (sync or async), for root fields, computed
    fields, ``@requires`` data (read from ``parent``, which holds the representation) and mutations.

    ``references``: ``"Type" -> callable(representation, info)`` to override the data-driven entity lookup.
    """

    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    fields: dict[str, FieldResolver] = field(default_factory=dict)
    references: dict[str, ReferenceResolver] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FederationNames:
    """The local names of the federation directives in one subgraph (imports can rename them)."""

    fed2: bool
    names: Mapping[str, str]

    def local(self, directive: str) -> str:
        """Local name of a federation directive (``key`` -> ``key`` or ``federation__key``)."""
        return self.names.get(directive, directive)


def read_federation_names(document: DocumentNode) -> FederationNames:
    """Find the federation ``@link`` and compute each directive's local name (Fed 1 when there is none)."""
    for definition in document.definitions:
        if not isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            if directive.name.value != "link":
                continue
            args = {arg.name.value: arg.value for arg in directive.arguments or ()}
            url = args.get("url")
            if not isinstance(url, StringValueNode) or not url.value.startswith(FEDERATION_SPEC):
                continue
            prefix_node = args.get("as")
            prefix = prefix_node.value if isinstance(prefix_node, StringValueNode) else "federation"
            names = {name: f"{prefix}__{name}" for name in [*_FED2_DIRECTIVES, "FieldSet"]}
            imports = args.get("import")
            for item in imports.values if isinstance(imports, ListValueNode) else ():
                original, alias = _import_names(item)
                names[original.lstrip("@")] = alias.lstrip("@")
            return FederationNames(fed2=True, names=names)
    return FederationNames(fed2=False, names={})


def _import_names(item: ValueNode) -> tuple[str, str]:
    if isinstance(item, StringValueNode):
        return item.value, item.value
    if isinstance(item, ObjectValueNode):
        values = {f.name.value: f.value for f in item.fields}
        name = values.get("name")
        alias = values.get("as", name)
        if isinstance(name, StringValueNode) and isinstance(alias, StringValueNode):
            return name.value, alias.value
    raise ValueError("unsupported @link import entry")


_DEFINITION_OF_EXTENSION: dict[type, type] = {
    ObjectTypeExtensionNode: ObjectTypeDefinitionNode,
    InterfaceTypeExtensionNode: InterfaceTypeDefinitionNode,
    UnionTypeExtensionNode: UnionTypeDefinitionNode,
    EnumTypeExtensionNode: EnumTypeDefinitionNode,
    InputObjectTypeExtensionNode: InputObjectTypeDefinitionNode,
    ScalarTypeExtensionNode: ScalarTypeDefinitionNode,
}


def _normalize_definitions(document: DocumentNode) -> list[DefinitionNode]:
    """Turn ``extend type X`` without a base ``type X`` into a definition (Federation 1 style SDL).

    Schema extensions are dropped: they only carry ``@link``, which the built schema does not need.
    """
    defined = {d.name.value for d in document.definitions if isinstance(d, TypeDefinitionNode)}
    result: list[DefinitionNode] = []
    for definition in document.definitions:
        if isinstance(definition, SchemaExtensionNode):
            continue
        definition_type = _DEFINITION_OF_EXTENSION.get(type(definition))
        if definition_type is not None and definition.name.value not in defined:  # type: ignore[attr-defined]
            keys = {k: getattr(definition, k, None) for k in definition.keys if k != "loc"}
            definition = definition_type(**keys)
            defined.add(definition.name.value)  # type: ignore[attr-defined]
        result.append(definition)
    return result


def _directives_named(node: Any, name: str) -> list[DirectiveNode]:
    return [d for d in (getattr(node, "directives", None) or ()) if d.name.value == name]


def _string_arg(directive: DirectiveNode, name: str) -> str | None:
    for arg in directive.arguments or ():
        if arg.name.value == name and isinstance(arg.value, StringValueNode):
            return arg.value.value
    return None


def _bool_arg(directive: DirectiveNode, name: str, default: bool) -> bool:
    for arg in directive.arguments or ():
        if arg.name.value == name and isinstance(arg.value, BooleanValueNode):
            return arg.value.value
    return default


KeyTree = dict[str, "KeyTree | None"]


def parse_field_set(fields: str) -> KeyTree:
    """Parse a ``@key`` field set (``"id org { id }"``) into a tree of field names."""
    operation = parse("{" + fields + "}").definitions[0]
    return _tree(operation.selection_set)  # type: ignore[attr-defined]


def _tree(selection_set: SelectionSetNode) -> KeyTree:
    tree: KeyTree = {}
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            tree[selection.name.value] = _tree(selection.selection_set) if selection.selection_set else None
    return tree


def _values_equal(stored: Any, sent: Any) -> bool:
    if stored is None or sent is None:
        return False
    if isinstance(stored, int | float) and isinstance(sent, str):
        return str(stored) == sent
    return bool(stored == sent)


def key_matches(record: Mapping[str, Any], representation: Mapping[str, Any], key: KeyTree) -> bool:
    """True when every field of ``key`` is in the representation and equals the record's value.

    A null key value never matches: a real subgraph cannot look an entity up by null.
    """
    for name, sub in key.items():
        if name not in representation:
            return False
        sent, stored = representation[name], record.get(name)
        if sub is None:
            if not _values_equal(stored, sent):
                return False
        elif not (
            isinstance(sent, Mapping) and isinstance(stored, Mapping) and key_matches(stored, sent, sub)
        ):
            return False
    return True


def typename_of(value: Any) -> str | None:
    """The concrete type name a resolved value declares (``__typename`` key or attribute)."""
    if isinstance(value, Mapping):
        return value.get("__typename")
    return getattr(value, "__typename", None)


@dataclass(slots=True)
class SubgraphSchema:
    """An executable subgraph schema plus the entity metadata ``_entities`` needs."""

    schema: GraphQLSchema
    sdl: str
    keys: dict[str, list[KeyTree]]
    entity_types: list[str]


def build_subgraph_schema(sdl: str, resolvers: Resolvers) -> SubgraphSchema:
    """Build the executable schema for one subgraph; see the module docstring for what is added."""
    document = parse(sdl)
    names = read_federation_names(document)
    definitions = _normalize_definitions(document)
    defined = {
        d.name.value for d in definitions if isinstance(d, TypeDefinitionNode | DirectiveDefinitionNode)
    }
    keys, keyed_objects, keyed_interfaces = _collect_keys(document, names.local("key"))
    query_name = _query_type_name(definitions)
    # Implementations of interface entities are entities too, even if they were declared without @key.
    implementations = [
        d.name.value
        for d in definitions
        if isinstance(d, ObjectTypeDefinitionNode)
        and any(i.name.value in keyed_interfaces for i in d.interfaces or ())
    ]
    entity_types = list(dict.fromkeys([*keyed_objects, *implementations]))
    full = DocumentNode(
        definitions=(
            *definitions,
            *_federation_definitions(names, defined),
            *parse(_root_fields_sdl(query_name, query_name in defined, entity_types)).definitions,
        )
    )
    schema = build_ast_schema(full, assume_valid_sdl=True)
    _give_any_scalar_functions(schema)
    built = SubgraphSchema(schema=schema, sdl=sdl, keys=keys, entity_types=entity_types)
    _attach_resolvers(built, resolvers, query_name)
    return built


def _federation_definitions(names: FederationNames, defined: set[str]) -> list[DefinitionNode]:
    """Directive and scalar definitions the SDL uses but does not define (under their local names)."""
    extra_sdl = _COMMON_TYPES
    if names.fed2:
        for local_names in (
            {k: names.local(k) for k in [*_FED2_DIRECTIVES, "FieldSet"]},
            {k: f"federation__{k}" for k in [*_FED2_DIRECTIVES, "FieldSet"]},
        ):
            extra_sdl += "\n".join(text.format(**local_names) for text in _FED2_DIRECTIVES.values())
            extra_sdl += f"\nscalar {local_names['FieldSet']}\n"
    else:
        extra_sdl += _FED1_DIRECTIVES
    result: list[DefinitionNode] = []
    for definition in parse(extra_sdl).definitions:
        name = definition.name.value  # type: ignore[attr-defined]
        if name not in defined:
            defined.add(name)
            result.append(definition)
    return result


def _collect_keys(
    document: DocumentNode, key_directive: str
) -> tuple[dict[str, list[KeyTree]], list[str], list[str]]:
    """Key field sets per type, resolvable keyed object types, and keyed interfaces (extensions included)."""
    keys: dict[str, list[KeyTree]] = {}
    keyed_objects: list[str] = []
    keyed_interfaces: list[str] = []
    for node in document.definitions:
        directives = _directives_named(node, key_directive)
        if not directives:
            continue
        type_name = node.name.value  # type: ignore[attr-defined]
        for directive in directives:
            fields_text = _string_arg(directive, "fields")
            if fields_text is not None:
                keys.setdefault(type_name, []).append(parse_field_set(fields_text))
        if isinstance(node, InterfaceTypeDefinitionNode | InterfaceTypeExtensionNode):
            keyed_interfaces.append(type_name)
        elif any(_bool_arg(d, "resolvable", True) for d in directives) and type_name not in keyed_objects:
            keyed_objects.append(type_name)
    return keys, keyed_objects, keyed_interfaces


def _query_type_name(definitions: list[DefinitionNode]) -> str:
    for definition in definitions:
        if isinstance(definition, SchemaDefinitionNode):
            for operation in definition.operation_types:
                if operation.operation.value == "query":
                    return operation.type.name.value
    return "Query"


def _root_fields_sdl(query_name: str, query_defined: bool, entity_types: list[str]) -> str:
    """SDL adding ``_Entity``, ``_entities`` (only when there are entities) and ``_service``."""
    sdl = "" if query_defined else f"type {query_name}\n"
    fields = "_service: _Service!"
    if entity_types:
        sdl += f"union _Entity = {' | '.join(entity_types)}\n"
        fields = "_entities(representations: [_Any!]!): [_Entity]!\n  " + fields
    return sdl + f"extend type {query_name} {{\n  {fields}\n}}\n"


def _give_any_scalar_functions(schema: GraphQLSchema) -> None:
    """``_Any`` built from SDL would not parse object literals: accept any value as it is."""
    scalar = schema.type_map["_Any"]
    assert isinstance(scalar, GraphQLScalarType)

    def parse_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> Any:
        return value_from_ast_untyped(node, variables)

    scalar.serialize = lambda value: value  # type: ignore[method-assign]
    scalar.parse_value = lambda value: value  # type: ignore[method-assign]
    scalar.parse_literal = parse_literal  # type: ignore[method-assign,assignment]


def _resolve_type(value: Any, info: GraphQLResolveInfo, abstract: Any) -> str | None:
    name = typename_of(value)
    if name is None:
        raise GraphQLError(f"value for abstract type {abstract.name} has no __typename: {value!r}")
    return name


def _attach_resolvers(built: SubgraphSchema, resolvers: Resolvers, query_name: str) -> None:
    schema = built.schema
    for named in schema.type_map.values():
        if isinstance(named, GraphQLInterfaceType | GraphQLUnionType):
            named.resolve_type = _resolve_type
    for coordinate, resolver in resolvers.fields.items():
        type_name, _, field_name = coordinate.partition(".")
        owner = schema.type_map.get(type_name)
        if not isinstance(owner, GraphQLObjectType | GraphQLInterfaceType) or field_name not in owner.fields:
            raise ValueError(f"resolver for unknown field {coordinate}")
        owner.fields[field_name].resolve = resolver
    query = schema.type_map[query_name]
    assert isinstance(query, GraphQLObjectType)
    query.fields["_service"].resolve = lambda _obj, _info: {"sdl": built.sdl}
    if "_entities" in query.fields:
        query.fields["_entities"].resolve = _entities_resolver(built, resolvers)


def _entities_resolver(built: SubgraphSchema, resolvers: Resolvers) -> FieldResolver:
    async def resolve(_obj: Any, info: GraphQLResolveInfo, representations: list[Any]) -> list[Any]:
        results: list[Any] = []
        for representation in representations:
            value = find_entity(built, resolvers, representation, info)
            if inspect.isawaitable(value):
                value = await value
            results.append(value)
        return results

    return resolve


def find_entity(
    built: SubgraphSchema, resolvers: Resolvers, representation: Any, info: GraphQLResolveInfo
) -> Any | Awaitable[Any]:
    """Resolve one representation: a reference callable, else matching records, else the representation."""
    if not isinstance(representation, Mapping) or not isinstance(representation.get("__typename"), str):
        raise GraphQLError("representation must be an object with a __typename string")
    type_name: str = representation["__typename"]
    schema = built.schema
    named = schema.type_map.get(type_name)
    if not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
        raise GraphQLError(f"unknown entity type {type_name}")
    reference = resolvers.references.get(type_name)
    if reference is not None:
        return reference(dict(representation), info)
    candidate_types = [type_name]
    if isinstance(named, GraphQLInterfaceType):
        candidate_types += [t.name for t in schema.get_possible_types(named)]
    else:
        candidate_types += [i.name for i in named.interfaces]
    stored_types = [t for t in candidate_types if t in resolvers.records]
    if not stored_types:
        if isinstance(named, GraphQLInterfaceType):
            raise GraphQLError(f"no records for interface entity {type_name}")
        return dict(representation)
    key_trees = list(built.keys.get(type_name, []))
    if not key_trees and isinstance(named, GraphQLObjectType):
        for interface in named.interfaces:
            key_trees += built.keys.get(interface.name, [])
    for stored_type in stored_types:
        for record in resolvers.records[stored_type]:
            concrete = typename_of(record) or stored_type
            if isinstance(named, GraphQLObjectType) and concrete != type_name:
                continue
            if any(key_matches(record, representation, key) for key in key_trees):
                merged = {**representation, **record}
                merged["__typename"] = concrete
                return merged
    return None
