"""Data for the ``abstract_types_edge`` case: type conditions a subgraph cannot accept as written.

Why: ``Node`` exists in shop and reviews but not in inventory, and each subgraph knows different
implementations; the gateway has to rewrite ``... on Node`` and ``... on Category`` for each subgraph it sends
them to, and merge same-named aliases that come from different subgraphs for different concrete types.
"""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

PRODUCTS: list[dict[str, Any]] = [
    {"__typename": "Product", "id": "p1", "name": "Lamp"},
    {"__typename": "Product", "id": "p2", "name": "Desk"},
    {"__typename": "Product", "id": "p3", "name": "Rug"},
]
STOCK: list[dict[str, Any]] = [
    {"__typename": "Product", "id": "p1", "stock": 0},
    {"__typename": "Product", "id": "p2", "stock": 12},
    {"__typename": "Product", "id": "p3", "stock": 2},
]
CATEGORIES: list[dict[str, Any]] = [{"__typename": "Category", "id": "c1", "title": "Furniture"}]
RELATED: dict[str, list[dict[str, Any]]] = {
    "p1": [{"__typename": "Product", "id": "p2"}, {"__typename": "Review", "id": "r1", "body": "Bright"}],
    "p2": [],
    "p3": [{"__typename": "Review", "id": "r2", "body": "Soft"}, {"__typename": "Product", "id": "p1"}],
}


def build() -> dict[str, Resolvers]:
    nodes = {n["id"]: n for n in PRODUCTS + CATEGORIES}
    return {
        "shop": Resolvers(
            records={"Product": PRODUCTS},
            fields={
                "Query.topProducts": lambda _o, _i: PRODUCTS[:2],
                "Query.search": lambda _o, _i: [PRODUCTS[2], CATEGORIES[0], PRODUCTS[0]],
                "Query.node": lambda _o, _i, id: nodes.get(id),
            },
        ),
        "inventory": Resolvers(
            records={"Product": STOCK},
            fields={
                "Query.lowStock": lambda _o, _i: [s for s in STOCK if s["stock"] < 5],
                "Query.featured": lambda _o, _i: [
                    {"__typename": "Banner", "text": "Sale!", "priority": 1},
                    STOCK[1],
                    {"__typename": "Banner", "text": "New", "priority": 2},
                ],
            },
        ),
        "reviews": Resolvers(
            fields={"Product.related": lambda product, _i: RELATED[product["id"]]},
        ),
    }
