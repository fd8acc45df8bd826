"""Per-request DataLoaders for the users subgraph.

Why per request: a loader caches what it loaded, so sharing one across requests would serve stale rows and
leak data between callers. ``create_loaders`` runs in the view's ``get_context`` for every request.
"""

from __future__ import annotations

from dataclasses import dataclass

from aiodataloader import DataLoader

from subgraphs.users.db import UserRow, UsersDB


@dataclass(frozen=True, slots=True)
class UsersLoaders:
    """The loaders one request may use."""

    user_by_id: DataLoader[int, UserRow | None]


def create_loaders(db: UsersDB) -> UsersLoaders:
    """Fresh loaders bound to ``db``; each batch costs one SQL query."""

    async def load_users(ids: list[int]) -> list[UserRow | None]:
        found = db.users_by_ids(ids)
        return [found.get(user_id) for user_id in ids]

    return UsersLoaders(user_by_id=DataLoader(load_users))
