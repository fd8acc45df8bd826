"""Build the orders subgraph's aiohttp application."""

from __future__ import annotations

from aiohttp import web

from subgraphs.common.server import build_app
from subgraphs.common.sqlite import MEMORY
from subgraphs.orders.context import context_factory
from subgraphs.orders.db import OrdersDB
from subgraphs.orders.schema import schema

DB_KEY = web.AppKey("orders_db", OrdersDB)
"""Where the app keeps its database handle (tests use it to count SQL statements)."""


def create_app(db_path: str = MEMORY) -> web.Application:
    """The orders service: ``/graphql`` and ``/health`` over the database at ``db_path`` (seeded if empty)."""
    db = OrdersDB.open(db_path)
    app = build_app("orders", schema, context_factory(db), db.close)
    app[DB_KEY] = db
    return app
