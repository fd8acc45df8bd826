"""The users subgraph's SQLite storage: schema, deterministic seed and the queries resolvers need.

Why batch-shaped queries (``users_by_ids``): entity resolution arrives as one list of representations, and
the loaders turn that list into a single ``IN (...)`` query instead of one query per user.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from subgraphs.common import fixtures
from subgraphs.common.pagination import PageRequest
from subgraphs.common.sqlite import connect, placeholders, transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    -- Legacy denormalised counter: the orders subgraph now computes orderCount (@override).
    order_count INTEGER NOT NULL DEFAULT 0,
    internal_notes TEXT
);
"""

_COLUMNS = "id, username, name, email, created_at, order_count, internal_notes"


@dataclass(frozen=True, slots=True)
class UserRow:
    """One row of ``users``."""

    id: int
    username: str
    name: str
    email: str
    created_at: str
    order_count: int
    internal_notes: str | None


def _row(row: sqlite3.Row) -> UserRow:
    return UserRow(*row)


class UsersDB:
    """Access to one users database; one instance per application."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    @classmethod
    def open(cls, path: str) -> UsersDB:
        """Open (creating and seeding if empty) the database at ``path``."""
        db = cls(connect(path))
        db.connection.executescript(_SCHEMA)
        db.seed()
        return db

    def seed(self) -> None:
        """Insert the deterministic demo users, unless the table already has rows (a reused file db)."""
        if self.connection.execute("SELECT EXISTS (SELECT 1 FROM users)").fetchone()[0]:
            return
        counts = Counter(order.buyer_id for order in fixtures.orders())
        with transaction(self.connection):
            self.connection.executemany(
                f"INSERT INTO users ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (u.id, u.username, u.name, u.email, u.created_at, counts[u.id], u.internal_notes)
                    for u in fixtures.users()
                ],
            )

    def users_by_ids(self, ids: Sequence[int]) -> dict[int, UserRow]:
        """Users with the given ids, in one query; missing ids are simply absent from the result."""
        if not ids:
            return {}
        rows = self.connection.execute(
            f"SELECT {_COLUMNS} FROM users WHERE id IN ({placeholders(len(ids))})", list(ids)
        ).fetchall()
        return {row["id"]: _row(row) for row in rows}

    def list_users(self, page: PageRequest) -> list[UserRow]:
        """Up to ``page.limit + 1`` users after the cursor key, in id order (one extra flags a next page)."""
        rows = self.connection.execute(
            f"SELECT {_COLUMNS} FROM users WHERE id > ? ORDER BY id LIMIT ?",
            (page.after_key, page.limit + 1),
        ).fetchall()
        return [_row(row) for row in rows]

    def close(self) -> None:
        """Close the connection (on application cleanup)."""
        self.connection.close()
