"""Build the products subgraph's aiohttp application."""

from __future__ import annotations

from aiohttp import web

from subgraphs.common.server import build_app
from subgraphs.common.sqlite import MEMORY
from subgraphs.products.context import context_factory
from subgraphs.products.db import ProductsDB
from subgraphs.products.schema import schema

DB_KEY = web.AppKey("products_db", ProductsDB)
"""Where the app keeps its database handle (tests use it to count SQL statements)."""


def create_app(db_path: str = MEMORY) -> web.Application:
    """The products service: ``/graphql`` and ``/health`` over the db at ``db_path`` (seeded if empty)."""
    db = ProductsDB.open(db_path)
    app = build_app("products", schema, context_factory(db), db.close)
    app[DB_KEY] = db
    return app
