"""Random small subgraph sets for differential testing against @apollo/composition.

Why: hand-written cases cover each rule once; random combinations (shared fields with and without
@shareable, overrides, externals, requires/provides, resolvable:false keys, Fed 1 subgraphs, enums used as
input and output, unions, input types) find interactions. ``mild`` lowers the rate of error-prone directives
so that more sets compose.
"""

from __future__ import annotations

import random

FED2_HEADER = (
    'extend schema @link(url: "https://specs.apollo.dev/federation/v2.{minor}", import: ["@key", '
    '"@shareable", "@external", "@requires", "@provides", "@inaccessible", "@tag", "@override", '
    '"@interfaceObject"])\n'
)
# Minimal definitions added when a subgraph references a type it does not define.
FILLERS = {
    "User": 'type User @key(fields: "id") { id: ID! }',
    "Product": 'type Product @key(fields: "upc") { upc: String! }',
    "Color": "enum Color { RED }",
    "Filter": "input Filter { q: String }",
}


def _user(r: random.Random, fed1: bool, names: list[str], rates: tuple[float, float, float]) -> str:
    shareable, override, external = rates
    fields = ["id: ID!"]
    for fname in ("name", "email", "age"):
        if r.random() >= 0.5:
            continue
        directives: list[str] = []
        if not fed1:
            if r.random() < shareable:
                directives.append("@shareable")
            if r.random() < 0.1:
                directives.append("@inaccessible")
            if r.random() < 0.1:
                directives.append('@tag(name: "t")')
            if r.random() < override:
                directives.append(f'@override(from: "{r.choice(names)}")')
            if r.random() < external:
                directives.append("@external")
        ftype = ("Int" if fname == "age" else "String") + ("!" if r.random() < 0.1 else "")
        fields.append(f"{fname}: {ftype} {' '.join(directives)}".rstrip())
    if not fed1 and r.random() < 0.2:
        fields.append('greeting: String @requires(fields: "name")')
        if not any(f.startswith("name") for f in fields):
            fields.append("name: String @external")
    key = r.choice(['@key(fields: "id")', '@key(fields: "id")', '@key(fields: "id", resolvable: false)', ""])
    keyword = "extend type" if fed1 and r.random() < 0.5 else "type"
    if keyword == "extend type" and key:
        fields[0] = "id: ID! @external"
    return f"{keyword} User {key} {{ {' '.join(fields)} }}".replace("  ", " ")


def _subgraph(r: random.Random, i: int, fed1: bool, names: list[str], mild: bool) -> str:
    rates = (0.95, 0.04, 0.03) if mild else (0.4, 0.08, 0.1)
    share = "" if fed1 else " @shareable"
    lines: list[str] = []
    roots: list[str] = []
    if r.random() < 0.8:
        roots.append(f"u{i}: User")
    if r.random() < 0.5:
        default = " = 5" if r.random() < 0.3 else ""
        extra = "tag: String" if r.random() < 0.5 else "x: Int"
        roots.append(f"p{i}(first: Int{default}, {extra}): [Product]")
    if r.random() < 0.3:
        roots.append(f"shared: Money{share}")
    if r.random() < 0.3:
        roots.append(f"col{i}(c: Color): Color" if r.random() < 0.3 else f"col{i}: Color")
    if r.random() < 0.2:
        roots.append(f"s{i}: Search")
    if r.random() < 0.2:
        roots.append(f"f{i}(f: Filter): Int")
    if roots:
        lines.append("type Query { " + " ".join(roots) + " }")
    if r.random() < 0.85:
        lines.append(_user(r, fed1, names, rates))
    if r.random() < 0.6:
        fields = ["upc: String!"]
        if r.random() < 0.6:
            fields.append("price: Int" + (share if r.random() < 0.3 else ""))
        if r.random() < 0.4:
            fields.append(f"reviews{i}: [String]")
        if r.random() < 0.3:
            fields.append(f"weight: Int{share}")
        if r.random() < 0.2:
            fields.append("owner: User" + (' @provides(fields: "name")' if r.random() < 0.3 else ""))
        lines.append('type Product @key(fields: "upc") { ' + " ".join(fields) + " }")
    if r.random() < 0.4 or "Money" in " ".join(lines):
        currency = " currency: String" if r.random() < 0.6 else ""
        lines.append(f"type Money{share} {{ amount: Int{currency} }}")
    if r.random() < 0.4:
        values = [v for v in ("RED", "GREEN", "BLUE") if r.random() < 0.7] or ["RED"]
        lines.append("enum Color { " + " ".join(values) + " }")
    if r.random() < 0.3 or "Search" in " ".join(lines):
        members = [m for m in ("User", "Product") if r.random() < 0.7] or ["User"]
        lines.append("union Search = " + " | ".join(members))
    if r.random() < 0.3:
        limit = [f"limit: Int{'!' if r.random() < 0.3 else ''}"] if r.random() < 0.6 else []
        lines.append("input Filter { " + " ".join(["q: String", *limit]) + " }")
    sdl = "\n".join(lines)
    for name, filler in FILLERS.items():
        used = any(tok in sdl for tok in (f": {name}", f"[{name}]", f"= {name}", f"| {name}"))
        defined = any(f"{kw} {name} " in sdl for kw in ("type", "enum", "union", "input"))
        if used and not defined:
            sdl += "\n" + filler
    if not fed1:
        sdl = FED2_HEADER.format(minor=r.choice([3, 7, 9])) + sdl
    return sdl


def generate(seed: int, mild: bool) -> list[dict[str, str]]:
    """One random subgraph set (2-3 subgraphs, ~15% Fed 1) as ``{name, url, sdl}`` dicts."""
    r = random.Random(seed)
    names = ["a", "b", "c"][: r.randint(2, 3)]
    fed1 = [r.random() < 0.15 for _ in names]
    return [
        {"name": n, "url": f"http://{n}.example.com/graphql", "sdl": _subgraph(r, i, fed1[i], names, mild)}
        for i, n in enumerate(names)
    ]


def _interface_subgraph(r: random.Random, i: int) -> str:
    """A subgraph around an entity interface ``Node``: implementations, @interfaceObject, arguments with
    defaults, enums used as input, input objects, descriptions and @deprecated."""
    lines: list[str] = []
    roots = [f"q{i}: Node"]
    if r.random() < 0.5:
        first = r.choice(["", "!", " = 3"])
        order = r.choice(["", " = ASC"])
        deprecated = ' @deprecated(reason: "x")' if r.random() < 0.2 else ""
        roots.append(
            f"list{i}(first: Int{first}, order: Order{order}): [Item{r.choice(['', '!'])}]"
            f"{r.choice(['', '!'])}{deprecated}"
        )
    if r.random() < 0.4:
        hidden = " @inaccessible" if r.random() < 0.1 else ""
        arg = r.choice(["String", "String!", "ID"])
        roots.append(f"shared(arg: {arg}): {r.choice(['String', 'String!'])} @shareable{hidden}")
    if r.random() < 0.3:
        roots.append(f"search{i}(in: SearchInput{r.choice(['', '!'])}): [Node]")
    lines.append("type Query { " + " ".join(roots) + " }")
    if r.random() < 0.25 and i > 0:
        tag = ' @tag(name: "x")' if r.random() < 0.3 else ""
        lines.append(f'type Node @key(fields: "id") @interfaceObject {{ id: ID! extra{i}: Int{tag} }}')
    else:
        key = '@key(fields: "id")' if r.random() < 0.7 else ""
        desc = r.choice(["", '"A node" ', '"""Node things"""\n'])
        name = "name: String " if r.random() < 0.5 else ""
        lines.append(f"{desc}interface Node {key} {{ id: ID! {name}}}")
        for tname in ("Item", "Other"):
            if tname == "Other" and r.random() >= 0.7:
                continue
            fields = ["id: ID!"] + (["name: String @shareable"] if name else [])
            if r.random() < 0.5:
                fields.append(f"f{i}: Int" + (" @deprecated" if r.random() < 0.2 else ""))
            if r.random() < 0.3:
                fields.append(f"price: {r.choice(['Int', 'Int!'])} @shareable")
            lines.append(f'type {tname} implements Node @key(fields: "id") {{ {" ".join(fields)} }}')
    sdl = "\n".join(lines)
    if "Order" in sdl or r.random() < 0.4:
        values = [v for v in ("ASC", "DESC", "RAND") if r.random() < 0.8] or ["ASC"]
        if "ASC" not in values and "= ASC" in sdl:
            values.append("ASC")
        lines.append("enum Order { " + " ".join(values) + " }")
    if "SearchInput" in sdl:
        fields = ["text: String"]
        if r.random() < 0.5:
            fields.append(f"limit: Int{r.choice(['', ' = 10', '!', ' = 20'])}")
        if r.random() < 0.3:
            fields.append("order: Order")
        lines.append("input SearchInput { " + " ".join(fields) + " }")
    if "Item" in sdl and "type Item" not in sdl:
        lines.append('type Item @key(fields: "id") { id: ID! }')
    return FED2_HEADER.format(minor=r.choice([3, 5, 8])) + "\n".join(lines)


def generate_interfaces(seed: int) -> list[dict[str, str]]:
    """One random interface-centred set (2-3 Fed 2 subgraphs)."""
    r = random.Random(seed)
    names = ["a", "b", "c"][: r.randint(2, 3)]
    return [
        {"name": n, "url": f"http://{n}.example.com/graphql", "sdl": _interface_subgraph(r, i)}
        for i, n in enumerate(names)
    ]


def _misc_subgraph(r: random.Random, i: int, names: list[str]) -> str:
    """Value types, unions, enums in both positions, nested inputs, descriptions, tags, @inaccessible,
    progressive @override labels and renamed root types."""
    root = r.choice(["Query", "Query", f"Root{i}"])
    lines: list[str] = []
    if root != "Query":
        lines.append(f"schema {{ query: {root} }}")
    roots = [f"r{i}: Result", f"acc{i}: Account"]
    if r.random() < 0.4:
        roots.append(f"byColor{i}(c: Color{r.choice(['', '!', ' = RED'])}): {r.choice(['Int', 'Color'])}")
    if r.random() < 0.3:
        roots.append(f"find{i}(filter: Outer): [Account]")
    if r.random() < 0.3:
        roots.append("point: Point @shareable" + (" @inaccessible" if r.random() < 0.15 else ""))
    desc = r.choice(["", '"Root"\n', '"The root"\n'])
    lines.append(f"{desc}type {root} {{ {' '.join(roots)} }}")
    lines.append(
        "union Result = "
        + " | ".join(m for m in ("Account", "Point", "Note") if r.random() < 0.6 or m == "Account")
    )
    fields = ["id: ID!"]
    for fname in ("name", "email", "plan"):
        if r.random() < 0.5:
            extra = []
            if r.random() < 0.8:
                extra.append("@shareable")
            if r.random() < 0.15:
                extra.append("@inaccessible")
            if r.random() < 0.2:
                extra.append(f'@tag(name: "{r.choice(["a", "b"])}")')
            if r.random() < 0.1 and len(names) > 1:
                label = r.choice(["", ', label: "percent(50)"', ', label: "beta"'])
                extra.append(f'@override(from: "{r.choice(names)}"{label})')
            fields.append(f"{fname}: String {' '.join(extra)}".rstrip())
    acc_desc = r.choice(["", '"An account"\n', '"Account"\n'])
    lines.append(f'{acc_desc}type Account @key(fields: "id") {{ {" ".join(fields)} }}')
    if "Point" in " ".join(lines):
        pf = ["x: Int", "y: Int"] + (["z: Int"] if r.random() < 0.3 else [])
        lines.append(f"type Point @shareable {{ {' '.join(pf)} }}")
    if "Note" in " ".join(lines):
        lines.append('type Note @key(fields: "id") { id: ID! text: String }')
    if "Color" in " ".join(lines) or r.random() < 0.3:
        values = [v for v in ("RED", "GREEN", "BLUE") if r.random() < 0.85] or ["RED"]
        if "RED" not in values and "= RED" in " ".join(lines):
            values.append("RED")
        lines.append("enum Color { " + " ".join(values) + " }")
    if "Outer" in " ".join(lines):
        lines.append(f"input Outer {{ inner: Inner{r.choice(['', '!'])} tag: String }}")
        inner = ["min: Int"] + ([f"max: Int{r.choice(['', ' = 5'])}"] if r.random() < 0.5 else [])
        lines.append(f"input Inner {{ {' '.join(inner)} }}")
    return FED2_HEADER.format(minor=r.choice([3, 7, 8])) + "\n".join(lines)


def generate_misc(seed: int) -> list[dict[str, str]]:
    """One random set exercising value types, unions, enums, inputs, descriptions, tags and overrides."""
    r = random.Random(seed)
    names = ["a", "b", "c"][: r.randint(2, 3)]
    return [
        {"name": n, "url": f"http://{n}.example.com/graphql", "sdl": _misc_subgraph(r, i, names)}
        for i, n in enumerate(names)
    ]


def _fed1_subgraph(r: random.Random, i: int) -> str:
    """A Federation 1 subgraph (no @link): extend type entities, @external key and non-key fields, @requires,
    @provides (some inactive), value types and interfaces with @key (dropped by the upgrade)."""
    lines: list[str] = []
    roots = [f"top{i}: [Product]"] if r.random() < 0.7 else []
    if r.random() < 0.5:
        provides = r.choice(["", ' @provides(fields: "name")', ' @provides(fields: "name price")'])
        roots.append(f"review{i}: Review")
        lines.append(
            f'type Review @key(fields: "id") {{ id: ID! body: String product: Product{provides} '
            f"author: User }}"
        )
    if r.random() < 0.3:
        roots.append(f"shape{i}: Shape")
        key = r.choice(["", ' @key(fields: "id")'])
        lines.append(f"interface Shape{key} {{ id: ID! }}")
        lines.append("type Circle implements Shape { id: ID! r: Int }")
    if roots:
        lines.append(f"{r.choice(['type', 'extend type'])} Query {{ {' '.join(roots)} }}")
    owner = r.random() < 0.5
    if owner:
        lines.append('type Product @key(fields: "upc") { upc: String! name: String price: Int weight: Int }')
    else:
        fields = ["upc: String! @external"]
        externals = [f for f in ("name", "price", "weight") if r.random() < 0.5]
        fields += [f"{f}: {'String' if f == 'name' else 'Int'} @external" for f in externals]
        if externals and r.random() < 0.6:
            fields.append(
                f'ship{i}: Int @requires(fields: "{" ".join(externals[: r.randint(1, len(externals))])}")'
            )
        fields.append(f"stock{i}: Int")
        lines.append(f'extend type Product @key(fields: "upc") {{ {" ".join(fields)} }}')
    if "User" in " ".join(lines):
        lines.append(
            r.choice(
                [
                    'type User @key(fields: "id") { id: ID! login: String }',
                    'extend type User @key(fields: "id") { id: ID! @external login: String @external }',
                    "type User { id: ID! login: String }",
                ]
            )
        )
    if r.random() < 0.3:
        lines.append("type Money { amount: Int currency: String }")
        lines[0:0] = [f"extend type Query {{ price{i}: Money }}"]
    return "\n".join(lines)


def generate_fed1(seed: int) -> list[dict[str, str]]:
    """One random set of 2-3 Federation 1 subgraphs, sometimes mixed with one Fed 2 subgraph."""
    r = random.Random(seed)
    names = ["a", "b", "c"][: r.randint(2, 3)]
    subs = [
        {"name": n, "url": f"http://{n}.example.com/graphql", "sdl": _fed1_subgraph(r, i)}
        for i, n in enumerate(names)
    ]
    if r.random() < 0.3:
        sdl = FED2_HEADER.format(minor=3) + (
            'type Product @key(fields: "upc") { upc: String! rating: Int }\ntype Query { best: Product }'
        )
        subs.append({"name": "modern", "url": "http://modern.example.com/graphql", "sdl": sdl})
    return subs
