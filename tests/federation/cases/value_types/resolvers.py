"""Data for the ``value_types`` case: @shareable value types whose fields differ per subgraph.

Why: when a value object (``Location``, ``Tag``) is resolved partly by one subgraph and partly by another,
the gateway must fetch the missing fields through the owning entity and merge the copies field by field (by
list position for lists), and shareable root fields may be answered by either subgraph.
"""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

STORES: list[dict[str, Any]] = [
    {
        "id": "s1",
        "name": "Central",
        "location": {
            "lat": 51.5,
            "lng": -0.12,
            "label": "London",
            "region": {"code": "UK"},
            "timezone": "Europe/London",
        },
        "tags": [{"name": "food", "weight": 3}, {"name": "late", "weight": 1}],
    },
    {
        "id": "s2",
        "name": "Harbour",
        "location": {
            "lat": 40.7,
            "lng": -74.25,
            "label": None,
            "region": None,
            "timezone": "America/New_York",
        },
        "tags": [],
    },
    {
        "id": "s3",
        "name": "Alpine",
        "location": {
            "lat": 46.2,
            "lng": 6.1,
            "label": "Geneva",
            "region": {"code": "CH"},
            "timezone": "Europe/Zurich",
        },
        "tags": [{"name": "ski", "weight": 5}],
    },
]

REGIONS: list[dict[str, Any]] = [
    {"code": "UK", "name": "United Kingdom"},
    {"code": "CH", "name": "Switzerland"},
]

_GEO_LOCATION = ("lat", "lng", "label", "region")
_MAPS_LOCATION = ("lat", "lng", "timezone")


def _view(
    store: dict[str, Any], location_fields: tuple[str, ...], tag_fields: tuple[str, ...]
) -> dict[str, Any]:
    """One subgraph's copy of a store: only the value-type fields that subgraph has."""
    return {
        "id": store["id"],
        "name": store["name"],
        "location": {k: store["location"][k] for k in location_fields},
        "tags": [{k: t[k] for k in tag_fields} for t in store["tags"]],
    }


def _distance(store: dict[str, Any], _i: Any, lat: float, lng: float) -> float:
    location = store["location"]
    return round(abs(location["lat"] - lat) + abs(location["lng"] - lng), 2)


def build() -> dict[str, Resolvers]:
    geo = [_view(s, _GEO_LOCATION, ("name",)) for s in STORES]
    maps = [_view(s, _MAPS_LOCATION, ("name", "weight")) for s in STORES]
    return {
        "geo": Resolvers(
            records={"Store": geo},
            fields={
                "Query.stores": lambda _o, _i: geo,
                "Query.store": lambda _o, _i, id: next((s for s in geo if s["id"] == id), None),
            },
        ),
        "maps": Resolvers(
            records={"Store": maps},
            fields={
                "Query.stores": lambda _o, _i: maps,
                "Query.nearest": lambda _o, _i, lat, lng: min(maps, key=lambda s: _distance(s, _i, lat, lng)),
                "Store.distanceTo": _distance,
            },
        ),
        "regions": Resolvers(records={"Region": REGIONS}),
    }
