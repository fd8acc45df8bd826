"""@fromContext: context values selected on the nearest ancestor and passed to the field as variables."""

from __future__ import annotations

from collections.abc import Sequence

from graphql import (
    ArgumentNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    NameNode,
    VariableNode,
)

from gateway.planner.errors import PlanningError
from gateway.planner.operation import OpField, OpSelection, field_set_selections
from gateway.planner.selection import SelectionSet
from gateway.planner.state import Group, PlannerState, merge_ops
from gateway.supergraph.model import FieldInGraph


class ContextsMixin(PlannerState):
    """@fromContext: context values selected on the nearest ancestor and passed to the field as variables."""

    def _plan_contexts(
        self,
        child: Group,
        group: Group,
        target: SelectionSet,
        parent: str,
        sel: OpField,
        path: tuple[str, ...],
        provided: Sequence[OpSelection] | None,
        level: Sequence[OpSelection],
        entry: FieldInGraph,
    ) -> OpField:
        """Fetch each @fromContext value on its ancestor and pass it to the field as a variable."""
        arguments = list(sel.arguments)
        for argument in entry.context_arguments:
            source = self._context_source(argument.context, group, target, parent, path, provided, level)
            if source is None:
                raise PlanningError(
                    f"Cannot plan field '{parent}.{sel.name}': "
                    f"no ancestor provides context '{argument.context}'."
                )
            s_group, s_target, s_type, s_path, s_provided, s_level = source
            required = self._alias_internal(field_set_selections(argument.selection), s_level, s_path)
            touched: set[int] = set()
            self.touched.append(touched)
            try:
                self.plan_selections(s_group, s_target, s_type, required, s_path, s_provided)
            finally:
                self.touched.pop()
            child.deps |= touched
            variable = f"ctxArg_{self.context_counter}"
            self.context_counter += 1
            spec = SelectionSet()
            merge_ops(spec, required)
            child.contexts.append((variable, len(s_path), spec, argument.type))
            arguments.append(
                ArgumentNode(
                    name=NameNode(value=argument.name), value=VariableNode(name=NameNode(value=variable))
                )
            )
        return OpField(sel.name, sel.alias, tuple(arguments), sel.directives, sel.selections)

    def _context_source(
        self,
        context: str,
        group: Group,
        target: SelectionSet,
        parent: str,
        path: tuple[str, ...],
        provided: Sequence[OpSelection] | None,
        level: Sequence[OpSelection],
    ) -> (
        tuple[Group, SelectionSet, str, tuple[str, ...], Sequence[OpSelection] | None, Sequence[OpSelection]]
        | None
    ):
        """The nearest object (this one or an ancestor) whose type carries ``@context(name: context)``."""
        if self._has_context(parent, context):
            return group, target, parent, path, provided, level
        for frame in reversed(self.frames):
            if self._has_context(frame.parent, context):
                return frame.group, frame.target, frame.parent, frame.path, frame.provided, frame.level
        return None

    def _has_context(self, type_name: str, context: str) -> bool:
        if context in self.sg.contexts.get(type_name, ()):
            return True
        gtype = self.sg.schema.get_type(type_name)
        interfaces = gtype.interfaces if isinstance(gtype, GraphQLObjectType | GraphQLInterfaceType) else ()
        return any(context in self.sg.contexts.get(i.name, ()) for i in interfaces)
