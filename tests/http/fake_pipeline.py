"""A small, real GraphQL pipeline for testing the HTTP layer without the federation engine.

It parses, validates, coerces variables and executes with graphql-core against the SDL given to
``load_supergraph`` and follows the ``GraphQLResponse`` contract of the real pipeline: ``http_status`` 400
with no ``data`` for parse/validation/coercion errors, 405 for a mutation over GET.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLSchema,
    OperationType,
    build_schema,
    execute,
    get_operation_ast,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values

from gateway.config.model import Config
from gateway.errors import (
    BAD_USER_INPUT,
    GRAPHQL_PARSE_FAILED,
    GRAPHQL_VALIDATION_FAILED,
    METHOD_NOT_ALLOWED,
    OPERATION_RESOLUTION_FAILURE,
    PERSISTED_QUERY_NOT_SUPPORTED,
    SUPERGRAPH_NOT_READY,
    make_error,
)
from gateway.pipeline.types import GraphQLRequest, GraphQLResponse
from gateway.supergraph.errors import SupergraphError

FAKE_SDL = """
type Query {
  hello(name: String = "world"): String
  slow(ms: Int!): String
  header(name: String!): String
  pid: Int
  crash: String
}
type Mutation {
  bump: Int
}
"""


class _Root:
    def __init__(self, request: GraphQLRequest, pipeline: FakePipeline) -> None:
        self._request = request
        self._pipeline = pipeline

    def hello(self, _info: Any, name: str) -> str:
        return f"hello {name}"

    async def slow(self, _info: Any, ms: int) -> str:
        await asyncio.sleep(ms / 1000)
        return "done"

    def header(self, _info: Any, name: str) -> str | None:
        return self._request.headers.get(name)

    def pid(self, _info: Any) -> int:
        return os.getpid()

    def crash(self, _info: Any) -> str:
        raise RuntimeError("secret internal detail")

    def bump(self, _info: Any) -> int:
        self._pipeline.bumps += 1
        return self._pipeline.bumps


def _failure(message: str, code: str, status: int = 400) -> GraphQLResponse:
    return GraphQLResponse({"errors": [make_error(message, code)]}, http_status=status)


class FakePipeline:
    """Implements the ``ManagedPipeline`` protocol on a plain graphql-core schema."""

    def __init__(self, config: Config | None = None) -> None:
        self.config = config or Config()
        self.schema: GraphQLSchema | None = None
        self.started = 0
        self.closed = 0
        self.bumps = 0
        self.loads = 0
        self.response_headers: dict[str, str] = {}

    async def start(self) -> None:
        self.started += 1

    async def close(self) -> None:
        self.closed += 1

    def load_supergraph(self, sdl: str, source: str = "<supergraph>") -> None:
        try:
            schema = build_schema(sdl)
        except (GraphQLError, TypeError) as exc:  # build_schema raises TypeError for unknown types
            raise SupergraphError(f"{source}: {exc}") from None
        self.schema = schema
        self.loads += 1

    @property
    def ready(self) -> bool:
        return self.schema is not None

    def operation_kind(self, query: str, operation_name: str | None) -> str | None:
        """What the engine's pipeline answers: the selected operation's kind, None for an invalid document."""
        if self.schema is None:
            return None
        try:
            document = parse(query)
        except GraphQLError:
            return None
        if validate(self.schema, document):
            return None
        operation = get_operation_ast(document, operation_name)
        return None if operation is None else operation.operation.value

    async def run(self, request: GraphQLRequest) -> GraphQLResponse:
        schema = self.schema
        if schema is None:
            return _failure("no supergraph loaded", SUPERGRAPH_NOT_READY, 503)
        if request.query is None:
            return _failure("persisted queries are not supported", PERSISTED_QUERY_NOT_SUPPORTED)
        try:
            document = parse(request.query)
        except GraphQLError as exc:
            return GraphQLResponse(
                {"errors": [{**exc.formatted, "extensions": {"code": GRAPHQL_PARSE_FAILED}}]}, 400
            )
        errors = validate(schema, document)
        if errors:
            formatted = [{**e.formatted, "extensions": {"code": GRAPHQL_VALIDATION_FAILED}} for e in errors]
            return GraphQLResponse({"errors": formatted}, 400)
        operation = get_operation_ast(document, request.operation_name)
        if operation is None:
            return _failure("cannot select the operation to run", OPERATION_RESOLUTION_FAILURE)
        if operation.operation == OperationType.MUTATION and request.http_method == "GET":
            return _failure("mutations cannot be sent with GET", METHOD_NOT_ALLOWED, 405)
        coerced = get_variable_values(schema, operation.variable_definitions or (), request.variables or {})
        if isinstance(coerced, list):
            formatted = [{**e.formatted, "extensions": {"code": BAD_USER_INPUT}} for e in coerced]
            return GraphQLResponse({"errors": formatted}, 400)
        if operation.name is not None and operation.name.value == "Crash":
            raise RuntimeError("secret internal detail")
        result = execute(
            schema,
            document,
            root_value=_Root(request, self),
            variable_values=request.variables,
            operation_name=request.operation_name,
        )
        if asyncio.iscoroutine(result) or asyncio.isfuture(result):
            result = await result
        return GraphQLResponse(result.formatted, headers=dict(self.response_headers))
