"""The typed request and response of the GraphQL pipeline (the 'supergraph' stage).

Why: the HTTP layer knows HTTP (methods, media types, bodies); the pipeline knows GraphQL. They meet only
through these two types, so each side can be tested without the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(slots=True)
class GraphQLRequest:
    """One GraphQL request after HTTP decoding (body or query string), before any GraphQL work."""

    query: str | None
    operation_name: str | None = None
    variables: dict[str, Any] | None = None
    extensions: dict[str, Any] | None = None
    # "GET" or "POST": a mutation over GET must be refused with 405.
    http_method: str = "POST"
    # Incoming HTTP headers (lower-cased names), for propagation to subgraphs and for auth.
    headers: Mapping[str, str] = field(default_factory=dict)
    client_address: str | None = None
    # ``documentId``: the id of a trusted document in the persisted query manifest, sent instead of ``query``.
    document_id: str | None = None


@dataclass(slots=True)
class GraphQLResponse:
    """What the pipeline answers.

    ``body`` is the GraphQL response map (``data``/``errors``/``extensions``). ``http_status`` is set when the
    request failed before execution (no ``data`` key): 400 for parse/validation/variable errors, 405 for a
    mutation over GET, and so on. When ``None`` the request was executed and the status is 200.
    ``headers`` are extra response headers (for example rate-limit headers).
    """

    body: dict[str, Any]
    http_status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)


class Pipeline(Protocol):
    """Anything that can answer a GraphQL request."""

    async def run(self, request: GraphQLRequest) -> GraphQLResponse: ...
