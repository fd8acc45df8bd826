"""Project the merged subgraph data onto the client's operation: exactly the ``data`` the spec requires.

Why a separate, compiled stage: the merged tree holds what the client asked for plus planner extras
(entity keys, ``__typename``, ``@requires`` inputs, internal aliases) and lacks whatever a failed fetch could
not provide. The client must see only its own selection, in document order, with spec null propagation and
leaf serialization.

Why compiled: this runs on every response and walks thousands of values. All schema and document work
(CollectFields, fragment type conditions, ``@skip``/``@include``, non-null flags, serializers) is done once
per (document, operation) and per runtime type, and cached in a :class:`Projection`. At request time we only
walk the data with flat tuples and ``dict.get``. ``@skip``/``@include`` that depend on variables are reduced
to a tuple of booleans (the "condition signature"); each signature gets its own cached plan tree.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    BooleanValueNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLEnumType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    is_specified_scalar_type,
)

from gateway.errors import INVALID_GRAPHQL_RESPONSE, OPERATION_RESOLUTION_FAILURE, ClientError, FormattedError
from gateway.planner.nodes import UNRESOLVED_TYPENAME

__all__ = ["Projection", "compile_projection", "shape_response"]

# ------------------------------------------------------------------------------------------------------
# Value kinds. Small ints compared with ``==`` in the hot loop.
# ------------------------------------------------------------------------------------------------------
_SCALAR = 0  # built-in scalar: fast type check, else graphql-core ``serialize``
_INT = 1  # built-in Int: needs a 32-bit range check even for Python ints
_CUSTOM = 2  # custom scalar: passed through unchanged
_ENUM = 3  # enum: value must name an API enum value
_OBJECT = 4  # object type: static type is the runtime type
_ABSTRACT = 5  # interface or union: runtime type from ``__typename``
_LIST = 6
_TYPENAME = 7  # ``__typename`` requested by the client
_VERBATIM = 8  # ``__schema`` / ``__type``: already shaped by graphql-core
_MAX_SAFE = 2**53  # integers JavaScript represents exactly
_FLOAT = 9  # built-in Float: finite floats pass, everything else goes through ``serialize``

_INT_MIN = -(2**31)
_INT_MAX = 2**31 - 1

# Beyond this many object plans the eager warm-up stops; the rest is built lazily on first use. Guards against
# pathological operations (many abstract positions nested under each other) blowing up compile time.
_EAGER_BUDGET = 5000
# How many distinct ``@skip``/``@include`` variable signatures one projection keeps plan trees for.
_MAX_SIGNATURES = 64


class _Never:
    """A class no JSON value has: the 'fast type' of kinds that have no fast path."""


class _Bubble:
    """Marker type of :data:`_BUBBLE`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<null propagating>"


# Returned when a value is null because of an error at a non-null position (error already recorded): the
# nearest nullable ancestor must become null.
_BUBBLE = _Bubble()

# A value plan: (kind, nonnull, fast_type, extra, coordinate).
#   extra: serializer (_SCALAR/_INT/_FLOAT), _EnumInfo (_ENUM), _SelectionPlan (_OBJECT/_ABSTRACT),
#   item value plan (_LIST), runtime type name (_TYPENAME), None otherwise.
#   coordinate: "Type.field" of the field this position belongs to, for error messages.
ValuePlan = tuple[int, bool, type, Any, str]
# A field plan: (response_key, kind, nonnull, fast_type, extra, coordinate).
FieldPlan = tuple[str, int, bool, type, Any, str]

# A linked path: None for the root, else (parent, key_or_index). Cheap to extend; flattened only for errors.
_Path = tuple[Any, str | int] | None


@dataclass(frozen=True, slots=True)
class _EnumInfo:
    """What an enum position needs: the type name for messages and the API's value names."""

    name: str
    values: frozenset[str]


class _SelectionPlan:
    """The merged sub-selection of one response key (one or more field nodes) at one static type.

    Object plans are built per runtime type and cached here, so fields are collected once per
    (selection, runtime type), never per object.
    """

    __slots__ = ("by_type", "concrete", "field_nodes", "possible", "static_name")

    def __init__(
        self, field_nodes: tuple[FieldNode, ...], static_name: str, possible: frozenset[str]
    ) -> None:
        self.field_nodes = field_nodes
        self.static_name = static_name
        self.possible = possible
        # For object-typed positions: the single object plan once built.
        self.concrete: _ObjectPlan | None = None
        # For abstract positions: runtime type name -> object plan.
        self.by_type: dict[str, _ObjectPlan] = {}


class _ObjectPlan:
    """The ordered fields to emit for one runtime object type."""

    __slots__ = ("fields", "type_name")

    def __init__(self, type_name: str, fields: tuple[FieldPlan, ...]) -> None:
        self.type_name = type_name
        self.fields = fields


class _Builder:
    """Builds plans for one condition signature; lazily fills caches at request time when needed.

    Why a class: it carries the schema, the fragments and the resolved variable conditions through the
    recursive collection, and memoizes selection plans by (field nodes, type) so identical sub-selections
    reached through different paths share one plan.
    """

    __slots__ = ("_conditions", "_fragments", "_memo", "_schema", "built", "root")

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        root_type: GraphQLObjectType,
        operation: OperationDefinitionNode,
        conditions: Mapping[str, bool],
    ) -> None:
        self._schema = schema
        self._fragments = fragments
        self._conditions = conditions
        self._memo: dict[tuple[tuple[int, ...], str], _SelectionPlan] = {}
        self.built = 0
        self.root = self._object_plan(root_type, (operation.selection_set,), is_root=True)

    # ---- CollectFields -------------------------------------------------------------------------------------

    def _included(self, node: FieldNode | InlineFragmentNode | FragmentSpreadNode) -> bool:
        """Evaluate ``@skip`` and ``@include`` (literal or variable)."""
        for directive in node.directives or ():
            name = directive.name.value
            if name not in ("skip", "include"):
                continue
            value = False
            for argument in directive.arguments or ():
                if argument.name.value != "if":
                    continue
                literal = argument.value
                if isinstance(literal, BooleanValueNode):
                    value = literal.value
                elif isinstance(literal, VariableNode):
                    value = self._conditions.get(literal.name.value, False)
            if name == "skip" and value:
                return False
            if name == "include" and not value:
                return False
        return True

    def _applies(self, condition: str | None, runtime: GraphQLObjectType) -> bool:
        """Does a fragment with this type condition apply to the runtime object type?"""
        if condition is None or condition == runtime.name:
            return True
        conditional = self._schema.get_type(condition)
        if isinstance(conditional, GraphQLInterfaceType | GraphQLUnionType):
            return self._schema.is_sub_type(conditional, runtime)
        return False

    def _collect(
        self,
        runtime: GraphQLObjectType,
        selection_set: SelectionSetNode,
        fields: dict[str, list[FieldNode]],
        visited: set[str],
    ) -> None:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                if not self._included(selection):
                    continue
                key = selection.alias.value if selection.alias else selection.name.value
                fields.setdefault(key, []).append(selection)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition.name.value if selection.type_condition else None
                if not self._included(selection) or not self._applies(condition, runtime):
                    continue
                self._collect(runtime, selection.selection_set, fields, visited)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name in visited or not self._included(selection):
                    continue
                visited.add(name)
                fragment = self._fragments.get(name)
                if fragment is None or not self._applies(fragment.type_condition.name.value, runtime):
                    continue
                self._collect(runtime, fragment.selection_set, fields, visited)

    # ---- plan construction ---------------------------------------------------------------------------------

    def _object_plan(
        self, runtime: GraphQLObjectType, selection_sets: Iterable[SelectionSetNode], *, is_root: bool = False
    ) -> _ObjectPlan:
        self.built += 1
        collected: dict[str, list[FieldNode]] = {}
        visited: set[str] = set()
        for selection_set in selection_sets:
            self._collect(runtime, selection_set, collected, visited)
        plans: list[FieldPlan] = []
        for key, nodes in collected.items():
            name = nodes[0].name.value
            coordinate = f"{runtime.name}.{name}"
            if name == "__typename":
                plans.append((key, _TYPENAME, True, _Never, runtime.name, coordinate))
                continue
            if is_root and name in ("__schema", "__type"):
                nonnull = name == "__schema"
                plans.append((key, _VERBATIM, nonnull, _Never, None, coordinate))
                continue
            definition = runtime.fields.get(name)
            if definition is None:  # not in the API schema: validation would have refused it
                continue
            plans.append((key, *self._value_plan(definition.type, tuple(nodes), coordinate)))
        return _ObjectPlan(runtime.name, tuple(plans))

    def _value_plan(
        self, type_: GraphQLOutputType, nodes: tuple[FieldNode, ...], coordinate: str
    ) -> ValuePlan:
        nonnull = isinstance(type_, GraphQLNonNull)
        if nonnull:
            type_ = type_.of_type
        if isinstance(type_, GraphQLList):
            return (_LIST, nonnull, _Never, self._value_plan(type_.of_type, nodes, coordinate), coordinate)
        if isinstance(type_, GraphQLScalarType):
            if not is_specified_scalar_type(type_):
                return (_CUSTOM, nonnull, _Never, None, coordinate)
            if type_.name == "Int":
                return (_INT, nonnull, _Never, type_.serialize, coordinate)
            if type_.name == "Float":
                return (_FLOAT, nonnull, _Never, type_.serialize, coordinate)
            return (_SCALAR, nonnull, _FAST_TYPES.get(type_.name, _Never), type_.serialize, coordinate)
        if isinstance(type_, GraphQLEnumType):
            return (_ENUM, nonnull, _Never, _EnumInfo(type_.name, frozenset(type_.values)), coordinate)
        kind = _OBJECT if isinstance(type_, GraphQLObjectType) else _ABSTRACT
        return (kind, nonnull, _Never, self._selection_plan(type_, nodes), coordinate)

    def _selection_plan(
        self, type_: GraphQLObjectType | GraphQLInterfaceType | GraphQLUnionType, nodes: tuple[FieldNode, ...]
    ) -> _SelectionPlan:
        with_selections = tuple(node for node in nodes if node.selection_set is not None)
        memo_key = (tuple(id(node) for node in with_selections), type_.name)
        plan = self._memo.get(memo_key)
        if plan is None:
            if isinstance(type_, GraphQLObjectType):
                possible = frozenset((type_.name,))
            else:
                possible = frozenset(t.name for t in self._schema.get_possible_types(type_))
            plan = _SelectionPlan(with_selections, type_.name, possible)
            self._memo[memo_key] = plan
        return plan

    def object_for(self, plan: _SelectionPlan, type_name: str) -> _ObjectPlan | None:
        """The object plan of ``plan`` for a runtime type; None when the type is not possible here."""
        # An @interfaceObject subgraph answers with the interface's own name when no subgraph can tell the
        # concrete type: shape the interface's fields (type conditions on implementations do not apply).
        if type_name not in plan.possible and (
            type_name != plan.static_name
            or not isinstance(self._schema.get_type(type_name), GraphQLInterfaceType)
        ):
            return None
        runtime = self._schema.get_type(type_name)
        assert isinstance(runtime, GraphQLObjectType | GraphQLInterfaceType)
        selection_sets = [node.selection_set for node in plan.field_nodes if node.selection_set is not None]
        obj = self._object_plan(runtime, selection_sets)
        if plan.static_name == type_name and len(plan.possible) == 1 and plan.concrete is None:
            plan.concrete = obj
        else:
            plan.by_type[type_name] = obj
        return obj

    def warm(self) -> None:
        """Build every object plan reachable from the root (within the eager budget)."""
        seen: set[int] = set()
        stack: list[_ObjectPlan] = [self.root]
        while stack and self.built < _EAGER_BUDGET:
            obj = stack.pop()
            for field_plan in obj.fields:
                value_plan: Any = field_plan[1:]
                while value_plan[0] == _LIST:
                    value_plan = value_plan[3]
                if value_plan[0] not in (_OBJECT, _ABSTRACT):
                    continue
                selection: _SelectionPlan = value_plan[3]
                if id(selection) in seen:
                    continue
                seen.add(id(selection))
                if value_plan[0] == _OBJECT:
                    child = selection.concrete or self.object_for(selection, selection.static_name)
                    if child is not None:
                        stack.append(child)
                else:
                    for name in sorted(selection.possible):
                        child = selection.by_type.get(name) or self.object_for(selection, name)
                        if child is not None:
                            stack.append(child)


_FAST_TYPES: dict[str, type] = {"String": str, "ID": str, "Boolean": bool}


@dataclass(frozen=True, slots=True)
class Projection:
    """A compiled operation, ready to shape any number of responses.

    Compile once per (document, operation) and cache it. ``_signatures`` holds one plan tree per
    ``@skip``/``@include`` variable signature; when the operation has none, the single tree is built eagerly.
    """

    operation_name: str | None
    root_type_name: str
    condition_variables: tuple[str, ...]
    _schema: GraphQLSchema = field(repr=False)
    _fragments: Mapping[str, FragmentDefinitionNode] = field(repr=False)
    _operation: OperationDefinitionNode = field(repr=False)
    _signatures: dict[tuple[bool, ...], _Builder] = field(repr=False, default_factory=dict)

    def _builder(self, variables: Mapping[str, Any]) -> _Builder:
        names = self.condition_variables
        signature = tuple(bool(variables.get(name)) for name in names) if names else ()
        builder = self._signatures.get(signature)
        if builder is None:
            if len(self._signatures) >= _MAX_SIGNATURES:
                self._signatures.pop(next(iter(self._signatures)))
            root_type = self._schema.get_type(self.root_type_name)
            assert isinstance(root_type, GraphQLObjectType)
            builder = _Builder(
                self._schema, self._fragments, root_type, self._operation, dict(zip(names, signature))
            )
            self._signatures[signature] = builder
        return builder


def _condition_variables(document: DocumentNode) -> tuple[str, ...]:
    """Names of variables used as ``if:`` of ``@skip``/``@include`` anywhere in the document, sorted."""
    names: set[str] = set()

    def visit(selection_set: SelectionSetNode | None) -> None:
        if selection_set is None:
            return
        for selection in selection_set.selections:
            for directive in selection.directives or ():
                if directive.name.value not in ("skip", "include"):
                    continue
                for argument in directive.arguments or ():
                    if argument.name.value == "if" and isinstance(argument.value, VariableNode):
                        names.add(argument.value.name.value)
            visit(getattr(selection, "selection_set", None))

    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            visit(definition.selection_set)
    return tuple(sorted(names))


def compile_projection(
    schema: GraphQLSchema, document: DocumentNode, operation_name: str | None
) -> Projection:
    """Compile the client's operation against the API schema; done once per (document, operation).

    Raises :class:`ClientError` (``OPERATION_RESOLUTION_FAILURE``) when the operation cannot be selected.
    """
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        if len(operations) != 1:
            raise ClientError(
                "Must provide operation name if query contains multiple operations.",
                code=OPERATION_RESOLUTION_FAILURE,
            )
        operation = operations[0]
    else:
        matches = [op for op in operations if op.name is not None and op.name.value == operation_name]
        if not matches:
            raise ClientError(
                f'Unknown operation named "{operation_name}".', code=OPERATION_RESOLUTION_FAILURE
            )
        operation = matches[0]
    root_type = schema.get_root_type(operation.operation)
    if root_type is None:
        raise ClientError(
            f"Schema is not configured to execute {operation.operation.value} operation.",
            code=OPERATION_RESOLUTION_FAILURE,
        )
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    projection = Projection(
        operation_name=operation_name,
        root_type_name=root_type.name,
        condition_variables=_condition_variables(document),
        _schema=schema,
        _fragments=fragments,
        _operation=operation,
    )
    if not projection.condition_variables:
        projection._builder({}).warm()
    return projection


# ------------------------------------------------------------------------------------------------------
# Request time
# ------------------------------------------------------------------------------------------------------


class _State:
    """Per-call state: where errors go, and upstream error paths (indexed only when a null needs checking)."""

    __slots__ = ("builder", "errors", "indexed", "upstream_count", "upstream_exact", "upstream_prefixes")

    def __init__(self, builder: _Builder, errors: list[FormattedError]) -> None:
        self.builder = builder
        self.errors = errors
        # Errors we append go after these; only the ones present on entry can explain a null.
        self.upstream_count = len(errors)
        self.indexed = False
        self.upstream_exact: set[tuple[str | int, ...]] = set()
        self.upstream_prefixes: set[tuple[str | int, ...]] = set()

    def _covered(self, path: list[str | int]) -> bool:
        """Is there an upstream error at, under or above this path?"""
        if not self.indexed:
            self.indexed = True
            for error in self.errors[: self.upstream_count]:
                error_path = error.get("path")
                if not isinstance(error_path, list):
                    continue
                as_tuple = tuple(error_path)
                self.upstream_exact.add(as_tuple)
                for end in range(len(as_tuple) + 1):
                    self.upstream_prefixes.add(as_tuple[:end])
        target = tuple(path)
        if target in self.upstream_prefixes:
            return True
        exact = self.upstream_exact
        return any(target[:end] in exact for end in range(len(target)))

    def null_error(self, path: _Path, coordinate: str, missing: bool = False) -> None:
        """A null at a non-null position: report it unless an upstream error already explains it.

        A *missing* value (no fetch returned the field) next to upstream errors is explained by them: the
        fetch that should have returned it failed, whatever path its error carries (often none).
        """
        if missing and self.upstream_count:
            return
        flat = _flatten(path)
        if self._covered(flat):
            return
        self.errors.append(
            {
                "message": f"Cannot return null for non-nullable field {coordinate}.",
                "path": flat,
                "extensions": {"code": INVALID_GRAPHQL_RESPONSE},
            }
        )

    def invalid(self, path: _Path, message: str) -> None:
        """An invalid value (wrong shape, unserializable leaf): always reported."""
        self.errors.append(
            {"message": message, "path": _flatten(path), "extensions": {"code": INVALID_GRAPHQL_RESPONSE}}
        )


def _flatten(path: _Path) -> list[str | int]:
    keys: list[str | int] = []
    while path is not None:
        path, key = path
        keys.append(key)
    keys.reverse()
    return keys


def _show(value: Any) -> str:
    """Render a value in messages the way graphql-js does for JSON values."""
    try:
        return json.dumps(value)
    except (TypeError, ValueError):
        return repr(value)


def _shape_name(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return f"the scalar {_show(value)}"


def _object(plan: _ObjectPlan, obj: dict[str, Any], path: _Path, state: _State) -> dict[str, Any] | _Bubble:
    """Shape one object with its runtime type's plan; ``_BUBBLE`` if a non-null field ended up null."""
    out: dict[str, Any] = {}
    get = obj.get
    for key, kind, nonnull, fast, extra, coordinate in plan.fields:
        value = get(key)
        if value.__class__ is fast:
            out[key] = value
            continue
        if value is None:
            if kind == _TYPENAME:
                out[key] = extra
                continue
            if nonnull:
                state.null_error((path, key), coordinate, key not in obj)
                return _BUBBLE
            out[key] = None
            continue
        if kind == _INT and value.__class__ is int and _INT_MIN <= value <= _INT_MAX:
            out[key] = value
            continue
        if kind == _TYPENAME:
            out[key] = extra
            continue
        result = _complete(kind, nonnull, extra, coordinate, value, (path, key), state)
        if result is _BUBBLE:
            return _BUBBLE
        out[key] = result
    return out


def _complete(
    kind: int, nonnull: bool, extra: Any, coordinate: str, value: Any, path: _Path, state: _State
) -> Any:
    """Complete a non-null value at one position; returns the value, None, or ``_BUBBLE``.

    ``_BUBBLE`` means this position is non-null and became null: the caller's object or list is null too.
    """
    if kind == _OBJECT:
        if value.__class__ is not dict:
            state.invalid(path, f"Expected an object for field {coordinate}, got {_shape_name(value)}.")
            return _BUBBLE if nonnull else None
        selection: _SelectionPlan = extra
        obj_plan = selection.concrete or state.builder.object_for(selection, selection.static_name)
        assert obj_plan is not None
        result = _object(obj_plan, value, path, state)
    elif kind == _LIST:
        if value.__class__ is not list:
            state.invalid(path, f"Expected a list for field {coordinate}, got {_shape_name(value)}.")
            return _BUBBLE if nonnull else None
        result = _list(extra, value, path, state)
    elif kind in (_INT, _FLOAT, _SCALAR):
        if kind == _INT and value.__class__ is int and _INT_MIN <= value <= _INT_MAX:
            return value
        if kind == _FLOAT:
            # Print floats the way JavaScript gateways do: an integral Float is written without ".0"
            # (JSON has one number type; clients comparing responses textually see the same bytes).
            if value.__class__ is float and math.isfinite(value):
                return int(value) if value.is_integer() and -_MAX_SAFE <= value <= _MAX_SAFE else value
            if value.__class__ is int and -_MAX_SAFE <= value <= _MAX_SAFE:
                return value
        serialize: Callable[[Any], Any] = extra
        try:
            result = serialize(value)
        except Exception as error:
            state.invalid(path, str(error))
            return _BUBBLE if nonnull else None
        if result is None and nonnull:
            state.null_error(path, coordinate)
            return _BUBBLE
        return result
    elif kind == _ENUM:
        info: _EnumInfo = extra
        if value.__class__ is str and value in info.values:
            return value
        state.invalid(path, f'Enum "{info.name}" cannot represent value: {_show(value)}')
        return _BUBBLE if nonnull else None
    elif kind == _ABSTRACT:
        if value.__class__ is not dict:
            state.invalid(path, f"Expected an object for field {coordinate}, got {_shape_name(value)}.")
            return _BUBBLE if nonnull else None
        selection = extra
        type_name = value.get("__typename")
        obj_plan = selection.by_type.get(type_name) if type_name.__class__ is str else None
        if obj_plan is None and type_name.__class__ is str:
            obj_plan = state.builder.object_for(selection, type_name)
        if obj_plan is None:
            if type_name == UNRESOLVED_TYPENAME:
                state.invalid(
                    path,
                    f'Abstract type "{selection.static_name}" must resolve to an object type at runtime for '
                    f"field {coordinate}: no subgraph knows this object's concrete type.",
                )
                return _BUBBLE if nonnull else None
            if type_name.__class__ is str:
                # a runtime type the API schema does not allow here (an @inaccessible type): a field error
                state.invalid(
                    path, f'Invalid __typename "{type_name}" found for an object of field {coordinate}.'
                )
                return _BUBBLE if nonnull else None
            if nonnull:  # no __typename at all: the fetch that should have said it failed
                state.null_error(path, coordinate, True)
                return _BUBBLE
            return None
        result = _object(obj_plan, value, path, state)
    else:  # _CUSTOM, _VERBATIM
        return value
    if result is _BUBBLE:
        return _BUBBLE if nonnull else None
    return result


def _list(item: ValuePlan, values: list[Any], path: _Path, state: _State) -> list[Any] | _Bubble:
    """Complete each item; ``_BUBBLE`` if a non-null item ended up null."""
    kind, nonnull, fast, extra, coordinate = item
    out: list[Any] = []
    append = out.append
    if kind == _OBJECT:
        selection: _SelectionPlan = extra
        obj_plan = selection.concrete or state.builder.object_for(selection, selection.static_name)
        assert obj_plan is not None
        for index, value in enumerate(values):
            if value.__class__ is dict:
                result = _object(obj_plan, value, (path, index), state)
                if result is _BUBBLE:
                    if nonnull:
                        return _BUBBLE
                    result = None
                append(result)
            elif value is None:
                if nonnull:
                    state.null_error((path, index), coordinate)
                    return _BUBBLE
                append(None)
            else:
                result = _complete(kind, nonnull, extra, coordinate, value, (path, index), state)
                if result is _BUBBLE:
                    return _BUBBLE
                append(result)
        return out
    for index, value in enumerate(values):
        if value.__class__ is fast:
            append(value)
            continue
        if value is None:
            if nonnull:
                state.null_error((path, index), coordinate)
                return _BUBBLE
            append(None)
            continue
        result = _complete(kind, nonnull, extra, coordinate, value, (path, index), state)
        if result is _BUBBLE:
            return _BUBBLE
        append(result)
    return out


def shape_response(
    projection: Projection,
    data: dict[str, Any] | None,
    variables: Mapping[str, Any],
    errors: list[FormattedError],
) -> dict[str, Any] | None:
    """Return the client's ``data`` (None if null propagated to the root); appends errors to ``errors``."""
    if data is None:
        return None
    builder = projection._builder(variables)
    state = _State(builder, errors)
    if data.__class__ is not dict:
        state.invalid(None, f"Expected an object for the root, got {_shape_name(data)}.")
        return None
    result = _object(builder.root, data, None, state)
    if result is _BUBBLE:
        return None
    return result
