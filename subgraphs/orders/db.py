"""The orders subgraph's SQLite storage: schema, deterministic seed, batched reads and the two mutations.

Why local ``customers`` and ``catalog`` tables: an order records who bought what at which price when it
was placed, so the service keeps its own copy of usernames (served through ``@provides``) and prices
(the price at purchase time) and can validate ``createOrder`` input without calling other subgraphs.
Why window functions in the per-parent reads: ``User.orders(first:)`` for a batch of users must still be a
single query, so rows are numbered per parent and cut at the page size inside SQLite.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from subgraphs.common import fixtures
from subgraphs.common.pagination import PageRequest
from subgraphs.common.sqlite import connect, placeholders, transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS customers (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS catalog (
    upc TEXT PRIMARY KEY,
    price_cents INTEGER NOT NULL,
    in_stock INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS orders (
    id INTEGER PRIMARY KEY,
    buyer_id INTEGER NOT NULL REFERENCES customers (id),
    buyer_username TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    payment_last4 TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS orders_buyer ON orders (buyer_id, id);
CREATE TABLE IF NOT EXISTS order_lines (
    id INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    position INTEGER NOT NULL,
    product_upc TEXT REFERENCES catalog (upc),
    gift_card_cents INTEGER,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    unit_price_cents INTEGER NOT NULL,
    CHECK ((product_upc IS NULL) <> (gift_card_cents IS NULL))
);
CREATE INDEX IF NOT EXISTS order_lines_order ON order_lines (order_id, position);
CREATE INDEX IF NOT EXISTS order_lines_product ON order_lines (product_upc, order_id);
"""

_ORDER_COLUMNS = "id, buyer_id, buyer_username, status, created_at, payment_last4"
_LINE_COLUMNS = "id, order_id, position, product_upc, gift_card_cents, quantity, unit_price_cents"
CANCELLABLE = ("PENDING", "PAID")


@dataclass(frozen=True, slots=True)
class OrderRow:
    """One row of ``orders``."""

    id: int
    buyer_id: int
    buyer_username: str
    status: str
    created_at: str
    payment_last4: str


@dataclass(frozen=True, slots=True)
class LineRow:
    """One row of ``order_lines``: a product line or a gift-card line."""

    id: int
    order_id: int
    position: int
    product_upc: str | None
    gift_card_cents: int | None
    quantity: int
    unit_price_cents: int


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """The orders service's copy of a product's price and availability."""

    upc: str
    price_cents: int
    in_stock: bool


@dataclass(frozen=True, slots=True)
class NewLine:
    """A validated line for :meth:`OrdersDB.create_order`."""

    product_upc: str | None
    gift_card_cents: int | None
    quantity: int
    unit_price_cents: int


def _order(row: sqlite3.Row) -> OrderRow:
    return OrderRow(*row[:6])


class OrdersDB:
    """Access to one orders database; one instance per application."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self.connection = connection

    @classmethod
    def open(cls, path: str) -> OrdersDB:
        """Open (creating and seeding if empty) the database at ``path``."""
        db = cls(connect(path))
        db.connection.executescript(_SCHEMA)
        db.seed()
        return db

    def seed(self) -> None:
        """Insert the deterministic customers, catalog copy and order history, unless already present."""
        if self.connection.execute("SELECT EXISTS (SELECT 1 FROM customers)").fetchone()[0]:
            return
        usernames = {user.id: user.username for user in fixtures.users()}
        lines: list[tuple[object, ...]] = []
        for order in fixtures.orders():
            for position, line in enumerate(order.lines):
                lines.append(
                    (
                        order.id,
                        position,
                        line.product_upc,
                        line.gift_card_cents,
                        line.quantity,
                        line.unit_price_cents,
                    )
                )
        with transaction(self.connection) as c:
            c.executemany("INSERT INTO customers (id, username) VALUES (?, ?)", usernames.items())
            c.executemany(
                "INSERT INTO catalog (upc, price_cents, in_stock) VALUES (?, ?, ?)",
                [(p.upc, p.price_cents, int(p.in_stock)) for p in fixtures.products()],
            )
            c.executemany(
                f"INSERT INTO orders ({_ORDER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (o.id, o.buyer_id, usernames[o.buyer_id], o.status, o.created_at, o.payment_last4)
                    for o in fixtures.orders()
                ],
            )
            c.executemany(
                "INSERT INTO order_lines (order_id, position, product_upc, gift_card_cents, quantity, "
                "unit_price_cents) VALUES (?, ?, ?, ?, ?, ?)",
                lines,
            )

    # -- batched reads (one query per call) ------------------------------------------------------------

    def orders_by_ids(self, ids: Sequence[int]) -> dict[int, OrderRow]:
        """Orders with the given ids."""
        if not ids:
            return {}
        rows = self.connection.execute(
            f"SELECT {_ORDER_COLUMNS} FROM orders WHERE id IN ({placeholders(len(ids))})", list(ids)
        ).fetchall()
        return {row["id"]: _order(row) for row in rows}

    def lines_by_order_ids(self, order_ids: Sequence[int]) -> dict[int, list[LineRow]]:
        """The lines of each given order, in position order."""
        grouped: dict[int, list[LineRow]] = defaultdict(list)
        if not order_ids:
            return grouped
        rows = self.connection.execute(
            f"SELECT {_LINE_COLUMNS} FROM order_lines WHERE order_id IN ({placeholders(len(order_ids))}) "
            "ORDER BY order_id, position",
            list(order_ids),
        ).fetchall()
        for row in rows:
            grouped[row["order_id"]].append(LineRow(*row))
        return grouped

    def orders_for_buyers(self, buyer_ids: Sequence[int], page: PageRequest) -> dict[int, list[OrderRow]]:
        """For each buyer, up to ``page.limit + 1`` of their orders after the cursor key, oldest first."""
        grouped: dict[int, list[OrderRow]] = defaultdict(list)
        if not buyer_ids:
            return grouped
        rows = self.connection.execute(
            f"SELECT {_ORDER_COLUMNS} FROM ("
            f" SELECT {_ORDER_COLUMNS}, ROW_NUMBER() OVER (PARTITION BY buyer_id ORDER BY id) AS rn"
            f" FROM orders WHERE buyer_id IN ({placeholders(len(buyer_ids))}) AND id > ?"
            ") WHERE rn <= ? ORDER BY buyer_id, id",
            [*buyer_ids, page.after_key, page.limit + 1],
        ).fetchall()
        for row in rows:
            grouped[row["buyer_id"]].append(_order(row))
        return grouped

    def order_counts(self, buyer_ids: Sequence[int]) -> dict[int, int]:
        """How many orders (any status) each buyer has placed."""
        if not buyer_ids:
            return {}
        rows = self.connection.execute(
            f"SELECT buyer_id, COUNT(*) FROM orders WHERE buyer_id IN ({placeholders(len(buyer_ids))}) "
            "GROUP BY buyer_id",
            list(buyer_ids),
        ).fetchall()
        return {row[0]: row[1] for row in rows}

    def units_sold(self, upcs: Sequence[str]) -> dict[str, int]:
        """Units of each product sold in orders that were not cancelled."""
        if not upcs:
            return {}
        rows = self.connection.execute(
            "SELECT l.product_upc, SUM(l.quantity)"
            " FROM order_lines AS l JOIN orders AS o ON o.id = l.order_id "
            f"WHERE l.product_upc IN ({placeholders(len(upcs))}) AND o.status <> 'CANCELLED' "
            "GROUP BY l.product_upc",
            list(upcs),
        ).fetchall()
        return {row[0]: row[1] for row in rows}

    def recent_orders_for_products(self, upcs: Sequence[str], limit: int) -> dict[str, list[OrderRow]]:
        """For each product, the ``limit`` most recent orders (highest ids) containing it."""
        grouped: dict[str, list[OrderRow]] = defaultdict(list)
        if not upcs or limit == 0:
            return grouped
        rows = self.connection.execute(
            f"SELECT {_ORDER_COLUMNS}, upc FROM ("
            f" SELECT o.id, o.buyer_id, o.buyer_username, o.status, o.created_at, o.payment_last4,"
            "  l.product_upc AS upc,"
            "  ROW_NUMBER() OVER (PARTITION BY l.product_upc ORDER BY o.id DESC) AS rn"
            " FROM order_lines AS l JOIN orders AS o ON o.id = l.order_id"
            f" WHERE l.product_upc IN ({placeholders(len(upcs))})"
            ") WHERE rn <= ? ORDER BY upc, id DESC",
            [*upcs, limit],
        ).fetchall()
        for row in rows:
            grouped[row["upc"]].append(_order(row))
        return grouped

    def list_orders(self, page: PageRequest, status: str | None) -> list[OrderRow]:
        """Up to ``page.limit + 1`` orders after the cursor key, optionally with one status."""
        if status is None:
            sql = f"SELECT {_ORDER_COLUMNS} FROM orders WHERE id > ? ORDER BY id LIMIT ?"
            params: tuple[object, ...] = (page.after_key, page.limit + 1)
        else:
            sql = f"SELECT {_ORDER_COLUMNS} FROM orders WHERE status = ? AND id > ? ORDER BY id LIMIT ?"
            params = (status, page.after_key, page.limit + 1)
        return [_order(row) for row in self.connection.execute(sql, params).fetchall()]

    # -- lookups for mutation validation -------------------------------------------------------------

    def customer_username(self, customer_id: int) -> str | None:
        """The username recorded for ``customer_id``, or ``None`` if no such customer."""
        row = self.connection.execute(
            "SELECT username FROM customers WHERE id = ?", (customer_id,)
        ).fetchone()
        return row[0] if row is not None else None

    def catalog_entries(self, upcs: Sequence[str]) -> dict[str, CatalogEntry]:
        """Price and availability of the given products."""
        if not upcs:
            return {}
        rows = self.connection.execute(
            f"SELECT upc, price_cents, in_stock FROM catalog WHERE upc IN ({placeholders(len(upcs))})",
            list(upcs),
        ).fetchall()
        return {row[0]: CatalogEntry(row[0], row[1], bool(row[2])) for row in rows}

    # -- writes -----------------------------------------------------------------------------------------

    def create_order(
        self,
        buyer_id: int,
        buyer_username: str,
        lines: Sequence[NewLine],
        payment_last4: str,
        created_at: str,
    ) -> int:
        """Insert an order and its lines atomically; returns the new order id."""
        with transaction(self.connection) as c:
            cursor = c.execute(
                "INSERT INTO orders (buyer_id, buyer_username, status, created_at, payment_last4) "
                "VALUES (?, ?, 'PENDING', ?, ?)",
                (buyer_id, buyer_username, created_at, payment_last4),
            )
            order_id = cursor.lastrowid
            assert order_id is not None
            c.executemany(
                "INSERT INTO order_lines (order_id, position, product_upc, gift_card_cents, quantity, "
                "unit_price_cents) VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        order_id,
                        position,
                        line.product_upc,
                        line.gift_card_cents,
                        line.quantity,
                        line.unit_price_cents,
                    )
                    for position, line in enumerate(lines)
                ],
            )
        return order_id

    def cancel_order(self, order_id: int) -> bool:
        """Mark the order cancelled if its status allows it; ``False`` if it does not (or no such order)."""
        cursor = self.connection.execute(
            "UPDATE orders SET status = 'CANCELLED'"
            f" WHERE id = ? AND status IN ({placeholders(len(CANCELLABLE))})",
            (order_id, *CANCELLABLE),
        )
        return cursor.rowcount == 1

    def close(self) -> None:
        """Close the connection (on application cleanup)."""
        self.connection.close()
