"""Parse, validate and compile an operation once per schema generation (the request-independent work).

Why: parsing and validating a 2 KB query costs milliseconds in graphql-core; a gateway sees the same few
operations over and over. Everything here depends only on (schema, query text, operation name), so it is
computed once and cached on the schema snapshot, errors included (they are deterministic).

Exactly identical sibling selections are collapsed right after parsing (``dedupe.py``): the deduplicated
document is the one validated, planned and projected. When graphql-core stops validating early (error
limit, field-merging budget, fragment nesting), its generic "Validation aborted." is replaced by a message
naming the limit that was hit.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
    specified_rules,
    validate,
)
from graphql.language.parser import MAX_NESTING_DEPTH
from graphql.validation import (
    ASTValidationRule,
    NoSchemaIntrospectionCustomRule,
    OverlappingFieldsCanBeMergedRule,
    ValidationContext,
)
from graphql.validation.validate import ValidationAbortedError

from gateway.errors import (
    GRAPHQL_PARSE_FAILED,
    GRAPHQL_VALIDATION_FAILED,
    OPERATION_RESOLUTION_FAILURE,
    FormattedError,
    make_error,
)
from gateway.pipeline.dedupe import dedupe_document
from gateway.planner.operation import find_operation, fragments_of
from gateway.response.shape import Projection, compile_projection
from gateway.telemetry.tracing import stage

_INTROSPECTION_FIELDS = frozenset({"__schema", "__type"})
# graphql-core's ``max_errors`` (its default, made explicit so the refusal can name it).
MAX_VALIDATION_ERRORS = 100


class _MeteredOverlapRule(OverlappingFieldsCanBeMergedRule):
    """graphql-core's field-merging rule, unchanged, except that exhausting its complexity budget raises an
    abort naming the budget instead of the generic "Validation aborted." (the only other abort the rule can
    raise is the error limit's, which is left as it is)."""

    def __init__(self, context: ValidationContext) -> None:
        super().__init__(context)
        self._budget: int = self.rule_context.remaining_complexity_budget

    def enter_selection_set(self, *args: Any) -> None:
        try:
            super().enter_selection_set(*args)
        except ValidationAbortedError:
            if self.rule_context.remaining_complexity_budget >= 0:
                raise
            raise ValidationAbortedError(
                "validation stopped: comparing fields that share a response name exceeded the field merging "
                f"budget ({self._budget} units, graphql-core's MAX_COMPLEXITY_BUDGET); use different "
                "aliases or fewer repeated fields with the same name"
            ) from None


def _rules(introspection: bool) -> tuple[type[ASTValidationRule], ...]:
    rules: list[type[ASTValidationRule]] = [
        _MeteredOverlapRule if rule is OverlappingFieldsCanBeMergedRule else rule for rule in specified_rules
    ]
    if not introspection:
        rules.append(NoSchemaIntrospectionCustomRule)
    return tuple(rules)


_RULES = {True: _rules(True), False: _rules(False)}


class RequestError(Exception):
    """The request cannot be executed: answered with errors only (no ``data``) and a 4xx status."""

    def __init__(self, errors: list[FormattedError], http_status: int = 400) -> None:
        super().__init__(errors[0]["message"] if errors else "request error")
        self.errors = errors
        self.http_status = http_status


@dataclass(slots=True)
class PreparedOperation:
    """A parsed, validated operation with what execution needs precomputed."""

    document: DocumentNode
    operation: OperationDefinitionNode
    kind: str
    projection: Projection
    fragments: dict[str, Any]
    # A document holding only the operation's introspection root fields, executed locally.
    introspection: DocumentNode | None
    has_variables: bool
    # sha256 (hex) of the query text, for telemetry (access log, trace spans): computed once per prepared
    # operation, not per request.
    document_hash: str = ""
    # Introspection result cached when it does not depend on variables.
    introspection_result: dict[str, Any] | None = None
    # Plans by (active override labels, plugin plan key), bounded by the pipeline.
    plans: dict[Any, Any] = field(default_factory=dict)


def format_graphql_error(error: GraphQLError, code: str) -> FormattedError:
    locations = [{"line": loc.line, "column": loc.column} for loc in error.locations or ()]
    return make_error(error.message, code, locations=locations or None)


def _filter_introspection(
    selection_set: SelectionSetNode, fragments: dict[str, Any], memo: dict[str, Any] | None = None
) -> SelectionSetNode | None:
    """The introspection root fields of a root selection set. Each named fragment is filtered once: a
    document spreading fragments into each other many times must not cost exponential time."""
    memo = {} if memo is None else memo
    kept: list[Any] = []
    for selection in selection_set.selections:
        if isinstance(selection, FieldNode):
            if selection.name.value in _INTROSPECTION_FIELDS:
                kept.append(selection)
        elif isinstance(selection, InlineFragmentNode):
            inner = _filter_introspection(selection.selection_set, fragments, memo)
            if inner is not None:
                kept.append(
                    InlineFragmentNode(
                        type_condition=selection.type_condition,
                        directives=selection.directives,
                        selection_set=inner,
                    )
                )
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            fragment = fragments.get(name)
            if fragment is None:
                continue
            if name not in memo:
                memo[name] = None  # a cycle (refused by validation anyway) stops here
                memo[name] = _filter_introspection(fragment.selection_set, fragments, memo)
            inner = memo[name]
            if inner is not None:
                kept.append(
                    InlineFragmentNode(
                        type_condition=fragment.type_condition,
                        directives=selection.directives,
                        selection_set=inner,
                    )
                )
    return SelectionSetNode(selections=tuple(kept)) if kept else None


def _name_aborts(errors: list[GraphQLError]) -> list[GraphQLError]:
    """graphql-core's validation errors, with an early stop's generic message replaced by one naming the
    limit that was hit (the field merging budget's already is, by ``_MeteredOverlapRule``)."""
    last = errors[-1]
    if not isinstance(last, ValidationAbortedError) or last.message.startswith("validation stopped"):
        return errors
    if last.message.startswith("Too many validation errors"):
        message = (
            f"validation stopped after {MAX_VALIDATION_ERRORS} errors (the validation error limit); "
            "fix these first"
        )
    else:  # graphql-core's only other abort: selections nested too deeply through fragment spreads
        message = (
            f"validation stopped: selections nest deeper than {MAX_NESTING_DEPTH} levels through fragments "
            "(graphql-core's nesting limit)"
        )
    return [*errors[:-1], ValidationAbortedError(message)]


def prepare_operation(
    schema: GraphQLSchema,
    query: str,
    operation_name: str | None,
    *,
    introspection: bool = True,
    max_tokens: int | None = None,
) -> PreparedOperation:
    """Parse + validate + select the operation; raises ``RequestError`` (cacheable) on failure."""
    try:
        with stage("graphql.parse", cache_hit=False):  # spans when tracing is on (a cache miss: cold path)
            document = parse(query, max_tokens=max_tokens)
    except GraphQLError as error:
        raise RequestError([format_graphql_error(error, GRAPHQL_PARSE_FAILED)]) from None
    with stage("graphql.validate", cache_hit=False):
        # Everything below (validation, operation selection, projection, planning) sees the deduplicated
        # document.
        document = dedupe_document(document)
        errors = validate(schema, document, _RULES[introspection], max_errors=MAX_VALIDATION_ERRORS)
        if errors:
            errors = _name_aborts(errors)
            raise RequestError([format_graphql_error(e, GRAPHQL_VALIDATION_FAILED) for e in errors])
    operation = find_operation(document, operation_name)
    if operation is None:
        message = (
            f'Unknown operation named "{operation_name}".'
            if operation_name
            else "Must provide operation name if query contains multiple operations."
        )
        raise RequestError([make_error(message, OPERATION_RESOLUTION_FAILURE)])
    fragments = fragments_of(document)
    projection = compile_projection(
        schema, document, operation.name.value if operation.name else operation_name
    )
    introspection_doc: DocumentNode | None = None
    if operation.operation.value == "query":
        selected = _filter_introspection(operation.selection_set, fragments)
        if selected is not None:
            introspection_doc = DocumentNode(
                definitions=(
                    OperationDefinitionNode(
                        operation=operation.operation,
                        name=operation.name,
                        variable_definitions=operation.variable_definitions,
                        directives=(),
                        selection_set=selected,
                    ),
                    # fragments used inside __schema/__type selections (e.g. GraphiQL's ...FullType)
                    *fragments.values(),
                )
            )
    return PreparedOperation(
        document=document,
        operation=operation,
        kind=operation.operation.value,
        projection=projection,
        fragments=fragments,
        introspection=introspection_doc,
        has_variables=bool(operation.variable_definitions),
        document_hash=hashlib.sha256(query.encode()).hexdigest(),
    )
