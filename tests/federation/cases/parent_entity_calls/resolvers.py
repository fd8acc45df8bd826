"""Data for the ``parent_entity_calls`` case: fields that can only be reached by going back to the parent
entity in another subgraph, because the key needed for the next jump is only known there.

Why: catalog returns ``Product { id }``; ``Category.details`` exists only under ``Product.category`` in shelf
(a value type there), ``Brand``'s key only comes from shelf's ``Product.brand``, and warehouse knows products
only by the compound key ``sku region`` that shelf maps from ``id`` (so do logistics, which adds a field to
warehouse's ``bins`` value objects, and vendors, which resolves entities found two value levels below a
product in shelf). Each such field needs an entity fetch of the *parent* product (not of the child), and the
fetches must be chained in order: catalog -> shelf -> warehouse/logistics/vendors.
"""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

CATEGORIES: dict[str, dict[str, Any]] = {
    "c1": {
        "id": "c1",
        "name": "Kitchen",
        "details": {"productCount": 2, "blurb": "Pots and pans", "curator": {"id": "u1"}},
    },
    "c2": {
        "id": "c2",
        "name": "Lighting",
        "details": {"productCount": 1, "blurb": "Bright ideas", "curator": None},
    },
}
BRANDS: dict[str, dict[str, Any]] = {
    "b1": {"id": "b1", "name": "Acme", "country": "DE", "flagship": "p1"},
    "b2": {"id": "b2", "name": "Lumo", "country": "SE", "flagship": "p2"},
}
CURATORS: list[dict[str, Any]] = [{"id": "u1", "handle": "@chef"}]
# Temperature per (sku, region, aisle), known only to logistics.
TEMPERATURES: dict[tuple[str, str, str], int] = {
    ("K-1", "EU", "A1"): 18,
    ("K-1", "EU", "A2"): 19,
    ("K-1", "US", "B3"): 21,
    ("F-3", "EU", "A1"): 17,
}
SUPPLIERS: dict[str, dict[str, Any]] = {
    "s1": {"code": "s1", "name": "Forge Ltd", "rating": 4},
    "s2": {"code": "s2", "name": "Clay Co", "rating": 5},
}
# One source of truth; each subgraph gets its own projection below.
PRODUCTS: list[dict[str, Any]] = [
    {
        "id": "p1",
        "name": "Kettle",
        "category": "c1",
        "brand": "b1",
        "tags": [("hot", 3), ("steel", 5)],
        "sku": "K-1",
        "region": "EU",
        "stock": 12,
        "supplier": "s1",
        "bins": [("A1", 8), ("A2", 4)],
    },
    {
        "id": "p2",
        "name": "Lamp",
        "category": "c2",
        "brand": "b2",
        "tags": [],
        "sku": "L-7",
        "region": "US",
        "stock": 0,
        "supplier": None,
        "bins": [],
    },
    {
        # Same sku as p1 in another region: only the whole compound key identifies it.
        "id": "p3",
        "name": "Mug",
        "category": None,
        "brand": "b1",
        "tags": [("ceramic", 2)],
        "sku": "K-1",
        "region": "US",
        "stock": 40,
        "supplier": "s2",
        "bins": [("B3", 40)],
    },
    {
        "id": "p4",
        "name": "Fan",
        "category": "c1",
        "brand": None,
        "tags": [("cool", 1)],
        "sku": "F-3",
        "region": "EU",
        "stock": 5,
        "supplier": "s1",
        "bins": [("A1", 5)],
    },
]


def _catalog(p: dict[str, Any]) -> dict[str, Any]:
    category = CATEGORIES.get(p["category"] or "")
    brand = BRANDS.get(p["brand"] or "")
    return {
        "id": p["id"],
        "name": p["name"],
        "category": {"id": category["id"], "name": category["name"]} if category else None,
        "brand": {"name": brand["name"]} if brand else None,
        "tags": [{"label": label} for label, _ in p["tags"]],
    }


def _shelf(p: dict[str, Any]) -> dict[str, Any]:
    category = CATEGORIES.get(p["category"] or "")
    brand = BRANDS.get(p["brand"] or "")
    return {
        "id": p["id"],
        "sku": p["sku"],
        "region": p["region"],
        "category": {"details": dict(category["details"])} if category else None,
        "brand": {"id": brand["id"], "name": brand["name"]} if brand else None,
        "tags": [{"label": label, "weight": weight} for label, weight in p["tags"]],
    }


def _warehouse(p: dict[str, Any]) -> dict[str, Any]:
    supplier = SUPPLIERS.get(p["supplier"] or "")
    return {
        "sku": p["sku"],
        "region": p["region"],
        "stock": p["stock"],
        "supplier": {"code": supplier["code"], "name": supplier["name"]} if supplier else None,
        "bins": [{"aisle": aisle, "count": count} for aisle, count in p["bins"]],
    }


def _logistics(p: dict[str, Any]) -> dict[str, Any]:
    return {
        "sku": p["sku"],
        "region": p["region"],
        "bins": [
            {"aisle": aisle, "temperature": TEMPERATURES[(p["sku"], p["region"], aisle)]}
            for aisle, _ in p["bins"]
        ],
    }


def build() -> dict[str, Resolvers]:
    catalog = [_catalog(p) for p in PRODUCTS]
    by_id = {p["id"]: p for p in catalog}
    return {
        "catalog": Resolvers(
            records={
                "Product": catalog,
                "Category": [{"id": c["id"], "name": c["name"]} for c in CATEGORIES.values()],
            },
            fields={
                "Query.products": lambda _o, _i: catalog,
                "Query.product": lambda _o, _i, id: by_id.get(id),
            },
        ),
        "shelf": Resolvers(
            records={
                "Product": [_shelf(p) for p in PRODUCTS],
                "Brand": [{"id": b["id"], "name": b["name"]} for b in BRANDS.values()],
            }
        ),
        "warehouse": Resolvers(
            records={
                "Product": [_warehouse(p) for p in PRODUCTS],
                "Supplier": [{"code": s["code"], "name": s["name"]} for s in SUPPLIERS.values()],
            }
        ),
        "vendors": Resolvers(
            records={
                "Brand": [
                    {"id": b["id"], "country": b["country"], "flagship": {"id": b["flagship"]}}
                    for b in BRANDS.values()
                ],
                "Supplier": [{"code": s["code"], "rating": s["rating"]} for s in SUPPLIERS.values()],
                "Curator": CURATORS,
            }
        ),
        "logistics": Resolvers(records={"Product": [_logistics(p) for p in PRODUCTS]}),
    }
