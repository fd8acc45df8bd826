"""The products subgraph's SQLite storage: schema, deterministic seed and catalog queries.

Why two lookup queries (by UPC and by SKU): ``Product`` has two entity keys, and each key gets its own
batched ``IN (...)`` query so a batch of representations costs one query per key used.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from subgraphs.common import fixtures
from subgraphs.common.pagination import PageRequest
from subgraphs.common.sqlite import connect, placeholders, transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS products (
    id INTEGER PRIMARY KEY,
    upc TEXT NOT NULL UNIQUE,
    sku TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    category TEXT NOT NULL,
    price_cents INTEGER NOT NULL CHECK (price_cents > 0),
    cost_cents INTEGER NOT NULL,
    weight_grams INTEGER NOT NULL CHECK (weight_grams > 0),
    in_stock INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS products_category ON products (category, id);
"""

_COLUMNS = "id, upc, sku, title, description, category, price_cents, cost_cents, weight_grams, in_stock"


@dataclass(frozen=True, slots=True)
class ProductRow:
    """One row of ``products``."""

    id: int
    upc: str
    sku: str
    title: str
    description: str
    category: str
    price_cents: int
    cost_cents: int
    weight_grams: int
    in_stock: bool


def _row(row: sqlite3.Row) -> ProductRow:
    values = list(row)
    values[-1] = bool(values[-1])
    return ProductRow(*values)


class ProductsDB:
    """Access to one products database; one instance per application."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    @classmethod
    def open(cls, path: str) -> ProductsDB:
        """Open (creating and seeding if empty) the database at ``path``."""
        db = cls(connect(path))
        db.connection.executescript(_SCHEMA)
        db.seed()
        return db

    def seed(self) -> None:
        """Insert the deterministic catalog, unless the table already has rows (a reused file db)."""
        if self.connection.execute("SELECT EXISTS (SELECT 1 FROM products)").fetchone()[0]:
            return
        with transaction(self.connection):
            self.connection.executemany(
                f"INSERT INTO products ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        index,
                        p.upc,
                        p.sku,
                        p.title,
                        p.description,
                        p.category,
                        p.price_cents,
                        p.cost_cents,
                        p.weight_grams,
                        int(p.in_stock),
                    )
                    for index, p in enumerate(fixtures.products(), start=1)
                ],
            )

    def _by_column(self, column: str, values: Sequence[str]) -> dict[str, ProductRow]:
        if not values:
            return {}
        rows = self.connection.execute(
            f"SELECT {_COLUMNS} FROM products WHERE {column} IN ({placeholders(len(values))})", list(values)
        ).fetchall()
        return {row[column]: _row(row) for row in rows}

    def products_by_upcs(self, upcs: Sequence[str]) -> dict[str, ProductRow]:
        """Products with the given UPCs, in one query."""
        return self._by_column("upc", upcs)

    def products_by_skus(self, skus: Sequence[str]) -> dict[str, ProductRow]:
        """Products with the given SKUs, in one query."""
        return self._by_column("sku", skus)

    def list_products(self, page: PageRequest, category: str | None) -> list[ProductRow]:
        """Up to ``page.limit + 1`` products after the cursor key, optionally in one category."""
        if category is None:
            sql = f"SELECT {_COLUMNS} FROM products WHERE id > ? ORDER BY id LIMIT ?"
            params: tuple[object, ...] = (page.after_key, page.limit + 1)
        else:
            sql = f"SELECT {_COLUMNS} FROM products WHERE category = ? AND id > ? ORDER BY id LIMIT ?"
            params = (category, page.after_key, page.limit + 1)
        return [_row(row) for row in self.connection.execute(sql, params).fetchall()]

    def top_products(self, limit: int) -> list[ProductRow]:
        """The most expensive in-stock products (the storefront's "premium picks")."""
        rows = self.connection.execute(
            f"SELECT {_COLUMNS} FROM products WHERE in_stock = 1 ORDER BY price_cents DESC, id LIMIT ?",
            (limit,),
        ).fetchall()
        return [_row(row) for row in rows]

    def categories(self) -> list[str]:
        """Every category that has at least one product."""
        return [
            row[0] for row in self.connection.execute("SELECT DISTINCT category FROM products ORDER BY 1")
        ]

    def close(self) -> None:
        """Close the connection (on application cleanup)."""
        self.connection.close()
