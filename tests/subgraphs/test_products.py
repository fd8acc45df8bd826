"""The products subgraph over real HTTP: both entity keys, catalog queries, errors."""

from __future__ import annotations

from subgraphs.common import fixtures

PRODUCT_FIELDS = "upc sku title price { amount currency } weightGrams inStock"


async def test_product_by_either_key(products):
    seed = fixtures.products()[10]
    by_upc = await products.data(f'{{ product(upc: "{seed.upc}") {{ {PRODUCT_FIELDS} }} }}')
    by_sku = await products.data(f'{{ product(sku: "{seed.sku}") {{ {PRODUCT_FIELDS} }} }}')
    assert by_upc == by_sku
    assert by_upc["product"] == {
        "upc": seed.upc,
        "sku": seed.sku,
        "title": seed.title,
        "price": {"amount": seed.price_cents, "currency": "USD"},
        "weightGrams": seed.weight_grams,
        "inStock": seed.in_stock,
    }


async def test_product_needs_exactly_one_key(products):
    for args in ("", 'upc: "1", sku: "2"'):
        query = f"{{ product({args}) {{ upc }} }}" if args else "{ product { upc } }"
        result = await products.post(query)
        assert result["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
        assert result["data"] == {"product": None}


async def test_entities_by_both_keys_in_one_call(products):
    a, b, c = fixtures.products()[0], fixtures.products()[1], fixtures.products()[2]
    reps = [
        {"__typename": "Product", "upc": a.upc},
        {"__typename": "Product", "sku": b.sku},
        {"__typename": "Product", "upc": "000000000000"},
        {"__typename": "Product", "sku": c.sku},
        {"__typename": "Product", "upc": c.upc},
    ]
    data = await products.data(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { upc sku title } } }",
        {"r": reps},
    )
    got = [None if e is None else (e["upc"], e["sku"]) for e in data["_entities"]]
    assert got == [(a.upc, a.sku), (b.upc, b.sku), None, (c.upc, c.sku), (c.upc, c.sku)]


async def test_category_pagination_and_inaccessible_cost(products):
    kitchen = [p for p in fixtures.products() if p.category == "kitchen"]
    query = """query($after: String) {
      products(first: 25, after: $after, category: "kitchen") {
        edges { node { upc category cost { amount } } } pageInfo { hasNextPage endCursor }
      }
    }"""
    first = (await products.data(query))["products"]
    second = (await products.data(query, {"after": first["pageInfo"]["endCursor"]}))["products"]
    nodes = [e["node"] for e in first["edges"] + second["edges"]]
    assert [n["upc"] for n in nodes] == [p.upc for p in kitchen][: len(nodes)]
    assert len(nodes) == min(50, len(kitchen))
    assert all(n["category"] == "kitchen" for n in nodes)
    # @inaccessible hides a field from the gateway's API, not from the subgraph itself.
    assert nodes[0]["cost"]["amount"] == kitchen[0].cost_cents


async def test_top_products_are_in_stock_and_sorted(products):
    top = (await products.data("{ topProducts(first: 8) { price { amount } inStock } }"))["topProducts"]
    assert len(top) == 8
    prices = [p["price"]["amount"] for p in top]
    assert prices == sorted(prices, reverse=True)
    assert all(p["inStock"] for p in top)
    expected = sorted((p.price_cents for p in fixtures.products() if p.in_stock), reverse=True)[:8]
    assert prices == expected


async def test_service_sdl_has_two_keys(products):
    sdl = (await products.data("{ _service { sdl } }"))["_service"]["sdl"]
    assert 'type Product @key(fields: "upc") @key(fields: "sku")' in sdl
    assert "type Money @shareable" in sdl
    assert "cost: Money! @inaccessible" in sdl
