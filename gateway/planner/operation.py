"""The client operation normalized for planning: fragment spreads inlined, only what planning needs kept.

Why: the planner walks selections many times per type and subgraph; resolving named fragments and reading
AST attributes once here keeps that walk simple and fast. The original AST nodes for arguments and directives
are kept so subgraph operations print exactly the client's values and variables.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    ArgumentNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    print_ast,
)


@dataclass(frozen=True, slots=True)
class OpField:
    """A field selection: ``alias: name(args) @directives { selections }``."""

    name: str
    alias: str | None
    arguments: tuple[ArgumentNode, ...]
    directives: tuple[DirectiveNode, ...]
    selections: tuple[OpSelection, ...] | None

    @property
    def response_key(self) -> str:
        return self.alias or self.name

    def args_key(self) -> str:
        """A canonical text of the arguments, to tell apart the same field with other arguments."""
        if not self.arguments:
            return ""
        return ",".join(sorted(f"{a.name.value}:{print_ast(a.value)}" for a in self.arguments))


@dataclass(frozen=True, slots=True)
class OpFragment:
    """An inline fragment (named fragment spreads are inlined into these)."""

    type_condition: str | None
    directives: tuple[DirectiveNode, ...]
    selections: tuple[OpSelection, ...]


OpSelection = OpField | OpFragment

_CONDITION_DIRECTIVES = frozenset({"skip", "include"})


def _directives(nodes: tuple[DirectiveNode, ...] | None) -> tuple[DirectiveNode, ...]:
    # Only @skip/@include travel to subgraphs; executable directives of the client are otherwise
    # the gateway's business (none are defined in the API schema beyond these and @defer, unsupported).
    return tuple(d for d in nodes or () if d.name.value in _CONDITION_DIRECTIVES)


def normalize_selections(
    selection_set: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode]
) -> tuple[OpSelection, ...]:
    """Convert an AST selection set, inlining named fragments."""
    if selection_set is None:
        return ()
    result: list[OpSelection] = []
    for node in selection_set.selections:
        if isinstance(node, FieldNode):
            result.append(
                OpField(
                    name=node.name.value,
                    alias=node.alias.value if node.alias else None,
                    arguments=tuple(node.arguments or ()),
                    directives=_directives(node.directives),
                    selections=normalize_selections(node.selection_set, fragments)
                    if node.selection_set is not None
                    else None,
                )
            )
        elif isinstance(node, InlineFragmentNode):
            result.append(
                OpFragment(
                    type_condition=node.type_condition.name.value if node.type_condition else None,
                    directives=_directives(node.directives),
                    selections=normalize_selections(node.selection_set, fragments),
                )
            )
        elif isinstance(node, FragmentSpreadNode):
            fragment = fragments[node.name.value]
            result.append(
                OpFragment(
                    type_condition=fragment.type_condition.name.value,
                    directives=_directives(node.directives),
                    selections=normalize_selections(fragment.selection_set, fragments),
                )
            )
    return tuple(result)


def fragments_of(document: DocumentNode) -> dict[str, FragmentDefinitionNode]:
    return {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}


def find_operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode | None:
    """The operation to run, per the spec's GetOperation; None when it cannot be determined."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return operations[0] if len(operations) == 1 else None
    for operation in operations:
        if operation.name is not None and operation.name.value == operation_name:
            return operation
    return None


def field_set_selections(selection_set: SelectionSetNode) -> tuple[OpSelection, ...]:
    """Selections of a ``@key``/``@requires``/``@provides`` field set (no named fragments there)."""
    return normalize_selections(selection_set, {})
