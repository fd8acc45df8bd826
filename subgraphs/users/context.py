"""What a users-subgraph resolver sees as ``info.context``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from subgraphs.common.ids import viewer_id
from subgraphs.users.db import UsersDB
from subgraphs.users.loaders import UsersLoaders, create_loaders


@dataclass(frozen=True, slots=True)
class UsersContext:
    """Per-request state: the database, this request's loaders and the forwarded caller id."""

    db: UsersDB
    loaders: UsersLoaders
    viewer_id: int | None


def context_factory(db: UsersDB) -> Callable[[web.Request, web.StreamResponse], UsersContext]:
    """A ``(request, response) -> UsersContext`` callable for the subgraph view."""

    def build(request: web.Request, _response: web.StreamResponse) -> UsersContext:
        return UsersContext(db=db, loaders=create_loaders(db), viewer_id=viewer_id(request.headers))

    return build
