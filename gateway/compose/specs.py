"""Definitions of the linked specs printed into the supergraph (link, join, tag, inaccessible, auth, cost).

Why literal text: the supergraph must carry the exact definitions @apollo/composition emits for the chosen
spec versions (routers validate them); keeping them as SDL text makes that easy to review against Apollo's
output.
"""

from __future__ import annotations

LINK_URL = "https://specs.apollo.dev/link/v1.0"

LINK_DEFS = {
    "directive:link": "directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) "
    "repeatable on SCHEMA",
    "type:link__Import": "scalar link__Import",
    "type:link__Purpose": 'enum link__Purpose {\n  """\n  `SECURITY` features provide metadata necessary to '
    'securely resolve fields.\n  """\n  SECURITY\n\n  """\n  `EXECUTION` features provide metadata '
    "necessary for "
    'operation execution.\n  """\n  EXECUTION\n}',
}


def join_defs(version: tuple[int, int]) -> dict[str, str]:
    """The join spec elements for ``join/v0.<minor>`` (0.3, 0.4 or 0.5)."""
    field_args = (
        "graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: "
        "Boolean, override: String, usedOverridden: Boolean"
    )
    if version >= (0, 4):
        field_args += ", overrideLabel: String"
    if version >= (0, 5):
        field_args += ", contextArguments: [join__ContextArgument!]"
    defs = {
        "directive:join__enumValue": "directive @join__enumValue(graph: join__Graph!) repeatable "
        "on ENUM_VALUE",
        "directive:join__field": f"directive @join__field({field_args}) repeatable on FIELD_DEFINITION | "
        "INPUT_FIELD_DEFINITION",
        "directive:join__graph": "directive @join__graph(name: String!, url: String!) on ENUM_VALUE",
        "directive:join__implements": "directive @join__implements(graph: join__Graph!, interface: String!) "
        "repeatable on OBJECT | INTERFACE",
        "directive:join__type": "directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: "
        "Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on "
        "OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR",
        "directive:join__unionMember": "directive @join__unionMember(graph: join__Graph!, member: String!) "
        "repeatable on UNION",
        "type:join__FieldSet": "scalar join__FieldSet",
    }
    if version >= (0, 4):
        defs["directive:join__directive"] = (
            "directive @join__directive(graphs: [join__Graph!], name: String!, args: "
            "join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION"
        )
        defs["type:join__DirectiveArguments"] = "scalar join__DirectiveArguments"
    if version >= (0, 5):
        defs["type:join__FieldValue"] = "scalar join__FieldValue"
        defs["type:join__ContextArgument"] = (
            "input join__ContextArgument {\n  name: String!\n  type: String!\n  context: String!\n  "
            "selection: join__FieldValue!\n}"
        )
    return defs


# spec name -> (@link arguments, definitions)
SPECS: dict[str, tuple[str, dict[str, str]]] = {
    "tag": (
        'url: "https://specs.apollo.dev/tag/v0.3"',
        {
            "directive:tag": "directive @tag(name: String!) repeatable on FIELD_DEFINITION | "
            "OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | "
            "INPUT_FIELD_DEFINITION | SCHEMA"
        },
    ),
    "inaccessible": (
        'url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY',
        {
            "directive:inaccessible": "directive @inaccessible on FIELD_DEFINITION | OBJECT | "
            "INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | "
            "INPUT_FIELD_DEFINITION"
        },
    ),
    "authenticated": (
        'url: "https://specs.apollo.dev/authenticated/v0.1", for: SECURITY',
        {
            "directive:authenticated": "directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | "
            "SCALAR | ENUM"
        },
    ),
    "requiresScopes": (
        'url: "https://specs.apollo.dev/requiresScopes/v0.1", for: SECURITY',
        {
            "directive:requiresScopes": "directive @requiresScopes(scopes: [[requiresScopes__Scope!]!]!) on "
            "FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
            "type:requiresScopes__Scope": "scalar requiresScopes__Scope",
        },
    ),
    "policy": (
        'url: "https://specs.apollo.dev/policy/v0.1", for: SECURITY',
        {
            "directive:policy": "directive @policy(policies: [[policy__Policy!]!]!) on "
            "FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
            "type:policy__Policy": "scalar policy__Policy",
        },
    ),
}
COST_DEF = (
    "directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | "
    "INPUT_FIELD_DEFINITION | OBJECT | SCALAR"
)
LIST_SIZE_DEF = (
    "directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], "
    "requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION"
)
COST_URL = "https://specs.apollo.dev/cost/v0.1"
SPECS["context"] = (
    'url: "https://specs.apollo.dev/context/v0.1", for: SECURITY',
    {
        "directive:context": "directive @context(name: String!) repeatable on INTERFACE | OBJECT | UNION",
        "directive:context__fromContext": (
            "directive @context__fromContext(field: context__ContextFieldValue) on ARGUMENT_DEFINITION"
        ),
        "type:context__ContextFieldValue": "scalar context__ContextFieldValue",
    },
)
