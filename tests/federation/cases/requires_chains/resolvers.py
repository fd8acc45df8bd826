"""Data for the ``requires_chains`` case: @requires across three and four subgraphs.

Why: required data that lives on *another* entity (the order's customer), in a list of value objects, behind
a field that itself has a @requires, or in a @shareable field two subgraphs can resolve, forces the planner to
order fetches across subgraphs and build nested representations. Every computed field raises when its
required data is missing from the representation, so a gateway that skips a dependency gets an error.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.support.subgraph_schema import Resolvers

ORDERS: list[dict[str, Any]] = [
    {
        "id": "o1",
        "status": "PAID",
        "items": [{"sku": "a", "quantity": 2}, {"sku": "b", "quantity": 1}],
        "customer": {"id": "c1"},
    },
    {"id": "o2", "status": "OPEN", "items": [], "customer": {"id": "c2"}},
    {"id": "o3", "status": "OPEN", "items": [{"sku": "c", "quantity": 5}], "customer": {"id": "c3"}},
]

CUSTOMERS: list[dict[str, Any]] = [
    {
        "id": "c1",
        "name": "Ada",
        "tier": "GOLD",
        "address": {"country": "UK", "city": "London"},
        "email": "ada@example.com",
    },
    {
        "id": "c2",
        "name": "Alan",
        "tier": "SILVER",
        "address": {"country": "US", "city": "Boston"},
        "email": "alan@example.com",
    },
    {"id": "c3", "name": "Grace", "tier": "GOLD", "address": None, "email": "grace@example.com"},
]

CRM: list[dict[str, Any]] = [
    {"id": "c1", "email": "ada@example.com", "phone": "+44 1"},
    {"id": "c2", "email": "alan@example.com", "phone": None},
    {"id": "c3", "email": "grace@example.com", "phone": "+1 3"},
]

SKU_WEIGHT = {"a": 10, "b": 3, "c": 1}


def _required(obj: dict[str, Any], *path: str) -> Any:
    """The value at ``path`` in a representation; an error when the gateway did not send it."""
    value: Any = obj
    for name in path:
        if not isinstance(value, dict) or name not in value:
            raise GraphQLError(f"required field {'.'.join(path)} missing from the representation")
        value = value[name]
    return value


def _weight(order: dict[str, Any], _i: Any) -> int:
    items = _required(order, "items")
    return sum(SKU_WEIGHT[i["sku"]] * i["quantity"] for i in items)


def _label(order: dict[str, Any], _i: Any, format: str) -> str:
    name = _required(order, "customer", "name")
    address = _required(order, "customer", "address")
    if address is None:
        return f"{name}/pickup"
    if format == "long":
        return f"{name}, {address['city']}, {address['country']}"
    return f"{name}/{address['country']}"


def _points(order: dict[str, Any], _i: Any) -> int:
    weight = _required(order, "weight")
    tier = _required(order, "customer", "tier")
    return int(weight * (2 if tier == "GOLD" else 1))


def _receipt(order: dict[str, Any], _i: Any) -> str:
    return f"sent to {_required(order, 'customer', 'email')}"


def _bonus_for(order: dict[str, Any], _i: Any) -> dict[str, Any] | None:
    weight = _required(order, "weight")
    customer = _required(order, "customer")
    if weight >= 5 and customer.get("tier") == "GOLD":
        return {"id": customer["id"]}
    return None


def build() -> dict[str, Resolvers]:
    by_id = {o["id"]: o for o in ORDERS}
    return {
        "orders": Resolvers(
            records={"Order": ORDERS},
            fields={
                "Query.orders": lambda _o, _i: ORDERS,
                "Query.order": lambda _o, _i, id: by_id.get(id),
                "Query.ordersByIds": lambda _o, _i, ids: [by_id.get(i) for i in ids],
            },
        ),
        "customers": Resolvers(records={"Customer": CUSTOMERS}),
        "crm": Resolvers(records={"Customer": CRM}, fields={"Query.vip": lambda _o, _i: CRM[0]}),
        "shipping": Resolvers(
            fields={
                "Query.pendingShipments": lambda _o, _i: [{"id": "o2"}, {"id": "o3"}],
                "Order.weight": _weight,
                "Order.label": _label,
            }
        ),
        "loyalty": Resolvers(
            fields={"Order.points": _points, "Order.receipt": _receipt, "Order.bonusFor": _bonus_for}
        ),
    }
