"""The users subgraph schema: ``User`` (key ``id``) and the user queries.

Directives demonstrated here: ``@key``, ``@shareable`` (``username``, which orders ``@provides``),
``@requiresScopes`` (``email`` needs ``users:read_email``), ``@inaccessible`` (``internalNotes``),
``@authenticated`` (``me``), ``@listSize``/``@cost`` (the paginated ``users`` list), and the
overridden side of ``@override`` (``orderCount``, which the orders subgraph now resolves).
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from subgraphs.common.federation import FEDERATION_VERSION, paginated
from subgraphs.common.ids import parse_key
from subgraphs.common.pagination import PageInfo, encode_cursor, page_request, split_page
from subgraphs.users.context import UsersContext
from subgraphs.users.db import UserRow

_CURSOR_KIND = "User"


@strawberry.federation.type(keys=["id"], description="A customer account.")
class User:
    """A user; other subgraphs reference it by ``id``."""

    id: strawberry.ID
    username: str = strawberry.federation.field(shareable=True, description="Unique public handle.")
    name: str
    email: str = strawberry.federation.field(
        requires_scopes=[["users:read_email"]], description="Private: needs the users:read_email scope."
    )
    created_at: str = strawberry.field(description="ISO 8601 UTC timestamp of sign-up.")
    # Legacy denormalised counter: the orders subgraph overrides this field (@override) with a live count.
    # Kept until every gateway runs the new supergraph; the description must match the orders subgraph's.
    order_count: int = strawberry.field(description="Number of orders the user has placed.")
    internal_notes: str | None = strawberry.federation.field(
        inaccessible=True, description="Support-team notes; never exposed through the gateway."
    )

    @classmethod
    async def resolve_reference(cls, info: Info[UsersContext, None], **representation: Any) -> User | None:
        """Resolve ``{__typename: "User", id}`` through the request's batched loader."""
        key = parse_key(representation.get("id"))
        if key is None:
            return None
        row = await info.context.loaders.user_by_id.load(key)
        return user_from_row(row) if row is not None else None


def user_from_row(row: UserRow) -> User:
    """Map a database row to the GraphQL type."""
    return User(
        id=strawberry.ID(str(row.id)),
        username=row.username,
        name=row.name,
        email=row.email,
        created_at=row.created_at,
        order_count=row.order_count,
        internal_notes=row.internal_notes,
    )


@strawberry.type
class UserEdge:
    """A user and the cursor that points just after it."""

    cursor: str
    node: User


@strawberry.type
class UserConnection:
    """A page of users."""

    edges: list[UserEdge]
    page_info: PageInfo


@strawberry.type
class Query:
    """User lookups."""

    @strawberry.federation.field(authenticated=True, description="The caller, from the forwarded x-user-id.")
    async def me(self, info: Info[UsersContext, None]) -> User | None:
        """The signed-in user; ``null`` when the gateway forwarded no (or an unknown) user id."""
        if info.context.viewer_id is None:
            return None
        row = await info.context.loaders.user_by_id.load(info.context.viewer_id)
        return user_from_row(row) if row is not None else None

    @strawberry.field(description="One user by id, or null.")
    async def user(self, info: Info[UsersContext, None], id: strawberry.ID) -> User | None:
        """Look a user up through the loader so it shares batches with entity resolution."""
        key = parse_key(id)
        if key is None:
            return None
        row = await info.context.loaders.user_by_id.load(key)
        return user_from_row(row) if row is not None else None

    @strawberry.field(
        description="All users, in sign-up id order, paginated.",
        directives=paginated(weight=2, sized_fields=["edges"]),
    )
    def users(
        self, info: Info[UsersContext, None], first: int = 10, after: str | None = None
    ) -> UserConnection:
        """A page of users; ``first`` is capped at 100 and ``after`` is a cursor from a previous page."""
        page = page_request(_CURSOR_KIND, first, after)
        rows, has_next = split_page(info.context.db.list_users(page), page)
        edges = [
            UserEdge(cursor=encode_cursor(_CURSOR_KIND, row.id), node=user_from_row(row)) for row in rows
        ]
        return UserConnection(
            edges=edges,
            page_info=PageInfo(has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None),
        )


schema = strawberry.federation.Schema(query=Query, federation_version=FEDERATION_VERSION)
"""The users subgraph schema (immutable once built, so a module-level instance holds no mutable state)."""
