"""Data for the ``api_schema_introspection`` case: the API schema as clients see it through introspection.

Why: tools (codegen, IDEs) read the gateway's schema through introspection; it must be the supergraph's API
schema (no join/link machinery, no @inaccessible elements, descriptions, deprecations, default values,
``@specifiedBy``, interfaces implementing interfaces) in the supergraph's order.
"""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

PRODUCTS: list[dict[str, Any]] = [
    {
        "__typename": "Product",
        "id": "p1",
        "name": "Hammer",
        "price": {"amount": 1200, "currency": "EUR"},
        "category": "TOOLS",
        "oldName": None,
        "internalCode": "X1",
        "variants": [],
    }
]


def build() -> dict[str, Resolvers]:
    return {
        "catalog": Resolvers(
            records={"Product": PRODUCTS},
            fields={"Query.products": lambda _o, _i, **_kw: PRODUCTS},
        ),
        "reviews": Resolvers(
            fields={"Product.reviews": lambda _p, _i, minStars: [{"stars": 5, "text": "Solid"}]}
        ),
    }
