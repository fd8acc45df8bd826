"""A mutable, order-preserving selection set used while building subgraph operations.

Why: fetch groups collect fields from many places in the client operation (client fields, keys, requires);
adding the same field twice must merge, not duplicate, and the printed operation must be deterministic.
Frozen once the plan is built: only its printed text and derived specs are kept in the plan.
"""

from __future__ import annotations

from graphql import ArgumentNode, DirectiveNode, print_ast


class FieldItem:
    __slots__ = ("alias", "arguments", "directives", "name", "sub")

    def __init__(
        self,
        name: str,
        alias: str | None,
        arguments: tuple[ArgumentNode, ...],
        directives: tuple[DirectiveNode, ...],
        composite: bool,
    ) -> None:
        self.name = name
        self.alias = alias
        self.arguments = arguments
        self.directives = directives
        self.sub: SelectionSet | None = SelectionSet() if composite else None

    @property
    def response_key(self) -> str:
        return self.alias or self.name


class FragmentItem:
    __slots__ = ("directives", "sub", "type_condition")

    def __init__(self, type_condition: str | None, directives: tuple[DirectiveNode, ...]) -> None:
        self.type_condition = type_condition
        self.directives = directives
        self.sub = SelectionSet()


def _directives_key(directives: tuple[DirectiveNode, ...]) -> str:
    return " ".join(print_ast(d) for d in directives)


class SelectionSet:
    """Ordered fields and inline fragments; adding an existing one returns it for merging."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: dict[tuple[str, str | None, str], FieldItem | FragmentItem] = {}

    def add_field(
        self,
        name: str,
        alias: str | None = None,
        arguments: tuple[ArgumentNode, ...] = (),
        directives: tuple[DirectiveNode, ...] = (),
        composite: bool = False,
    ) -> FieldItem:
        if alias == name:
            alias = None
        key = ("f", alias or name, _directives_key(directives))
        item = self.items.get(key)
        if item is None:
            item = FieldItem(name, alias, arguments, directives, composite)
            self.items[key] = item
        assert isinstance(item, FieldItem)
        return item

    def add_fragment(
        self, type_condition: str | None, directives: tuple[DirectiveNode, ...] = ()
    ) -> SelectionSet:
        key = ("i", type_condition, _directives_key(directives))
        item = self.items.get(key)
        if item is None:
            item = FragmentItem(type_condition, directives)
            self.items[key] = item
        assert isinstance(item, FragmentItem)
        return item.sub

    def is_empty(self) -> bool:
        return not self.items

    def prune(self) -> None:
        """Drop empty fragments (and composite fields left without selections)."""
        for key in list(self.items):
            item = self.items[key]
            if item.sub is None:
                continue
            item.sub.prune()
            if item.sub.is_empty():
                if isinstance(item, FragmentItem):
                    del self.items[key]
                else:
                    item.sub.add_field("__typename")

    def variables(self, into: set[str]) -> set[str]:
        """Names of the variables used in arguments and directives."""
        for item in self.items.values():
            if isinstance(item, FieldItem):
                for argument in item.arguments:
                    _collect_variables(argument.value, into)
            for directive in item.directives:
                for argument in directive.arguments or ():
                    _collect_variables(argument.value, into)
            if item.sub is not None:
                item.sub.variables(into)
        return into

    def print(self) -> str:
        """Compact GraphQL text: ``{a b:c(x:1){d}...on T{e}}``."""
        parts: list[str] = []
        for item in self.items.values():
            text = _head(item, ":", ",", "...on ")
            if item.sub is not None:
                text += item.sub.print()
            parts.append(text)
        return "{" + " ".join(parts) + "}"

    def pretty(self, indent: int = 0) -> list[str]:
        """Indented multi-line text for humans (``gateway plan``)."""
        pad = "  " * indent
        lines = [pad + "{"]
        for item in self.items.values():
            text = _head(item, ": ", ", ", "... on ")
            if item.sub is not None:
                sub = item.sub.pretty(indent + 1)
                lines.append(pad + "  " + text + " " + sub[0].strip())
                lines.extend(sub[1:])
            else:
                lines.append(pad + "  " + text)
        lines.append(pad + "}")
        return lines


def _head(item: FieldItem | FragmentItem, colon: str, comma: str, on: str) -> str:
    """A field's ``alias: name(args) @directives`` or a fragment's ``... on T @directives``."""
    if isinstance(item, FieldItem):
        text = f"{item.alias}{colon}{item.name}" if item.alias else item.name
        if item.arguments:
            arguments = comma.join(f"{a.name.value}{colon}{print_ast(a.value)}" for a in item.arguments)
            text += f"({arguments})"
    else:
        text = f"{on}{item.type_condition}" if item.type_condition else "..."
    for directive in item.directives:
        text += " " + print_ast(directive)
    return text


def _collect_variables(value: object, into: set[str]) -> None:
    kind = getattr(value, "kind", "")
    if kind == "variable":
        into.add(value.name.value)  # type: ignore[attr-defined]
    elif kind == "list_value":
        for item in value.values:  # type: ignore[attr-defined]
            _collect_variables(item, into)
    elif kind == "object_value":
        for item in value.fields:  # type: ignore[attr-defined]
            _collect_variables(item.value, into)
