"""Data for the ``enums_inputs_scalars`` case: enums merged across subgraphs, nested input objects and lists
(literals, variables, defaults), a JSON-like custom scalar, and variables used only in entity fetches.

Why: the gateway has to forward argument values it does not interpret (custom scalars, nested inputs with
defaults) exactly, pass only the variables a subgraph fetch uses, and return enum values only one subgraph
knows.
"""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

ITEMS: list[dict[str, Any]] = [
    {
        "id": "i1",
        "name": "Bolt",
        "weight": 5,
        "status": "ACTIVE",
        "metadata": {"origin": "DE", "sizes": [6, 8]},
        "tags": ["metal", "small"],
    },
    {"id": "i2", "name": "Gear", "weight": 120, "status": "ACTIVE", "metadata": None, "tags": ["metal"]},
    {
        "id": "i3",
        "name": "Nut",
        "weight": 2,
        "status": "DISCONTINUED",
        "metadata": {"note": None, "ok": True},
        "tags": ["metal", "small", "cheap"],
    },
    {
        "id": "i4",
        "name": "Washer",
        "weight": 1,
        "status": "ACTIVE",
        "metadata": [1, "two", {"three": 3}],
        "tags": ["cheap"],
    },
]

STOCK: list[dict[str, Any]] = [
    {"id": "i1", "stockStatus": "ACTIVE", "attrs": {"color": "grey", "size": "M6"}},
    {"id": "i2", "stockStatus": "BACKORDERED", "attrs": {"color": "black"}},
    {"id": "i3", "stockStatus": "DISCONTINUED", "attrs": {}},
    {"id": "i4", "stockStatus": "BACKORDERED", "attrs": {"size": "S"}},
]

BASE_CENTS = {"i1": 50, "i2": 2000, "i3": 20, "i4": 5}


def _items(_o: Any, _i: Any, filter: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    found = list(ITEMS)
    if filter is None:
        return found
    if filter.get("nameIn") is not None:
        found = [i for i in found if i["name"] in filter["nameIn"]]
    weight = filter.get("weight")
    if weight is not None:
        low = weight.get("min")
        high = weight["max"]  # has a default: the gateway or the subgraph must apply it
        found = [
            i for i in found if (low is None or i["weight"] >= low) and (high is None or i["weight"] <= high)
        ]
    if filter.get("tagGroups") is not None:
        found = [i for i in found if any(set(g) <= set(i["tags"]) for g in filter["tagGroups"])]
    return sorted(found, key=lambda i: i["name"], reverse=filter["sort"] == "NAME_DESC")


def _attributes(item: dict[str, Any], _i: Any, keys: list[str] | None = None) -> Any:
    attrs = item["attrs"]
    return attrs if keys is None else {k: attrs.get(k) for k in keys}


def _price(item: dict[str, Any], _i: Any, input: dict[str, Any]) -> dict[str, Any] | None:
    base = BASE_CENTS.get(item["id"])
    if base is None:
        return None
    rate = 110 if input["currency"] == "USD" else 100
    cents = base * rate // 100
    applied = []
    for discount in input["discounts"] or []:
        cents = cents * (100 - discount["percent"]) // 100
        applied.append(f"{discount['code']}:{discount['percent']}")
    return {"cents": cents, "currency": input["currency"], "applied": applied}


def build() -> dict[str, Resolvers]:
    return {
        "catalog": Resolvers(
            records={"Item": ITEMS},
            fields={
                "Query.items": _items,
                "Query.echo": lambda _o, _i, value=None: value,
                "Query.tickets": lambda _o, _i, priority: [f"{priority.lower()}-1", f"{priority.lower()}-2"],
            },
        ),
        "warehouse": Resolvers(records={"Item": STOCK}, fields={"Item.attributes": _attributes}),
        "pricing": Resolvers(
            fields={
                "Item.price": _price,
                "Item.quote": lambda item, _i, priority: (
                    BASE_CENTS[item["id"]] * (2 if priority == "HIGH" else 1)
                ),
            }
        ),
    }
