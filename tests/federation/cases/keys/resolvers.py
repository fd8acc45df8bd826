"""Data for the ``keys`` case: several keys, compound and nested keys, resolvable: false, null key values."""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

PRODUCTS: list[dict[str, Any]] = [
    {"upc": "p1", "sku": "TBL", "variant": {"id": "oak"}, "name": "Table", "vendor": {"id": "v1"}},
    {"upc": "p2", "sku": "TBL", "variant": {"id": "pine"}, "name": "Pine table", "vendor": {"id": "v2"}},
    {"upc": "p3", "sku": "CHR", "variant": {"id": "oak"}, "name": "Chair", "vendor": {"id": None}},
    {"upc": "p4", "sku": "LMP", "variant": {"id": "red"}, "name": "Lamp", "vendor": None},
]

PRICES: list[dict[str, Any]] = [
    {"sku": "TBL", "variant": {"id": "oak"}, "price": 300, "currency": "EUR"},
    {"sku": "TBL", "variant": {"id": "pine"}, "price": 120, "currency": "EUR"},
    {"sku": "CHR", "variant": {"id": "oak"}, "price": 80, "currency": "USD"},
    # No price for the red lamp: the entity lookup returns null for it.
]

STOCK: list[dict[str, Any]] = [
    {"upc": "p1", "inStock": True, "warehouse": {"city": "Lyon", "code": 1}},
    {"upc": "p2", "inStock": False, "warehouse": {"city": "Lyon", "code": 2}},
    {"upc": "p3", "inStock": True, "warehouse": {"city": "Porto", "code": 1}},
    {"upc": "p4", "inStock": True, "warehouse": None},
]

VENDORS: list[dict[str, Any]] = [
    {"id": "v1", "name": "Oakworks", "country": "FR"},
    {"id": "v2", "name": "Pineland", "country": None},
]

WAREHOUSES: list[dict[str, Any]] = [
    {"id": "w1", "city": "Lyon", "code": 1, "manager": "Ines"},
    {"id": "w2", "city": "Lyon", "code": 2, "manager": "Marc"},
    {"id": "w3", "city": "Porto", "code": 1, "manager": None},
]

ORGS: list[dict[str, Any]] = [{"id": "o1", "name": "North"}, {"id": "o2", "name": "South"}]

ACCOUNTS: list[dict[str, Any]] = [
    {"number": "100", "org": {"id": "o1"}, "balance": 10},
    {"number": "100", "org": {"id": "o2"}, "balance": 20},
    {"number": "200", "org": {"id": "o1"}, "balance": 30},
]


def build() -> dict[str, Resolvers]:
    return {
        "catalog": Resolvers(
            records={"Product": PRODUCTS},
            fields={
                "Query.products": lambda _o, _i: PRODUCTS,
                "Query.product": lambda _o, _i, upc: next((p for p in PRODUCTS if p["upc"] == upc), None),
            },
        ),
        "pricing": Resolvers(records={"Product": PRICES}),
        "billing": Resolvers(records={"Account": ACCOUNTS}),
        "stock": Resolvers(
            records={"Product": STOCK, "Warehouse": [{"city": "Lyon", "code": 1, "capacity": 500}]}
        ),
        "vendors": Resolvers(
            records={"Vendor": VENDORS, "Warehouse": WAREHOUSES, "Org": ORGS},
            fields={
                "Query.vendors": lambda _o, _i: VENDORS,
                "Query.accounts": lambda _o, _i: [
                    {"number": a["number"], "org": next(o for o in ORGS if o["id"] == a["org"]["id"])}
                    for a in ACCOUNTS
                ],
            },
        ),
    }
