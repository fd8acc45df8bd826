"""Data for the ``override_keys`` case: @override of entity fields, of a root field, of a key field.

Why: after @override the old subgraph must no longer answer the moved fields (its resolvers here return
stale values that would show up in the response), except that a moved field still in the old subgraph's
@key may be used to build representations (``usedOverridden``). A @requires on a moved field must read it
from its new owner.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.support.subgraph_schema import Resolvers

SHIPMENTS: list[dict[str, Any]] = [
    {
        "id": "sh1",
        "trackingCode": "TC-100",
        "carrier": "DHL",
        "status": "IN_TRANSIT",
        "weight": 12,
        "eta": "tomorrow",
    },
    {
        "id": "sh2",
        "trackingCode": "TC-200",
        "carrier": "UPS",
        "status": "DELIVERED",
        "weight": 3,
        "eta": "done",
    },
]

POSITIONS = {"TC-100": "Leipzig hub", "TC-200": "Doorstep"}


def _legacy_view(shipment: dict[str, Any]) -> dict[str, Any]:
    """Legacy's copy: the tracking code is still right (it is a key), but carrier and weight are stale."""
    return {
        "id": shipment["id"],
        "trackingCode": shipment["trackingCode"],
        "carrier": "STALE-" + shipment["carrier"],
        "status": shipment["status"],
        "weight": -1,
    }


def _cost(shipment: dict[str, Any], _i: Any) -> int:
    if "weight" not in shipment:
        raise GraphQLError("weight missing from the representation")
    if shipment["weight"] < 0:
        raise GraphQLError("got legacy's stale weight instead of pricing's")
    return int(shipment["weight"] * 4 + 5)


def build() -> dict[str, Resolvers]:
    legacy = [_legacy_view(s) for s in SHIPMENTS]
    modern = [{k: s[k] for k in ("id", "trackingCode", "carrier", "eta")} for s in SHIPMENTS]
    return {
        "legacy": Resolvers(
            records={"Shipment": legacy},
            fields={
                "Query.shipments": lambda _o, _i: legacy,
                "Query.shipment": lambda _o, _i, id: None,
            },
        ),
        "modern": Resolvers(
            records={"Shipment": modern},
            fields={
                "Query.shipment": lambda _o, _i, id: next((s for s in modern if s["id"] == id), None),
                "Shipment.cost": _cost,
            },
        ),
        "pricing": Resolvers(
            records={"Shipment": [{"id": s["id"], "weight": s["weight"]} for s in SHIPMENTS]}
        ),
        "tracker": Resolvers(
            records={"Shipment": [{"trackingCode": k, "position": v} for k, v in POSITIONS.items()]}
        ),
    }
