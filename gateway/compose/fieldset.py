"""Parse federation field sets (``"id"``, ``"sku version { major }"``, ``"... on Book { isbn }"``).

Why: ``@key``, ``@requires`` and ``@provides`` carry selections as strings; validation and the satisfiability
check need them as trees. We parse them as the selection set of an anonymous query with graphql-core.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    FieldNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)


@dataclass(frozen=True, slots=True)
class Selection:
    """One selected field (``type_condition`` set when it came from ``... on T``)."""

    name: str
    has_args: bool
    children: tuple[Selection, ...]
    type_condition: str | None = None


def _convert(selection_set: SelectionSetNode | None, condition: str | None) -> tuple[Selection, ...]:
    out: list[Selection] = []
    for sel in selection_set.selections if selection_set else ():
        if isinstance(sel, FieldNode):
            out.append(
                Selection(sel.name.value, bool(sel.arguments), _convert(sel.selection_set, None), condition)
            )
        elif isinstance(sel, InlineFragmentNode):
            cond = sel.type_condition.name.value if sel.type_condition else condition
            out.extend(_convert(sel.selection_set, cond))
    return tuple(out)


def parse_field_set(text: str) -> tuple[Selection, ...]:
    """Parse a field set; raises ``ValueError`` with graphql-core's message when it is not valid syntax."""
    try:
        doc = parse("{" + text + "}", no_location=True)
    except GraphQLError as exc:
        raise ValueError(exc.message) from exc
    op = doc.definitions[0]
    assert isinstance(op, OperationDefinitionNode)
    return _convert(op.selection_set, None)


def top_level_fields(text: str) -> list[str]:
    """Names of the first-level fields of a field set (empty on a syntax error)."""
    try:
        return [s.name for s in parse_field_set(text) if s.type_condition is None]
    except ValueError:
        return []
