"""Print a merged ``Supergraph`` as SDL in Apollo's style.

Why our own printer: the output must be byte-stable (same input -> same bytes) and readable like
@apollo/composition's: ``schema`` with its ``@link``s first, then directive definitions and types sorted by
name, type-level directives one per line, field-level directives inline.
"""

from __future__ import annotations

from graphql import ListValueNode, ObjectValueNode, ValueNode, print_ast

from gateway.compose.merge import Supergraph
from gateway.compose.model import KIND_KEYWORD, Applied, EnumValueDef, FieldDef, InputValue, TypeDef
from gateway.compose.specs import COST_DEF, COST_URL, LINK_DEFS, LINK_URL, LIST_SIZE_DEF, SPECS, join_defs


def _description(text: str | None, indent: str) -> str:
    if text is None:
        return ""
    if "\n" in text or text.endswith('"'):
        body = text.replace('"""', '\\"""').replace("\n", "\n" + indent)
        return f'{indent}"""\n{indent}{body}\n{indent}"""\n'
    return f'{indent}"""{text.replace(chr(34) * 3, chr(92) + chr(34) * 3)}"""\n'


def _value(node: ValueNode) -> str:
    """Values on one line, like Apollo (graphql-core breaks long objects over several lines)."""
    if isinstance(node, ListValueNode):
        return "[" + ", ".join(_value(v) for v in node.values) + "]"
    if isinstance(node, ObjectValueNode):
        return "{" + ", ".join(f"{f.name.value}: {_value(f.value)}" for f in node.fields) + "}"
    return print_ast(node)


def _directive(d: Applied) -> str:
    if not d.args:
        return f"@{d.name}"
    return f"@{d.name}(" + ", ".join(f"{k}: {_value(v)}" for k, v in d.args) + ")"


def _inline(directives: list[Applied]) -> str:
    return "".join(" " + _directive(d) for d in directives)


def _input_value(v: InputValue) -> str:
    default = f" = {_value(v.default)}" if v.default is not None else ""
    return f"{v.name}: {v.type}{default}{_inline(v.directives)}"


def _field(f: FieldDef) -> str:
    out = _description(f.description, "  ")
    args = list(f.args.values())
    if any(a.description for a in args):
        inner = "".join(_description(a.description, "    ") + f"    {_input_value(a)}\n" for a in args)
        sig = f"(\n{inner}  )"
    elif args:
        sig = "(" + ", ".join(_input_value(a) for a in args) + ")"
    else:
        sig = ""
    return out + f"  {f.name}{sig}: {f.type}{_inline(f.directives)}"


def _enum_value(v: EnumValueDef) -> str:
    return _description(v.description, "  ") + f"  {v.name}{_inline(v.directives)}"


def _type(t: TypeDef) -> str:
    head = _description(t.description, "") + f"{KIND_KEYWORD[t.kind]} {t.name}"
    if t.interfaces:
        head += " implements " + " & ".join(t.interfaces)
    head += "".join(f"\n  {_directive(d)}" for d in t.directives)
    if t.kind == "scalar":
        return head
    if t.kind == "union":
        return head + ("\n =" if t.directives else " =") + " " + " | ".join(t.members)
    if t.kind in ("object", "interface"):
        lines = [_field(f) for f in t.fields.values()]
    elif t.kind == "input":
        lines = [_description(f.description, "  ") + f"  {_input_value(f)}" for f in t.input_fields.values()]
    else:
        lines = [_enum_value(v) for v in t.values.values()]
    # Like graphql-js: a described member gets a blank line before it (unless it comes first).
    body = "".join(
        ("\n" if i and line.lstrip().startswith('"""') else "") + line + "\n" for i, line in enumerate(lines)
    )
    opener = "\n{\n" if t.directives else " {\n"
    return head + opener + body + "}"


def print_supergraph(sg: Supergraph) -> str:
    """Render the supergraph SDL (deterministic)."""
    links = [
        f'url: "{LINK_URL}"',
        f'url: "https://specs.apollo.dev/join/v{sg.join_version[0]}.{sg.join_version[1]}", for: EXECUTION',
    ]
    defs: dict[str, str] = dict(LINK_DEFS)
    defs.update(join_defs(sg.join_version))
    for spec in sg.specs:
        if spec in SPECS:
            link_args, spec_defs = SPECS[spec]
            links.append(link_args)
            defs.update(spec_defs)
    if "cost" in sg.specs or "listSize" in sg.specs:
        link = f'url: "{COST_URL}"'
        if "listSize" in sg.specs:
            link += ', import: ["@listSize"]'
            defs["directive:listSize"] = LIST_SIZE_DEF
        if "cost" in sg.specs:
            defs["directive:cost"] = COST_DEF
        links.append(link)
    by_url: dict[str, list[str]] = {}
    for cd in sg.composed:
        defs[f"directive:{cd.name}"] = cd.definition
        if cd.url:
            by_url.setdefault(cd.url, []).append(cd.name)
    for url, names in by_url.items():
        links.append(f'url: "{url}", import: [' + ", ".join(f'"@{n}"' for n in names) + "]")
    for ed in sg.executable:
        args = "(" + ", ".join(_input_value(a) for a in ed.args) + ")" if ed.args else ""
        repeatable = " repeatable" if ed.repeatable else ""
        defs[f"directive:{ed.name}"] = f"directive @{ed.name}{args}{repeatable} on {' | '.join(ed.locations)}"
    graph_values = [f'  {enum} @join__graph(name: "{name}", url: "{url}")' for enum, name, url in sg.graphs]
    defs["type:join__Graph"] = "enum join__Graph {\n" + "\n".join(graph_values) + "\n}"
    for t in sg.types.values():
        defs[f"type:{t.name}"] = _type(t)
    roots = [
        f"  {op}: {name}"
        for op, name in (("query", "Query"), ("mutation", "Mutation"), ("subscription", "Subscription"))
        if name in sg.types
    ]
    schema = "schema\n" + "".join(f"  @link({args})\n" for args in links) + "{\n" + "\n".join(roots) + "\n}"
    directive_keys = sorted((k for k in defs if k.startswith("directive:")), key=lambda k: (k.lower(), k))
    type_keys = sorted((k for k in defs if k.startswith("type:")), key=lambda k: (k.lower(), k))
    blocks = [schema] + [defs[k] for k in directive_keys] + [defs[k] for k in type_keys]
    return "\n\n".join(blocks) + "\n"
