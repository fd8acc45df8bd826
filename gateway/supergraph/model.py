"""The supergraph: parsed SDL plus the ``join__`` metadata the planner needs, immutable once built.

Why: the planner asks the same questions millions of times ("which subgraphs resolve ``User.name``?",
"which keys does ``Product`` have in ``inventory``?"). We answer them from plain dicts computed once per
schema generation, never by walking directives per request.

Semantics follow the join spec versions v0.1 (Fed 1, ``@core`` + ``@join__owner``) to v0.5 (Fed 2 with
``@join__field(overrideLabel:)``, ``@join__type(isInterfaceObject:)``, ``@join__implements``,
``@join__unionMember``, ``@join__enumValue``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumValueNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InputObjectTypeDefinitionNode,
    InterfaceTypeDefinitionNode,
    ListValueNode,
    ObjectTypeDefinitionNode,
    ObjectValueNode,
    SelectionSetNode,
    StringValueNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    ValueNode,
    build_ast_schema,
    parse,
)

from gateway.supergraph.errors import SupergraphError
from gateway.supergraph.links import Links, read_links

TypeKind = Literal["object", "interface", "union", "enum", "input", "scalar"]
ROOT_KINDS = ("query", "mutation", "subscription")


@dataclass(frozen=True, slots=True)
class Graph:
    """One subgraph: its enum value in ``join__Graph``, its name and routing URL."""

    enum_value: str
    name: str
    url: str


@dataclass(frozen=True, slots=True)
class KeyDef:
    """One ``@key`` of a type in a subgraph."""

    graph: str
    fields: str
    selection: SelectionSetNode
    resolvable: bool


@dataclass(frozen=True, slots=True)
class TypeInGraph:
    """How a type appears in one subgraph."""

    graph: str
    keys: tuple[KeyDef, ...]
    extension: bool
    interface_object: bool


@dataclass(frozen=True, slots=True)
class ContextArgument:
    """One ``@fromContext`` argument (join v0.5 ``contextArguments``): the field's argument ``name``
    takes the value selected by ``selection`` on the nearest ancestor whose type has ``@context(name:)``.
    """

    context: str
    name: str
    type: str
    selection: SelectionSetNode


@dataclass(frozen=True, slots=True)
class FieldInGraph:
    """One ``@join__field`` application: how a field appears in one subgraph."""

    graph: str
    external: bool = False
    requires: SelectionSetNode | None = None
    provides: SelectionSetNode | None = None
    override_from: str | None = None
    override_label: str | None = None
    used_overridden: bool = False
    context_arguments: tuple[ContextArgument, ...] = ()
    # The named type of the field in this subgraph when it differs from the supergraph's (join v0.3+
    # ``type:``): an object implementing the supergraph's interface, a member of its union.
    type_name: str | None = None


@dataclass(frozen=True, slots=True)
class FieldDef:
    """A field of a composite type and the subgraphs that define it."""

    name: str
    parent: str
    type_name: str  # the named (innermost) type
    list_depth: int  # how many list wrappers: each one is a '@' in flatten paths
    # Explicit per-graph entries; empty when the field has no @join__field (then: every graph of the parent).
    entries: tuple[FieldInGraph, ...]
    # Graphs that define the field when `entries` is empty.
    implicit_graphs: tuple[str, ...]
    has_join_field: bool
    # Fed 1 (join v0.1): subgraphs that key the parent type on this field can always return it, even though
    # the supergraph only lists the owner in @join__field.
    key_graphs: tuple[str, ...] = ()

    def entry(self, graph: str) -> FieldInGraph | None:
        for entry in self.entries:
            if entry.graph == graph:
                return entry
        return None

    def type_in(self, graph: str) -> str:
        """The named type of this field as ``graph`` declares it."""
        for entry in self.entries:
            if entry.graph == graph:
                return entry.type_name or self.type_name
        return self.type_name


@dataclass(frozen=True, slots=True)
class TypeDef:
    """A named type with its per-subgraph presence and its fields."""

    name: str
    kind: TypeKind
    graphs: dict[str, TypeInGraph]  # empty means "every subgraph" (Fed 1 value types)
    fields: dict[str, FieldDef]
    inaccessible: bool = False


@dataclass(frozen=True, slots=True)
class Supergraph:
    """Everything the gateway knows about one supergraph generation."""

    sdl: str
    sha256: str
    document: DocumentNode
    schema: GraphQLSchema  # the full supergraph schema (with join machinery) for type relations
    links: Links
    graphs: dict[str, Graph]  # by subgraph name, in join__Graph order
    types: dict[str, TypeDef]
    root_types: dict[str, str]  # "query" -> "Query", ...
    # (graph, abstract type) -> possible object types the subgraph itself can return there.
    possible_in_graph: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)
    # @context names carried by each type (for @fromContext arguments).
    contexts: dict[str, frozenset[str]] = field(default_factory=dict)

    # ---- questions the planner asks -------------------------------------------------------------

    def type_in_graph(self, type_name: str, graph: str) -> bool:
        typedef = self.types.get(type_name)
        if typedef is None:
            return False
        return not typedef.graphs or graph in typedef.graphs

    def keys(self, type_name: str, graph: str) -> tuple[KeyDef, ...]:
        typedef = self.types.get(type_name)
        if typedef is None:
            return ()
        in_graph = typedef.graphs.get(graph)
        return in_graph.keys if in_graph else ()

    def resolvable_keys(self, type_name: str, graph: str) -> tuple[KeyDef, ...]:
        return tuple(k for k in self.keys(type_name, graph) if k.resolvable)

    def is_interface_object(self, type_name: str, graph: str) -> bool:
        typedef = self.types.get(type_name)
        if typedef is None:
            return False
        in_graph = typedef.graphs.get(graph)
        return bool(in_graph and in_graph.interface_object)

    def field_defined_in(self, type_name: str, field_name: str, graph: str) -> bool:
        """The subgraph has the field in its schema (possibly as @external)."""
        fielddef = self.types[type_name].fields.get(field_name)
        if fielddef is None:
            return False
        if fielddef.entries or fielddef.has_join_field:
            if fielddef.entry(graph) is not None:
                return True
            # join v0.1 does not record @external fields: any subgraph with the type may declare them
            return self.links.fed1_core and self.type_in_graph(type_name, graph)
        return graph in fielddef.implicit_graphs

    def field_resolvable_in(
        self, type_name: str, field_name: str, graph: str, labels: frozenset[str] = frozenset()
    ) -> bool:
        """The subgraph can resolve the field itself (not external, not overridden away)."""
        typedef = self.types.get(type_name)
        if typedef is None:
            return False
        fielddef = typedef.fields.get(field_name)
        if fielddef is None:
            return False
        if graph in fielddef.key_graphs:
            return True
        if not fielddef.entries:
            if fielddef.has_join_field:
                return False
            return graph in fielddef.implicit_graphs
        entry = fielddef.entry(graph)
        if entry is None or entry.external or entry.used_overridden:
            return False
        if entry.override_label is not None:
            active = entry.override_label in labels
            return active if entry.override_from is not None else not active
        return True

    def field_graphs(
        self, type_name: str, field_name: str, labels: frozenset[str] = frozenset()
    ) -> list[str]:
        """Subgraphs that can resolve the field, in join__Graph order."""
        return [g for g in self.graphs if self.field_resolvable_in(type_name, field_name, g, labels)]

    def possible_types(self, abstract: str) -> tuple[str, ...]:
        """Object types that may appear at a position of this type in the supergraph."""
        gtype = self.schema.get_type(abstract)
        if isinstance(gtype, GraphQLObjectType):
            return (abstract,)
        if isinstance(gtype, GraphQLInterfaceType | GraphQLUnionType):
            return tuple(t.name for t in self.schema.get_possible_types(gtype))
        return ()

    def possible_types_in_graph(self, abstract: str, graph: str) -> tuple[str, ...]:
        """Object types a subgraph can return at a position of abstract type ``abstract``."""
        found = self.possible_in_graph.get((graph, abstract))
        if found is not None:
            return found
        return tuple(t for t in self.possible_types(abstract) if self.type_in_graph(t, graph))

    def kind(self, type_name: str) -> TypeKind:
        return self.types[type_name].kind

    def is_abstract(self, type_name: str) -> bool:
        typedef = self.types.get(type_name)
        return typedef is not None and typedef.kind in ("interface", "union")

    def is_composite(self, type_name: str) -> bool:
        typedef = self.types.get(type_name)
        return typedef is not None and typedef.kind in ("object", "interface", "union")

    def implements(self, type_name: str, abstract: str) -> bool:
        if type_name == abstract:
            return True
        return type_name in self.possible_types(abstract)

    def graph_url(self, name: str) -> str:
        return self.graphs[name].url


# ---- building ----------------------------------------------------------------------------------------


def _arg(directive: DirectiveNode, name: str) -> ValueNode | None:
    for argument in directive.arguments or ():
        if argument.name.value == name:
            return argument.value
    return None


def _str(directive: DirectiveNode, name: str) -> str | None:
    value = _arg(directive, name)
    return value.value if isinstance(value, StringValueNode) else None


def _bool(directive: DirectiveNode, name: str, default: bool = False) -> bool:
    value = _arg(directive, name)
    return value.value if isinstance(value, BooleanValueNode) else default


def _enum(directive: DirectiveNode, name: str) -> str | None:
    value = _arg(directive, name)
    return value.value if isinstance(value, EnumValueNode) else None


def parse_field_set(fields: str, where: str) -> SelectionSetNode:
    """Parse a ``join__FieldSet`` string (``"id org { id }"``) into a selection set."""
    try:
        document = parse("{" + fields + "}", no_location=True)
    except GraphQLError as error:
        raise SupergraphError(f"invalid field set {fields!r} on {where}: {error.message}") from error
    operation = document.definitions[0]
    return operation.selection_set  # type: ignore[attr-defined, no-any-return]


def _named_type_and_depth(type_node: object) -> tuple[str, int]:
    depth = 0
    node = type_node
    while not hasattr(node, "name") or getattr(node, "kind", "") != "named_type":
        if getattr(node, "kind", "") == "list_type":
            depth += 1
        node = node.type  # type: ignore[attr-defined]
    return node.name.value, depth  # type: ignore[attr-defined]


_KIND_BY_NODE: dict[str, TypeKind] = {
    "object_type_definition": "object",
    "object_type_extension": "object",
    "interface_type_definition": "interface",
    "interface_type_extension": "interface",
    "union_type_definition": "union",
    "union_type_extension": "union",
    "enum_type_definition": "enum",
    "enum_type_extension": "enum",
    "input_object_type_definition": "input",
    "input_object_type_extension": "input",
    "scalar_type_definition": "scalar",
    "scalar_type_extension": "scalar",
}


class _Builder:
    def __init__(self, sdl: str) -> None:
        self.sdl = sdl
        try:
            self.document = parse(sdl)
        except GraphQLError as error:
            raise SupergraphError(f"supergraph SDL does not parse: {error}") from error
        self.links = read_links(self.document)
        join = self.links.specs["join"]
        self.join = join
        self.d_graph = join.directive("graph")
        self.d_type = join.directive("type")
        self.d_field = join.directive("field")
        self.d_owner = join.directive("owner")
        self.d_implements = join.directive("implements")
        self.d_union_member = join.directive("unionMember")
        inaccessible = self.links.get("inaccessible")
        self.d_inaccessible = inaccessible.directive("inaccessible") if inaccessible else "inaccessible"
        try:
            self.schema = build_ast_schema(self.document, assume_valid_sdl=True)
        except (GraphQLError, TypeError) as error:
            raise SupergraphError(f"supergraph SDL does not build a schema: {error}") from error

    def build(self) -> Supergraph:
        graphs = self._graphs()
        by_enum = {g.enum_value: g.name for g in graphs.values()}
        nodes: dict[str, list[TypeDefinitionNode | TypeExtensionNode]] = {}
        for definition in self.document.definitions:
            kind = _KIND_BY_NODE.get(definition.kind)
            if kind is None:
                continue
            nodes.setdefault(definition.name.value, []).append(definition)  # type: ignore[attr-defined]
        types: dict[str, TypeDef] = {}
        implements: dict[tuple[str, str], list[str]] = {}
        union_members: dict[tuple[str, str], list[str]] = {}
        saw_implements = False
        saw_union_members = False
        for name, defs in nodes.items():
            kind = _KIND_BY_NODE[defs[0].kind]
            directives = [d for node in defs for d in (node.directives or ())]
            in_graphs: dict[str, TypeInGraph] = {}
            key_lists: dict[str, list[KeyDef]] = {}
            flags: dict[str, tuple[bool, bool]] = {}
            owner: str | None = None
            for directive in directives:
                dname = directive.name.value
                if dname == self.d_type:
                    graph = by_enum.get(_enum(directive, "graph") or "")
                    if graph is None:
                        raise SupergraphError(f"@{dname} on {name} names an unknown graph")
                    key_lists.setdefault(graph, [])
                    key = _str(directive, "key")
                    if key is not None:
                        key_lists[graph].append(
                            KeyDef(
                                graph,
                                key,
                                parse_field_set(key, f"@key of {name} in {graph}"),
                                _bool(directive, "resolvable", True),
                            )
                        )
                    ext, io = flags.get(graph, (False, False))
                    flags[graph] = (
                        ext or _bool(directive, "extension"),
                        io or _bool(directive, "isInterfaceObject"),
                    )
                elif dname == self.d_owner:
                    owner = by_enum.get(_enum(directive, "graph") or "")
                elif dname == self.d_implements:
                    saw_implements = True
                    graph = by_enum.get(_enum(directive, "graph") or "")
                    iface = _str(directive, "interface")
                    if graph and iface:
                        implements.setdefault((graph, iface), []).append(name)
                elif dname == self.d_union_member:
                    saw_union_members = True
                    graph = by_enum.get(_enum(directive, "graph") or "")
                    member = _str(directive, "member")
                    if graph and member:
                        union_members.setdefault((graph, name), []).append(member)
            if owner is not None:
                key_lists.setdefault(owner, [])
            for graph, keys in key_lists.items():
                ext, io = flags.get(graph, (False, False))
                in_graphs[graph] = TypeInGraph(graph, tuple(keys), ext, io)
            # keep join__Graph order for determinism
            in_graphs = {g: in_graphs[g] for g in graphs if g in in_graphs}
            inaccessible = any(d.name.value == self.d_inaccessible for d in directives)
            fields = self._fields(name, kind, defs, in_graphs, owner, by_enum, graphs)
            types[name] = TypeDef(name, kind, in_graphs, fields, inaccessible)

        root_types = {}
        for op in ROOT_KINDS:
            root = getattr(self.schema, f"{op}_type")
            if root is not None:
                root_types[op] = root.name
        if "query" not in root_types:
            raise SupergraphError("the supergraph has no query root type")

        supergraph = Supergraph(
            sdl=self.sdl,
            sha256=hashlib.sha256(self.sdl.encode()).hexdigest(),
            document=self.document,
            schema=self.schema,
            links=self.links,
            graphs=graphs,
            types=types,
            root_types=root_types,
        )
        possible: dict[tuple[str, str], tuple[str, ...]] = {}
        for typedef in types.values():
            if typedef.kind == "interface" and saw_implements:
                for graph in graphs:
                    members = [
                        t
                        for t in implements.get((graph, typedef.name), [])
                        if types.get(t) and types[t].kind == "object"
                    ]
                    # interfaces implementing interfaces: include their object implementations too
                    for t in implements.get((graph, typedef.name), []):
                        if types.get(t) and types[t].kind == "interface":
                            members.extend(
                                m for m in supergraph.possible_types(t) if supergraph.type_in_graph(m, graph)
                            )
                    possible[(graph, typedef.name)] = tuple(
                        t for t in supergraph.possible_types(typedef.name) if t in members
                    )
            elif typedef.kind == "union" and saw_union_members:
                for graph in graphs:
                    members = union_members.get((graph, typedef.name), [])
                    possible[(graph, typedef.name)] = tuple(
                        t for t in supergraph.possible_types(typedef.name) if t in members
                    )
        object.__setattr__(supergraph, "possible_in_graph", possible)
        object.__setattr__(supergraph, "contexts", self._contexts(nodes))
        return supergraph

    def _contexts(
        self, nodes: dict[str, list[TypeDefinitionNode | TypeExtensionNode]]
    ) -> dict[str, frozenset[str]]:
        spec = self.links.get("context")
        if spec is None:
            return {}
        directive_name = spec.directive("context")
        result: dict[str, frozenset[str]] = {}
        for name, defs in nodes.items():
            found = {
                value
                for node in defs
                for d in node.directives or ()
                if d.name.value == directive_name and (value := _str(d, "name")) is not None
            }
            if found:
                result[name] = frozenset(found)
        return result

    def _graphs(self) -> dict[str, Graph]:
        enum_name = f"{self.join.prefix}__Graph"
        for definition in self.document.definitions:
            if isinstance(definition, EnumTypeDefinitionNode) and definition.name.value == enum_name:
                graphs: dict[str, Graph] = {}
                for value in definition.values or ():
                    directive = next(
                        (d for d in value.directives or () if d.name.value == self.d_graph), None
                    )
                    if directive is None:
                        raise SupergraphError(f"{enum_name}.{value.name.value} has no @{self.d_graph}")
                    name = _str(directive, "name") or value.name.value.lower()
                    url = _str(directive, "url") or ""
                    graphs[name] = Graph(value.name.value, name, url)
                return graphs
        raise SupergraphError(f"the supergraph has no {enum_name} enum: it names no subgraphs")

    def _fields(
        self,
        type_name: str,
        kind: TypeKind,
        defs: list[TypeDefinitionNode | TypeExtensionNode],
        in_graphs: dict[str, TypeInGraph],
        owner: str | None,
        by_enum: dict[str, str],
        graphs: dict[str, Graph],
    ) -> dict[str, FieldDef]:
        if kind not in ("object", "interface", "input"):
            return {}
        result: dict[str, FieldDef] = {}
        all_graphs = tuple(graphs)
        type_graphs = tuple(in_graphs) if in_graphs else all_graphs
        for node in defs:
            if not isinstance(
                node,
                ObjectTypeDefinitionNode | InterfaceTypeDefinitionNode | InputObjectTypeDefinitionNode,
            ) and not hasattr(node, "fields"):
                continue
            for fnode in node.fields or ():  # type: ignore[union-attr]
                fname = fnode.name.value
                type_named, depth = _named_type_and_depth(fnode.type)
                entries: list[FieldInGraph] = []
                has_join_field = False
                for directive in fnode.directives or ():
                    if directive.name.value != self.d_field:
                        continue
                    has_join_field = True
                    graph_enum = _enum(directive, "graph")
                    if graph_enum is None:
                        continue
                    graph = by_enum.get(graph_enum)
                    if graph is None:
                        raise SupergraphError(
                            f"@{self.d_field} on {type_name}.{fname} names an unknown graph"
                        )
                    where = f"{type_name}.{fname} in {graph}"
                    requires = _str(directive, "requires")
                    provides = _str(directive, "provides")
                    override = _str(directive, "override")
                    entries.append(
                        FieldInGraph(
                            graph=graph,
                            external=_bool(directive, "external"),
                            requires=parse_field_set(requires, f"@requires of {where}") if requires else None,
                            provides=parse_field_set(provides, f"@provides of {where}") if provides else None,
                            override_from=override,
                            override_label=_str(directive, "overrideLabel"),
                            used_overridden=_bool(directive, "usedOverridden"),
                            context_arguments=_context_arguments(directive, where),
                            type_name=_graph_type_name(_str(directive, "type"), type_named),
                        )
                    )
                implicit: tuple[str, ...] = ()
                if not has_join_field:
                    if owner is not None:
                        # join v0.1: fields belong to the owner; key fields also to graphs that key the type
                        extra = [
                            g
                            for g, tig in in_graphs.items()
                            if g != owner
                            and any(_top_level_names(k.selection).__contains__(fname) for k in tig.keys)
                        ]
                        implicit = (owner, *extra)
                    else:
                        implicit = type_graphs
                key_graphs: tuple[str, ...] = ()
                if owner is not None:
                    key_graphs = tuple(
                        g
                        for g, tig in in_graphs.items()
                        if any(fname in _top_level_names(k.selection) for k in tig.keys)
                    )
                result[fname] = FieldDef(
                    name=fname,
                    parent=type_name,
                    type_name=type_named,
                    list_depth=depth,
                    entries=tuple(entries),
                    implicit_graphs=implicit,
                    has_join_field=has_join_field,
                    key_graphs=key_graphs,
                )
        return result


def _context_arguments(directive: DirectiveNode, where: str) -> tuple[ContextArgument, ...]:
    value = _arg(directive, "contextArguments")
    if not isinstance(value, ListValueNode):
        return ()
    result: list[ContextArgument] = []
    for item in value.values:
        if not isinstance(item, ObjectValueNode):
            continue
        fields = {f.name.value: f.value for f in item.fields}
        texts = {k: v.value for k, v in fields.items() if isinstance(v, StringValueNode)}
        if not {"context", "name", "type", "selection"} <= texts.keys():
            raise SupergraphError(f"incomplete contextArguments on {where}")
        selection = texts["selection"].strip()
        if selection.startswith("{") and selection.endswith("}"):
            selection = selection[1:-1]
        result.append(
            ContextArgument(
                texts["context"],
                texts["name"],
                texts["type"],
                parse_field_set(selection, f"contextArguments of {where}"),
            )
        )
    return tuple(result)


def _graph_type_name(type_text: str | None, supergraph_type: str) -> str | None:
    """The named type inside a ``@join__field(type:)`` text (``"[User!]!"`` -> ``User``), or None when it is
    the supergraph's own named type (then nothing differs for planning)."""
    if not type_text:
        return None
    named = type_text.replace("[", "").replace("]", "").replace("!", "").strip()
    return None if named == supergraph_type else named


def _top_level_names(selection: SelectionSetNode) -> set[str]:
    return {s.name.value for s in selection.selections if s.kind == "field"}  # type: ignore[attr-defined]


def load_supergraph(sdl: str) -> Supergraph:
    """Parse and index a supergraph SDL; raises ``SupergraphError`` with a readable reason."""
    return _Builder(sdl).build()


def graphs_of(supergraph: Supergraph) -> Iterable[Graph]:
    return supergraph.graphs.values()
