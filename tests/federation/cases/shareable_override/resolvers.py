"""Data for the ``shareable_override`` case: shared root fields, @override (plain, percent(0), percent(100)),
value types shared with different fields, and @inaccessible fields, types, enum values and arguments.

The two subgraphs deliberately disagree on overridden fields (legacy answers price 1000+, modern 2000+), so a
response shows which subgraph a gateway asked; shareable fields agree, as they must.
"""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

IDS = ["1", "2", "3"]
NAMES = {"1": "Kettle", "2": "Toaster", "3": "Mixer"}


def _legacy(pid: str) -> dict[str, Any]:
    n = int(pid)
    return {
        "id": pid,
        "name": NAMES[pid],
        "price": 1000 + n,
        "stock": 10 + n,
        "rating": 1,
        "listPrice": {"amount": 50 * n},
    }


def _modern(pid: str) -> dict[str, Any]:
    n = int(pid)
    return {
        "id": pid,
        "name": NAMES[pid],
        "price": 2000 + n,
        "stock": 20 + n,
        "rating": 5,
        "listPrice": {"amount": 50 * n, "currency": "EUR"},
        "internalCode": f"X-{pid}",
        "color": ["RED", "GREEN", "RED"][n - 1],
    }


def _discounted(product: dict[str, Any], _info: Any, by: int, audit: bool | None = None) -> int:
    return int(product["price"] - by)


def build() -> dict[str, Resolvers]:
    legacy = [_legacy(p) for p in IDS]
    modern = [_modern(p) for p in IDS]
    return {
        "legacy": Resolvers(
            records={"Product": legacy},
            fields={
                "Query.products": lambda _o, _i: legacy,
                "Query.shop": lambda _o, _i: {"name": "Corner shop"},
            },
        ),
        "modern": Resolvers(
            records={"Product": modern},
            fields={
                "Query.products": lambda _o, _i: modern,
                "Query.shop": lambda _o, _i: {"name": "Corner shop"},
                "Query.colors": lambda _o, _i: ["GREEN", "INTERNAL", "RED"],
                "Product.discounted": _discounted,
            },
        ),
    }
