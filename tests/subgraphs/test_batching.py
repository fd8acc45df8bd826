"""Proof that entity resolution is batched: a 100-representation ``_entities`` call costs one SQL query.

Statements are counted with sqlite3's trace callback on the app's own connection, over a real HTTP request.
"""

from __future__ import annotations

from subgraphs.common import fixtures

from .conftest import SqlLog

ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { %s } }"


async def test_hundred_products_by_upc_cost_one_select(products):
    seeds = fixtures.products()[:100]
    reps = [{"__typename": "Product", "upc": p.upc} for p in seeds]
    with SqlLog(products, "products") as log:
        data = await products.data(ENTITIES % "... on Product { upc title price { amount } }", {"r": reps})
    assert [e["upc"] for e in data["_entities"]] == [p.upc for p in seeds]
    assert len(log.selects) == 1, log.selects
    assert "upc IN (" in log.selects[0]


async def test_mixed_keys_cost_one_select_per_key(products):
    seeds = fixtures.products()[100:200]
    reps = [
        {"__typename": "Product", "upc": p.upc} if i % 2 else {"__typename": "Product", "sku": p.sku}
        for i, p in enumerate(seeds)
    ]
    with SqlLog(products, "products") as log:
        data = await products.data(ENTITIES % "... on Product { upc sku }", {"r": reps})
    assert [e["sku"] for e in data["_entities"]] == [p.sku for p in seeds]
    assert len(log.selects) == 2, log.selects


async def test_hundred_users_cost_one_select(users):
    reps = [{"__typename": "User", "id": str(1 + i % fixtures.USER_COUNT)} for i in range(100)]
    with SqlLog(users, "users") as log:
        data = await users.data(ENTITIES % "... on User { id username }", {"r": reps})
    assert [e["id"] for e in data["_entities"]] == [r["id"] for r in reps]
    assert len(log.selects) == 1, log.selects


async def test_hundred_orders_with_lines_cost_two_selects(orders):
    reps = [{"__typename": "Order", "id": str(i)} for i in range(1, 101)]
    with SqlLog(orders, "orders") as log:
        data = await orders.data(
            ENTITIES % "... on Order { id total { amount } items { quantity product { upc } } }", {"r": reps}
        )
    assert [e["id"] for e in data["_entities"]] == [str(i) for i in range(1, 101)]
    assert all(e["items"] for e in data["_entities"])
    # One query for the orders, one for all their lines (shared by `items` and `total`).
    assert len(log.selects) == 2, log.selects


async def test_hundred_users_with_order_pages_cost_constant_selects(orders):
    reps = [{"__typename": "User", "id": str(1 + i % fixtures.USER_COUNT)} for i in range(100)]
    with SqlLog(orders, "orders") as log:
        data = await orders.data(
            ENTITIES
            % "... on User { id orderCount orders(first: 2) { edges { node { id total { amount } } } } }",
            {"r": reps},
        )
    assert len(data["_entities"]) == 100
    # orderCount, the windowed page of orders, and the lines behind `total`: three queries, not 300.
    assert len(log.selects) == 3, log.selects


async def test_loaders_do_not_leak_between_requests(products):
    """A fresh loader per request: the second request queries again instead of reusing a cache."""
    reps = [{"__typename": "Product", "upc": fixtures.products()[0].upc}]
    with SqlLog(products, "products") as log:
        await products.data(ENTITIES % "... on Product { upc }", {"r": reps})
        await products.data(ENTITIES % "... on Product { upc }", {"r": reps})
    assert len(log.selects) == 2
