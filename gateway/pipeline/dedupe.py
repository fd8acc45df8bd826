"""Collapse exactly identical sibling selections of a document before it is validated and planned.

Why: graphql-core's OverlappingFieldsCanBeMergedRule compares every pair of fields that share a response
name, so ``{ users { id id id ... } }`` with the field 1,000 times costs about 500,000 comparisons.
graphql-core 3.3 meters that work and aborts validation ("Validation aborted.") when its budget
(``MAX_COMPLEXITY_BUDGET``, 500,000 units, 2 per comparison) runs out: a valid query was refused after
~0.1-1 s of event-loop time.

Removing a selection identical to an earlier sibling changes nothing: under the spec's CollectFields the
copies land in one grouped field set entry and merge into the same result, so the response is unchanged.
Identical means structurally equal, recursively: same kind, alias, name, arguments (values compared as
written), directives and sub-selections (themselves deduplicated first, so ``a { x x }`` equals ``a { x }``);
fragment spreads and inline fragments likewise. The first occurrence is kept, so error locations point at it.
Anything not identical (``a { x } a { y }``, ``f(x: 1) f(x: 2)``, ``a: f(x: 1) a: f(x: 2)``) is left for
validation to judge exactly as before. Selections carrying a directive other than ``@skip``/``@include``
(anywhere below them) are never collapsed: such directives may have per-occurrence meaning (``@defer``
labels must be unique, for instance).

Cost: each node's structural key is computed once, bottom-up and without recursion, as a small tuple of its
own scalars and its children's interned integer ids, so hashing never walks a subtree again: linear in the
document size. A first pass that only compares response names per selection set returns the very same
document object when no selection set could hold a duplicate, which is the case of ordinary operations.
"""

from __future__ import annotations

from dataclasses import fields, replace
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    Node,
    OperationDefinitionNode,
    SelectionSetNode,
)

__all__ = ["dedupe_document"]

# Directives whose meaning only depends on their arguments: two identical copies are one.
_TRANSPARENT_DIRECTIVES = frozenset({"skip", "include"})

# (rebuilt node, interned structural key, may be collapsed with an identical sibling)
_Result = tuple[Node, int, bool]

# The attributes of each node class but its location (``Node.keys`` rebuilds that tuple on every access).
_ATTRIBUTES: dict[type[Node], tuple[str, ...]] = {}


def _attributes(cls: type[Node]) -> tuple[str, ...]:
    found = _ATTRIBUTES.get(cls)
    if found is None:
        found = _ATTRIBUTES[cls] = tuple(f.name for f in fields(cls) if f.name != "loc")
    return found


def dedupe_document(document: DocumentNode) -> DocumentNode:
    """``document`` with exactly identical sibling selections collapsed (the first one kept).

    Returns ``document`` itself when nothing is collapsed.
    """
    executable = [
        d for d in document.definitions if isinstance(d, (OperationDefinitionNode, FragmentDefinitionNode))
    ]
    if not _may_have_duplicates(executable):
        return document
    deduper = _Deduper()
    definitions = tuple(
        deduper.run(d) if isinstance(d, (OperationDefinitionNode, FragmentDefinitionNode)) else d
        for d in document.definitions
    )
    if all(new is old for new, old in zip(definitions, document.definitions, strict=True)):
        return document
    return replace(document, definitions=definitions)


def _signature(selection: Node) -> tuple[str, Any]:
    """What two selections must share to possibly be identical (cheap: no subtree is looked at)."""
    if isinstance(selection, FieldNode):
        return ("field", (selection.alias or selection.name).value)
    if isinstance(selection, FragmentSpreadNode):
        return ("spread", selection.name.value)
    if isinstance(selection, InlineFragmentNode):
        condition = selection.type_condition
        return ("inline", condition.name.value if condition is not None else None)
    return ("other", id(selection))


def _may_have_duplicates(definitions: list[Any]) -> bool:
    """True when some selection set holds two selections with the same signature."""
    stack: list[SelectionSetNode] = [d.selection_set for d in definitions if d.selection_set is not None]
    while stack:
        selection_set = stack.pop()
        seen: set[tuple[str, Any]] = set()
        for selection in selection_set.selections:
            signature = _signature(selection)
            if signature in seen:
                return True
            seen.add(signature)
            inner = getattr(selection, "selection_set", None)
            if inner is not None:
                stack.append(inner)
    return False


class _Deduper:
    """Computes structural keys bottom-up (interned to ints) and rebuilds nodes whose children changed."""

    __slots__ = ("ids",)

    def __init__(self) -> None:
        # structural key -> small int; shared by all definitions of one document
        self.ids: dict[tuple[Any, ...], int] = {}

    def run(self, root: Node) -> Node:
        results: dict[int, _Result] = {}
        stack: list[tuple[Node, bool]] = [(root, False)]
        while stack:
            node, children_done = stack.pop()
            if children_done:
                results[id(node)] = self._build(node, results)
                continue
            if id(node) in results:
                continue
            stack.append((node, True))
            for name in _attributes(type(node)):
                value = getattr(node, name)
                if isinstance(value, Node):
                    stack.append((value, False))
                elif isinstance(value, tuple):
                    stack.extend((item, False) for item in value if isinstance(item, Node))
        return results[id(root)][0]

    def _build(self, node: Node, results: dict[int, _Result]) -> _Result:
        parts: list[Any] = [node.kind]
        changed: dict[str, Any] = {}
        collapsible = not (isinstance(node, DirectiveNode) and node.name.value not in _TRANSPARENT_DIRECTIVES)
        for name in _attributes(type(node)):
            value = getattr(node, name)
            if isinstance(value, Node):
                new, key, ok = results[id(value)]
                parts.append(key)
                collapsible = collapsible and ok
                if new is not value:
                    changed[name] = new
            elif isinstance(value, tuple) and all(isinstance(item, Node) for item in value):
                items = [results[id(item)] for item in value]
                if name == "selections" and isinstance(node, SelectionSetNode):
                    items = _first_of_each(items)
                keys = tuple(key for _new, key, _ok in items)
                parts.append(keys)
                collapsible = collapsible and all(ok for _new, _key, ok in items)
                if len(items) != len(value) or any(
                    new is not old for (new, _key, _ok), old in zip(items, value, strict=True)
                ):
                    changed[name] = tuple(new for new, _key, _ok in items)
            else:
                parts.append(value)  # str, bool, None or an enum (the operation type): hashable scalars
        key = self.ids.setdefault(tuple(parts), len(self.ids))
        return (replace(node, **changed) if changed else node), key, collapsible


def _first_of_each(items: list[_Result]) -> list[_Result]:
    """The selections without those identical to an earlier collapsible sibling."""
    seen: set[int] = set()
    kept: list[_Result] = []
    for item in items:
        _new, key, collapsible = item
        if collapsible:
            if key in seen:
                continue
            seen.add(key)
        kept.append(item)
    return kept
