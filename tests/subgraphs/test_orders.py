"""The orders subgraph over real HTTP: orders, contributed fields, @requires, mutations, persistence."""

from __future__ import annotations

import math

from subgraphs.common import fixtures
from subgraphs.common.pagination import encode_cursor
from subgraphs.orders.app import create_app as create_orders

ORDER_FIELDS = """
  id status createdAt paymentLast4 buyer { id username }
  total { amount currency }
  items {
    quantity unitPrice { amount } subtotal { amount }
    product { upc }
    item { __typename ... on Product { upc } ... on GiftCard { id amount { amount } } }
  }
"""

ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { %s } }"
CREATE = f"mutation($input: CreateOrderInput!) {{ createOrder(input: $input) {{ {ORDER_FIELDS} }} }}"
CANCEL = "mutation($id: ID!) { cancelOrder(id: $id) { id status } }"


def _in_stock(count: int) -> list[fixtures.ProductSeed]:
    return [p for p in fixtures.products() if p.in_stock][:count]


async def test_order_matches_seed_including_union_lines(orders):
    seed = next(o for o in fixtures.orders() if any(line.gift_card_cents for line in o.lines))
    order = (await orders.data(f'{{ order(id: "{seed.id}") {{ {ORDER_FIELDS} }} }}'))["order"]
    assert order["status"] == seed.status
    assert order["buyer"] == {
        "id": str(seed.buyer_id),
        "username": fixtures.users()[seed.buyer_id - 1].username,
    }
    assert order["total"]["amount"] == sum(line.quantity * line.unit_price_cents for line in seed.lines)
    typenames = [item["item"]["__typename"] for item in order["items"]]
    assert typenames == ["GiftCard" if line.gift_card_cents else "Product" for line in seed.lines]
    for item, line in zip(order["items"], seed.lines):
        assert item["subtotal"]["amount"] == line.quantity * line.unit_price_cents
        if line.product_upc is None:
            assert item["product"] is None
            assert item["item"]["amount"]["amount"] == line.gift_card_cents
        else:
            assert item["product"] == {"upc": line.product_upc} == {"upc": item["item"]["upc"]}


async def test_orders_list_filters_by_status(orders):
    data = await orders.data("{ orders(first: 100, status: CANCELLED) { edges { node { id status } } } }")
    expected = [str(o.id) for o in fixtures.orders() if o.status == "CANCELLED"][:100]
    assert [e["node"]["id"] for e in data["orders"]["edges"]] == expected
    assert {e["node"]["status"] for e in data["orders"]["edges"]} == {"CANCELLED"}


async def test_user_entity_gets_orders_and_live_order_count(orders):
    query = """query($r: [_Any!]!) { _entities(representations: $r) { ... on User {
        id orderCount orders(first: 3) { edges { node { id } } pageInfo { hasNextPage endCursor } }
    } } }"""
    reps = [
        {"__typename": "User", "id": "4"},
        {"__typename": "User", "id": "5"},
        {"__typename": "User", "id": "777"},
    ]
    entities = (await orders.data(query, {"r": reps}))["_entities"]
    for entity in entities:
        mine = [str(o.id) for o in fixtures.orders() if str(o.buyer_id) == entity["id"]]
        assert entity["orderCount"] == len(mine)
        assert [e["node"]["id"] for e in entity["orders"]["edges"]] == mine[:3]
        assert entity["orders"]["pageInfo"]["hasNextPage"] is (len(mine) > 3)
    assert entities[2] == {
        "id": "777",
        "orderCount": 0,
        "orders": {"edges": [], "pageInfo": {"hasNextPage": False, "endCursor": None}},
    }

    # The second page continues where the first ended.
    cursor = entities[0]["orders"]["pageInfo"]["endCursor"]
    page2 = await orders.data(
        "query($r: [_Any!]!, $after: String) { _entities(representations: $r) {"
        " ... on User { orders(first: 3, after: $after) { edges { node { id } } } } } }",
        {"r": reps[:1], "after": cursor},
    )
    mine = [str(o.id) for o in fixtures.orders() if o.buyer_id == 4]
    assert [e["node"]["id"] for e in page2["_entities"][0]["orders"]["edges"]] == mine[3:6]


async def test_shipping_estimate_uses_required_fields(orders):
    light, heavy_cheap, expensive = (
        {"__typename": "Product", "upc": "1", "weightGrams": 400, "price": {"amount": 1999}},
        {"__typename": "Product", "upc": "2", "weightGrams": 2600, "price": {"amount": 4999}},
        {"__typename": "Product", "upc": "3", "weightGrams": 9000, "price": {"amount": 25000}},
    )
    data = await orders.data(
        ENTITIES % "... on Product { upc shippingEstimate { amount currency } }",
        {"r": [light, heavy_cheap, expensive]},
    )
    amounts = [e["shippingEstimate"]["amount"] for e in data["_entities"]]
    assert amounts == [499 + 150, 499 + math.ceil(2600 / 500) * 150, 0]


async def test_shipping_estimate_without_required_fields_is_an_error(orders):
    result = await orders.post(
        ENTITIES % "... on Product { shippingEstimate { amount } }",
        {"r": [{"__typename": "Product", "upc": "1"}]},
    )
    assert result["errors"][0]["path"] == ["_entities", 0, "shippingEstimate"]


async def test_product_entity_sales_fields(orders):
    upc = next(line.product_upc for o in fixtures.orders() for line in o.lines if line.product_upc)
    containing = [o for o in fixtures.orders() if any(line.product_upc == upc for line in o.lines)]
    sold = sum(
        line.quantity
        for o in containing
        if o.status != "CANCELLED"
        for line in o.lines
        if line.product_upc == upc
    )
    data = await orders.data(
        ENTITIES % "... on Product { unitsSold recentOrders(first: 2) { id } }",
        {"r": [{"__typename": "Product", "upc": upc}]},
    )
    entity = data["_entities"][0]
    assert entity["unitsSold"] == sold
    assert [o["id"] for o in entity["recentOrders"]] == [
        str(o.id) for o in sorted(containing, key=lambda o: -o.id)[:2]
    ]


async def test_create_order_persists_and_cancel(orders):
    p1, p2 = _in_stock(2)
    variables = {
        "input": {
            "buyerId": "12",
            "paymentLast4": "4242",
            "items": [
                {"productUpc": p1.upc, "quantity": 2},
                {"giftCardAmount": 2500},
                {"productUpc": p2.upc},
            ],
        }
    }
    created = (await orders.data(CREATE, variables))["createOrder"]
    assert created["status"] == "PENDING"
    assert created["buyer"] == {"id": "12", "username": fixtures.users()[11].username}
    assert created["total"]["amount"] == 2 * p1.price_cents + 2500 + p2.price_cents
    assert int(created["id"]) == fixtures.ORDER_COUNT + 1

    # A separate request sees it, and the buyer's order count includes it.
    again = (await orders.data(f'{{ order(id: "{created["id"]}") {{ {ORDER_FIELDS} }} }}'))["order"]
    assert again == created
    count = await orders.data(
        '{ _entities(representations: [{__typename: "User", id: "12"}]) { ... on User { orderCount } } }'
    )
    assert count["_entities"][0]["orderCount"] == sum(1 for o in fixtures.orders() if o.buyer_id == 12) + 1

    cancelled = (await orders.data(CANCEL, {"id": created["id"]}))["cancelOrder"]
    assert cancelled == {"id": created["id"], "status": "CANCELLED"}
    second = await orders.post(CANCEL, {"id": created["id"]})
    assert second["data"] is None
    assert second["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "CANCELLED" in second["errors"][0]["message"]


async def test_create_order_takes_buyer_from_header(orders):
    (product,) = _in_stock(1)
    variables = {"input": {"paymentLast4": "0001", "items": [{"productUpc": product.upc}]}}
    created = (await orders.data(CREATE, variables, **{"x-user-id": "9"}))["createOrder"]
    assert created["buyer"]["id"] == "9"
    mismatch = await orders.post(
        CREATE, {"input": {**variables["input"], "buyerId": "8"}}, **{"x-user-id": "9"}
    )
    assert mismatch["errors"][0]["extensions"]["problems"] == [
        {"path": "input.buyerId", "message": "must be the signed-in user"}
    ]


async def test_create_order_validation_lists_every_problem(orders):
    out_of_stock = next(p for p in fixtures.products() if not p.in_stock)
    (ok,) = _in_stock(1)
    variables = {
        "input": {
            "buyerId": "4242",
            "paymentLast4": "12a4",
            "items": [
                {"productUpc": "nope", "quantity": 1},
                {"productUpc": out_of_stock.upc},
                {"productUpc": ok.upc, "quantity": 0},
                {"productUpc": ok.upc, "giftCardAmount": 1000},
                {"giftCardAmount": 100},
                {},
            ],
        }
    }
    result = await orders.post(CREATE, variables)
    assert result["data"] is None
    (error,) = result["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["path"] == ["createOrder"]
    paths = [p["path"] for p in error["extensions"]["problems"]]
    assert paths == [
        "input.buyerId",
        "input.items[0].productUpc",
        "input.items[1].productUpc",
        "input.items[2].quantity",
        "input.items[3]",
        "input.items[4].giftCardAmount",
        "input.items[5]",
        "input.paymentLast4",
    ]
    # Nothing was written.
    data = await orders.data(
        "query($after: String) { orders(first: 1, after: $after) { edges { node { id } } } }",
        {"after": encode_cursor("Order", fixtures.ORDER_COUNT)},
    )
    assert data["orders"]["edges"] == []


async def test_empty_order_and_unknown_cancel_are_user_errors(orders):
    empty = await orders.post(CREATE, {"input": {"buyerId": "1", "paymentLast4": "1234", "items": []}})
    assert empty["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    for order_id in ("999999", "abc"):
        result = await orders.post(CANCEL, {"id": order_id})
        assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    delivered = next(o for o in fixtures.orders() if o.status == "DELIVERED")
    result = await orders.post(CANCEL, {"id": str(delivered.id)})
    assert "DELIVERED" in result["errors"][0]["message"]


async def test_file_database_persists_across_restarts(start, tmp_path):
    db_path = str(tmp_path / "orders.sqlite")
    (product,) = _in_stock(1)
    first = await start(create_orders, db_path)
    created = (
        await first.data(
            CREATE,
            {"input": {"buyerId": "2", "paymentLast4": "9999", "items": [{"productUpc": product.upc}]}},
        )
    )["createOrder"]
    await first.data(CANCEL, {"id": created["id"]})

    # A second, independent app on the same file (as after a restart) sees the write and does not reseed.
    second = await start(create_orders, db_path)
    order = (await second.data(f'{{ order(id: "{created["id"]}") {{ id status paymentLast4 }} }}'))["order"]
    assert order == {"id": created["id"], "status": "CANCELLED", "paymentLast4": "9999"}
    total = await second.data(
        "query($after: String) { orders(first: 1, after: $after) { edges { node { id } } } }",
        {"after": encode_cursor("Order", fixtures.ORDER_COUNT + 1)},
    )
    assert total["orders"]["edges"] == []  # exactly ORDER_COUNT + 1 orders: no duplicate seed
