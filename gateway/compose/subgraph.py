"""Turn one subgraph SDL into the federation-aware model (``model.Subgraph``).

Why a separate step: everything after parsing must reason about federation *meaning*, not spelling. This
module resolves ``@link`` imports and renames (``{name: "@key", as: "@myKey"}``, ``@federation__key``), folds
``extend type`` into definitions, renames custom root types to ``Query``/``Mutation``/``Subscription``, strips
federation plumbing (``_service``, ``_Entity``...) and applies Apollo's Fed 1 upgrade rules to subgraphs
without a federation ``@link``.
"""

from __future__ import annotations

import re

from graphql import (
    ConstListValueNode,
    ConstObjectValueNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    GraphQLError,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InputValueDefinitionNode,
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
    StringValueNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    TypeNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    ValueNode,
    parse,
    print_ast,
)

from gateway.compose import errors as E
from gateway.compose.errors import CompositionError
from gateway.compose.fed1 import upgrade_fed1
from gateway.compose.model import (
    EXECUTABLE_LOCATIONS,
    Applied,
    ComposedDirective,
    EnumValueDef,
    ExecutableDirective,
    FieldDef,
    InputValue,
    Subgraph,
    TypeDef,
    TypeKind,
)

FEDERATION_PREFIX = "https://specs.apollo.dev/federation/v"
FED_DIRECTIVES = (
    "key",
    "shareable",
    "external",
    "requires",
    "provides",
    "override",
    "inaccessible",
    "tag",
    "interfaceObject",
    "extends",
    "authenticated",
    "requiresScopes",
    "policy",
    "cost",
    "listSize",
    "composeDirective",
    "context",
    "fromContext",
)
# Federation plumbing that a subgraph may print (e.g. from ``_service { sdl }``) but that never composes.
PLUMBING_TYPES = frozenset(
    {"_Service", "_Any", "_Entity", "_FieldSet", "FieldSet", "link__Import", "link__Purpose"}
)
PLUMBING_FIELDS = frozenset({"_service", "_entities"})
OPERATION_ROOTS = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}
# Federation directives usable without @link (Fed 1 subgraphs).
FED1_DIRECTIVES = frozenset({"key", "external", "requires", "provides", "extends", "tag"})
# First federation version defining each directive (others: 2.0).
FED_DIRECTIVE_SINCE: dict[str, tuple[int, int]] = {
    "composeDirective": (2, 1),
    "interfaceObject": (2, 3),
    "authenticated": (2, 5),
    "requiresScopes": (2, 5),
    "policy": (2, 6),
    "context": (2, 8),
    "fromContext": (2, 8),
    "cost": (2, 9),
    "listSize": (2, 9),
}
# Arguments of federation directives, with the federation version that introduced each.
_V20 = (2, 0)
FED_DIRECTIVE_ARGS: dict[str, dict[str, tuple[int, int]]] = {
    "key": {"fields": _V20, "resolvable": _V20},
    "requires": {"fields": _V20},
    "provides": {"fields": _V20},
    "external": {"reason": _V20},
    "shareable": {},
    "override": {"from": _V20, "label": (2, 7)},
    "tag": {"name": _V20},
    "inaccessible": {},
    "interfaceObject": {},
    "extends": {},
    "authenticated": {},
    "requiresScopes": {"scopes": _V20},
    "policy": {"policies": _V20},
    "cost": {"weight": _V20},
    "listSize": {
        "assumedSize": _V20,
        "slicingArguments": _V20,
        "sizedFields": _V20,
        "requireOneSlicingArgument": _V20,
    },
    "context": {"name": _V20},
    "fromContext": {"field": _V20},
}
# Non-directive names a federation @link may import.
FED_TYPE_IMPORTS = frozenset({"FieldSet", "Scope", "Policy", "ContextFieldValue"})
BUILTIN_DIRECTIVES = frozenset({"skip", "include", "deprecated", "specifiedBy", "defer", "stream", "oneOf"})
_VERSION = re.compile(r"v(\d+)\.(\d+)$")

_KIND_BY_NODE: dict[type, TypeKind] = {
    ObjectTypeDefinitionNode: "object",
    ObjectTypeExtensionNode: "object",
    InterfaceTypeDefinitionNode: "interface",
    InterfaceTypeExtensionNode: "interface",
    UnionTypeDefinitionNode: "union",
    UnionTypeExtensionNode: "union",
    EnumTypeDefinitionNode: "enum",
    EnumTypeExtensionNode: "enum",
    InputObjectTypeDefinitionNode: "input",
    InputObjectTypeExtensionNode: "input",
    ScalarTypeDefinitionNode: "scalar",
    ScalarTypeExtensionNode: "scalar",
}
_EXTENSIONS = (
    ObjectTypeExtensionNode,
    InterfaceTypeExtensionNode,
    UnionTypeExtensionNode,
    EnumTypeExtensionNode,
    InputObjectTypeExtensionNode,
    ScalarTypeExtensionNode,
)


def _str(value: ValueNode | None) -> str | None:
    return value.value if isinstance(value, StringValueNode) else None


def _args(node: DirectiveNode) -> dict[str, ValueNode]:
    return {a.name.value: a.value for a in node.arguments or ()}


class _Names:
    """Maps directive names as written in one subgraph to their canonical federation names."""

    def __init__(self) -> None:
        self.local_to_canonical: dict[str, str] = {}
        # Directives imported from non-federation @link specs: local name -> (url, name in spec).
        self.linked: dict[str, tuple[str, str]] = {}

    def canonical(self, local: str) -> str:
        return self.local_to_canonical.get(local, local)


def _read_imports(value: ValueNode | None) -> list[tuple[str, str]]:
    """``import: ["@key", {name: "@key", as: "@myKey"}]`` -> [(name, local)] without the ``@``."""
    out: list[tuple[str, str]] = []
    if not isinstance(value, ListValueNode | ConstListValueNode):
        return out
    for item in value.values:
        if isinstance(item, StringValueNode):
            out.append((item.value.lstrip("@"), item.value.lstrip("@")))
        elif isinstance(item, ObjectValueNode | ConstObjectValueNode):
            fields = {f.name.value: _str(f.value) for f in item.fields}
            name = fields.get("name")
            if name:
                out.append((name.lstrip("@"), (fields.get("as") or name).lstrip("@")))
    return out


def _schema_directives(doc: DocumentNode) -> list[DirectiveNode]:
    out: list[DirectiveNode] = []
    for d in doc.definitions:
        if isinstance(d, SchemaDefinitionNode | SchemaExtensionNode):
            out.extend(d.directives or ())
    return out


def _root_renames(doc: DocumentNode) -> dict[str, str]:
    renames: dict[str, str] = {}
    for d in doc.definitions:
        if isinstance(d, SchemaDefinitionNode | SchemaExtensionNode):
            for op in d.operation_types or ():
                target = OPERATION_ROOTS[op.operation.value]
                if op.type.name.value != target:
                    renames[op.type.name.value] = target
    return renames


def _print_type(node: TypeNode, renames: dict[str, str]) -> str:
    text = print_ast(node)
    base = text.replace("[", "").replace("]", "").replace("!", "")
    if base in renames:
        text = text.replace(base, renames[base])
    return text


class _Builder:
    """Builds one ``Subgraph`` from its document, collecting errors instead of raising."""

    def __init__(self, name: str, url: str, doc: DocumentNode) -> None:
        self.name = name
        self.url = url
        self.doc = doc
        self.errors: list[CompositionError] = []
        self.names = _Names()
        self.renames = _root_renames(doc)
        self.fed2 = False
        self.version = (2, 0)
        self.composed_requests: list[str] = []
        self.imports: list[str] = []
        self.known: set[str] = {"link"}
        self.linked_prefixes: list[str] = []
        self.unknown_reported: set[str] = set()
        self.directive_defs: dict[str, DirectiveDefinitionNode] = {}

    def error(self, code: str, message: str, coordinate: str | None = None) -> None:
        self.errors.append(CompositionError(code, f"[{self.name}] {message}", (self.name,), coordinate))

    # -- @link resolution ------------------------------------------------------------------------------------

    def resolve_links(self) -> None:
        for directive in _schema_directives(self.doc):
            if directive.name.value != "link":
                continue
            args = _args(directive)
            url = _str(args.get("url"))
            if url is None:
                self.error(E.INVALID_LINK_DIRECTIVE_USAGE, '@link is missing its "url" argument')
                continue
            imports = _read_imports(args.get("import"))
            if url.startswith(FEDERATION_PREFIX):
                match = _VERSION.search(url)
                if not match:
                    self.error(E.INVALID_LINK_DIRECTIVE_USAGE, f'Invalid federation @link url "{url}"')
                    continue
                self.fed2 = True
                self.version = (int(match.group(1)), int(match.group(2)))
                prefix = _str(args.get("as")) or "federation"
                available = [d for d in FED_DIRECTIVES if FED_DIRECTIVE_SINCE.get(d, (2, 0)) <= self.version]
                for fed in available:
                    self.names.local_to_canonical[f"{prefix}__{fed}"] = fed
                    self.known.add(f"{prefix}__{fed}")
                for name, local in imports:
                    if name in available:
                        self.names.local_to_canonical[local] = name
                        self.known.add(local)
                        self.imports.append(name)
                    elif name in FED_DIRECTIVES or name not in FED_TYPE_IMPORTS:
                        self.error(
                            E.INVALID_LINK_DIRECTIVE_USAGE, f'Cannot import unknown element "@{name}".'
                        )
            else:
                spec_name = url.rstrip("/").split("/")[-2] if "/" in url else url
                prefix = _str(args.get("as")) or spec_name
                for name, local in imports:
                    self.names.linked[local] = (url, name)
                    self.known.add(local)
                self.linked_prefixes.append(f"{prefix}__")
        if not self.fed2:
            for fed in FED_DIRECTIVES:
                self.names.local_to_canonical[fed] = fed
            self.known.update(FED1_DIRECTIVES)
        for directive in _schema_directives(self.doc):
            if self.names.canonical(directive.name.value) == "composeDirective":
                requested = _str(_args(directive).get("name"))
                if requested:
                    self.composed_requests.append(requested.lstrip("@"))

    # -- elements --------------------------------------------------------------------------------------------

    def applied(
        self, nodes: tuple[DirectiveNode, ...] | list[DirectiveNode] | None, in_extension: bool = False
    ) -> list[Applied]:
        out: list[Applied] = []
        for node in nodes or ():
            self.check_known(node.name.value)
            name = self.names.canonical(node.name.value)
            self.check_arguments(node, name)
            if name == "link":
                continue
            args = tuple((a.name.value, a.value) for a in node.arguments or ())
            out.append(Applied(name, args, in_extension))
        return out

    def check_arguments(self, node: DirectiveNode, canonical: str) -> None:
        """Federation directive arguments must exist in the linked federation version (Apollo validates
        applications against the spec definitions)."""
        allowed = FED_DIRECTIVE_ARGS.get(canonical)
        if allowed is None or (node.name.value in self.directive_defs and not self.fed2):
            return
        for arg in node.arguments or ():
            since = allowed.get(arg.name.value)
            if since is None or (self.fed2 and since > self.version):
                self.error(
                    E.INVALID_GRAPHQL,
                    f'Unknown argument "{arg.name.value}" on directive "@{node.name.value}".'
                    + (
                        f" It needs federation v{since[0]}.{since[1]} or later: update the @link url."
                        if since is not None
                        else ""
                    ),
                )

    def check_known(self, local: str) -> None:
        """Report a directive that is neither defined, built in, nor imported (Apollo: INVALID_GRAPHQL)."""
        if local in self.known or local in self.directive_defs or local in BUILTIN_DIRECTIVES:
            return
        if any(local.startswith(p) for p in self.linked_prefixes) or local in self.unknown_reported:
            return
        self.unknown_reported.add(local)
        advice = ""
        if local in FED_DIRECTIVES and not self.fed2:
            advice = (
                f' If you meant the "@{local}" federation 2 directive, note that this schema is a '
                "federation 1 schema. To be a federation 2 schema, it needs to @link to the federation "
                "specification v2."
            )
        elif local in FED_DIRECTIVES:
            advice = (
                f' If you meant the "@{local}" federation directive, you should use fully-qualified name '
                f'"@federation__{local}" or add "@{local}" to the `import` argument of the @link to the '
                "federation specification (and check that the linked federation version has it)."
            )
        self.error(E.INVALID_GRAPHQL, f'Unknown directive "@{local}".{advice}')

    def executable(self, composed: dict[str, ComposedDirective]) -> dict[str, ExecutableDirective]:
        out: dict[str, ExecutableDirective] = {}
        for name, node in self.directive_defs.items():
            if name in composed or name in self.names.local_to_canonical or name in self.names.linked:
                continue
            if "__" in name or name in BUILTIN_DIRECTIVES:
                continue
            locations = tuple(loc.value for loc in node.locations if loc.value in EXECUTABLE_LOCATIONS)
            if locations:
                args = tuple(self.input_value(a) for a in node.arguments or ())
                out[name] = ExecutableDirective(name, args, node.repeatable, locations)
        return out

    def input_value(self, node: InputValueDefinitionNode) -> InputValue:
        return InputValue(
            name=node.name.value,
            type=_print_type(node.type, self.renames),
            default=node.default_value,
            description=node.description.value if node.description else None,
            directives=self.applied(node.directives),
        )

    def build_types(self) -> dict[str, TypeDef]:
        types: dict[str, TypeDef] = {}
        for node in self.doc.definitions:
            if isinstance(node, DirectiveDefinitionNode):
                self.directive_defs[node.name.value] = node
        defined: set[str] = set()
        for node in self.doc.definitions:
            kind = _KIND_BY_NODE.get(type(node))
            if kind is None or not isinstance(node, TypeDefinitionNode | TypeExtensionNode):
                continue
            raw_name = node.name.value
            if raw_name in PLUMBING_TYPES or raw_name.startswith(("federation__", "link__", "join__")):
                continue
            name = self.renames.get(raw_name, raw_name)
            is_extension = isinstance(node, _EXTENSIONS)
            tdef = types.get(name)
            if tdef is None:
                tdef = TypeDef(name=name, kind=kind, only_extension=True)
                types[name] = tdef
            elif tdef.kind != kind:
                self.error(
                    E.INVALID_GRAPHQL, f'Type "{name}" is defined as both {tdef.kind} and {kind}', name
                )
                continue
            if not is_extension:
                if name in defined:
                    self.error(E.INVALID_GRAPHQL, f'There can be only one type named "{name}".', name)
                    continue
                defined.add(name)
                tdef.only_extension = False
            desc = getattr(node, "description", None)
            if desc is not None and tdef.description is None:
                tdef.description = desc.value
            tdef.directives.extend(self.applied(node.directives, is_extension))
            self._fill(tdef, node)
        return types

    def _fill(self, tdef: TypeDef, node: TypeDefinitionNode | TypeExtensionNode) -> None:
        if tdef.kind in ("object", "interface"):
            for itf in getattr(node, "interfaces", None) or ():
                if itf.name.value not in tdef.interfaces:
                    tdef.interfaces.append(itf.name.value)
            for f in getattr(node, "fields", None) or ():
                if f.name.value in PLUMBING_FIELDS:
                    continue
                if f.name.value in tdef.fields:
                    self.error(E.INVALID_GRAPHQL, f'Field "{tdef.name}.{f.name.value}" is defined twice')
                    continue
                tdef.fields[f.name.value] = FieldDef(
                    name=f.name.value,
                    type=_print_type(f.type, self.renames),
                    args={a.name.value: self.input_value(a) for a in f.arguments or ()},
                    description=f.description.value if f.description else None,
                    directives=self.applied(f.directives),
                )
        elif tdef.kind == "input":
            for f in getattr(node, "fields", None) or ():
                tdef.input_fields[f.name.value] = self.input_value(f)
        elif tdef.kind == "union":
            for m in getattr(node, "types", None) or ():
                member = self.renames.get(m.name.value, m.name.value)
                if member not in tdef.members:
                    tdef.members.append(member)
        elif tdef.kind == "enum":
            for v in getattr(node, "values", None) or ():
                tdef.values[v.name.value] = EnumValueDef(
                    name=v.name.value,
                    description=v.description.value if v.description else None,
                    directives=self.applied(v.directives),
                )

    def composed(self) -> dict[str, ComposedDirective]:
        out: dict[str, ComposedDirective] = {}
        for local in self.composed_requests:
            definition = self.directive_defs.get(local)
            if definition is None:
                self.error(
                    E.DIRECTIVE_COMPOSITION_ERROR,
                    "Could not find matching directive definition for argument to @composeDirective "
                    f'"@{local}".',
                )
                continue
            if local in FED_DIRECTIVES or local in ("deprecated", "specifiedBy", "skip", "include"):
                self.error(
                    E.DIRECTIVE_COMPOSITION_ERROR,
                    f'Directive "@{local}" should not be explicitly manually composed since it is a '
                    "federation directive or a built-in directive.",
                )
                continue
            url, in_spec = self.names.linked.get(local, (None, local))
            out[local] = ComposedDirective(local, url, in_spec or local, print_ast(definition))
        return out


def parse_subgraph(name: str, url: str, sdl: str) -> tuple[Subgraph | None, list[CompositionError]]:
    """Parse and normalize one subgraph; errors are prefixed with ``[name]`` like Apollo's."""
    try:
        doc = parse(sdl)
    except GraphQLError as exc:
        return None, [CompositionError(E.INVALID_GRAPHQL, f"[{name}] {exc.message}", (name,))]
    builder = _Builder(name, url, doc)
    builder.resolve_links()
    types = builder.build_types()
    sub = Subgraph(name=name, url=url, fed2=builder.fed2, version=builder.version, types=types)
    sub.composed = builder.composed()
    sub.imports = builder.imports
    sub.executable = builder.executable(sub.composed)
    # Every subgraph has a Query root once federation adds ``_entities``/``_service``; Apollo records it.
    sub.types.setdefault("Query", TypeDef(name="Query", kind="object"))
    if not sub.fed2:
        upgrade_fed1(sub)
    return sub, builder.errors
