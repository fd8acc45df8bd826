"""Data for the ``from_context`` case: an argument filled from an ancestor's field (@context/@fromContext)."""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

CUSTOMERS: list[dict[str, Any]] = [
    {"id": "c1", "name": "Ada", "currency": "EUR", "orders": [{"id": "o1"}, {"id": "o2"}], "tier": "gold"},
    {"id": "c2", "name": "Alan", "currency": "GBP", "orders": [{"id": "o3"}], "tier": None},
    {"id": "c3", "name": "Grace", "currency": "EUR", "orders": [], "tier": "silver"},
]
AMOUNTS = {"o1": 10, "o2": 25, "o3": 7}


def _total(order: dict[str, Any], _info: Any, currency: str | None = None) -> str:
    return f"{AMOUNTS[order['id']]} {currency or '???'}"


def build() -> dict[str, Resolvers]:
    return {
        "shop": Resolvers(
            records={"Customer": CUSTOMERS, "Order": [{"id": k} for k in AMOUNTS]},
            fields={"Query.customers": lambda _o, _i: CUSTOMERS, "Order.total": _total},
        ),
        "profiles": Resolvers(records={"Customer": CUSTOMERS}),
    }
