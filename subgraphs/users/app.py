"""Build the users subgraph's aiohttp application."""

from __future__ import annotations

from aiohttp import web

from subgraphs.common.server import build_app
from subgraphs.common.sqlite import MEMORY
from subgraphs.users.context import context_factory
from subgraphs.users.db import UsersDB
from subgraphs.users.schema import schema

DB_KEY = web.AppKey("users_db", UsersDB)
"""Where the app keeps its database handle (tests use it to count SQL statements)."""


def create_app(db_path: str = MEMORY) -> web.Application:
    """The users service: ``/graphql`` and ``/health`` over the database at ``db_path`` (seeded if empty)."""
    db = UsersDB.open(db_path)
    app = build_app("users", schema, context_factory(db), db.close)
    app[DB_KEY] = db
    return app
