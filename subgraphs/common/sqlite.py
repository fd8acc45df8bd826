"""Opening a subgraph's SQLite database.

Why a helper: all three subgraphs want the same connection settings -- rows addressable by column name,
foreign keys enforced, and WAL journaling for file databases so a reader never blocks on the writer.
One connection per application (never per module) keeps state out of module globals.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager

MEMORY = ":memory:"


def connect(path: str) -> sqlite3.Connection:
    """Open ``path`` (a file or ``:memory:``) with the settings every subgraph relies on."""
    connection = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    connection.row_factory = sqlite3.Row
    connection.execute("PRAGMA foreign_keys = ON")
    if path != MEMORY:
        connection.execute("PRAGMA journal_mode = WAL")
    return connection


def placeholders(count: int) -> str:
    """``?, ?, ?`` for an ``IN (...)`` clause with ``count`` parameters."""
    return ", ".join("?" * count)


@contextmanager
def transaction(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """Run the block in one transaction: committed on success, rolled back on any exception.

    Why explicit: connections are opened in autocommit mode so single reads need no transaction, and
    multi-statement writes (seed, createOrder) must still be all-or-nothing.
    """
    connection.execute("BEGIN IMMEDIATE")
    try:
        yield connection
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    connection.execute("COMMIT")
