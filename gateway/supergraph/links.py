"""Reads the ``@link`` / ``@core`` feature declarations of a supergraph.

Why: a supergraph may rename the machinery it links (``@link(url: ".../join/v0.3", as: "j")``) or import
directives under other names; every later stage must look directives up by their *local* names, so we compute
the mapping once here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from graphql import (
    DirectiveNode,
    DocumentNode,
    ListValueNode,
    ObjectValueNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    ValueNode,
)

from gateway.supergraph.errors import SupergraphError

_SPEC_URL = re.compile(
    r"^https?://[^/]+(?:/[^/]+)*/(?P<name>[A-Za-z_][A-Za-z0-9_-]*)/v(?P<version>\d+\.\d+)/?$"
)


@dataclass(frozen=True, slots=True)
class LinkedSpec:
    """One linked feature: its identity, version and the local name prefix used in this document."""

    url: str
    name: str
    version: tuple[int, int]
    prefix: str  # local alias ("join" unless renamed with `as:`)
    imports: dict[str, str]  # original element name ("@requiresScopes") -> local name ("@requiresScopes")

    def directive(self, element: str) -> str:
        """The local name of one of this spec's directives (``element`` without ``@``)."""
        imported = self.imports.get("@" + element)
        if imported is not None:
            return imported.lstrip("@")
        if element == self.name:
            return self.prefix
        return f"{self.prefix}__{element}"


@dataclass(frozen=True, slots=True)
class Links:
    """All features the supergraph links, keyed by spec name."""

    specs: dict[str, LinkedSpec] = field(default_factory=dict)
    # Local names of the link machinery itself ("link"/"core"), whose directive we must strip too.
    meta_directive: str = "link"
    fed1_core: bool = False

    def get(self, name: str) -> LinkedSpec | None:
        return self.specs.get(name)

    def _apollo_specs(self) -> list[LinkedSpec]:
        return [spec for spec in self.specs.values() if "specs.apollo.dev" in spec.url]

    def machinery_prefixes(self) -> set[str]:
        """Prefixes of types and directives that belong to Apollo's linked specs, not to the API."""
        return {spec.prefix for spec in self._apollo_specs()} | {self.meta_directive}

    def machinery_directives(self) -> set[str]:
        """Local names of every directive defined by an Apollo spec (including imported ones)."""
        names = {self.meta_directive}
        for spec in self._apollo_specs():
            names.add(spec.prefix)
            names.update(v.lstrip("@") for k, v in spec.imports.items() if k.startswith("@"))
        return names


def _string(value: ValueNode | None) -> str | None:
    return value.value if isinstance(value, StringValueNode) else None


def _arg(directive: DirectiveNode, name: str) -> ValueNode | None:
    for argument in directive.arguments or ():
        if argument.name.value == name:
            return argument.value
    return None


def _imports(value: ValueNode | None) -> dict[str, str]:
    result: dict[str, str] = {}
    if not isinstance(value, ListValueNode):
        return result
    for item in value.values:
        if isinstance(item, StringValueNode):
            result[item.value] = item.value
        elif isinstance(item, ObjectValueNode):
            fields = {f.name.value: _string(f.value) for f in item.fields}
            name = fields.get("name")
            if name:
                result[name] = fields.get("as") or name
    return result


def read_links(document: DocumentNode) -> Links:
    """Collect ``@link`` (Fed 2, join v0.2+) or ``@core`` (Fed 1, join v0.1) declarations on the schema."""
    directives: list[DirectiveNode] = []
    for definition in document.definitions:
        if isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            directives.extend(definition.directives or ())
    specs: dict[str, LinkedSpec] = {}
    meta = "link"
    fed1 = False
    # The link spec may itself be renamed; find it first.
    for directive in directives:
        url = _string(_arg(directive, "url")) or _string(_arg(directive, "feature"))
        if url and ("/link/v" in url or "/core/v" in url):
            meta = _string(_arg(directive, "as")) or directive.name.value
            fed1 = "/core/v" in url
    for directive in directives:
        if directive.name.value != meta:
            continue
        url = _string(_arg(directive, "url")) or _string(_arg(directive, "feature"))
        if not url:
            raise SupergraphError(f"@{meta} directive without a url on the schema definition")
        match = _SPEC_URL.match(url)
        if not match:
            continue  # custom feature with a non-standard url: nothing to interpret
        name = match.group("name")
        major, minor = (int(x) for x in match.group("version").split("."))
        prefix = _string(_arg(directive, "as")) or name
        specs[name] = LinkedSpec(url, name, (major, minor), prefix, _imports(_arg(directive, "import")))
    if "join" not in specs:
        raise SupergraphError(
            "not a supergraph: the schema does not link the join spec "
            '(expected @link(url: "https://specs.apollo.dev/join/v0.x") or @core(feature: ...))'
        )
    return Links(specs, meta, fed1)
