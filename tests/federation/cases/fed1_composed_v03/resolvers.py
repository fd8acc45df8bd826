"""Data for the ``fed1_composed_v03`` case: Federation 1 subgraph SDL (no ``@link``) composed by
``@apollo/composition`` 2.x into a join v0.3 supergraph.

Why: Fed 1 subgraphs are still common behind Fed 2 gateways; composition upgrades them (``extend type`` and
``@extends`` become entity references, value types become shareable), and the gateway must plan over the
result: two keys of one entity used by different subgraphs, a Fed 1 ``@requires``, a value type in two
subgraphs.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from tests.support.subgraph_schema import Resolvers

HOTELS: list[dict[str, Any]] = [
    {"id": "h1", "code": "LON-1", "name": "Savoy", "city": {"name": "London", "country": "UK"}},
    {"id": "h2", "code": "PAR-1", "name": "Ritz", "city": {"name": "Paris", "country": "FR"}},
    {"id": "h3", "code": "NYC-1", "name": "Plaza", "city": None},
]

BOOKINGS: list[dict[str, Any]] = [
    {"id": "bk1", "hotel": {"id": "h1"}, "nights": 2, "guest": {"email": "ada@example.com"}},
    {"id": "bk2", "hotel": {"id": "h2"}, "nights": 5, "guest": {"email": "alan@example.com"}},
    {"id": "bk3", "hotel": {"id": "h1"}, "nights": 1, "guest": {"email": "alan@example.com"}},
]

GUESTS: list[dict[str, Any]] = [
    {"email": "ada@example.com", "name": "Ada", "vip": True},
    {"email": "alan@example.com", "name": "Alan", "vip": False},
]

STARS = {"LON-1": 5, "PAR-1": 4, "NYC-1": 3}
GUEST_REVIEWS = {"ada@example.com": ["Lovely"], "alan@example.com": []}


def _summary(hotel: dict[str, Any], _i: Any) -> str:
    if "name" not in hotel:
        raise GraphQLError("name missing from the representation")
    return f"{hotel['name']} ({STARS[hotel['code']]} stars)"


def build() -> dict[str, Resolvers]:
    return {
        "hotels": Resolvers(
            records={"Hotel": HOTELS},
            fields={
                "Query.hotels": lambda _o, _i: HOTELS,
                "Query.hotel": lambda _o, _i, id: next((h for h in HOTELS if h["id"] == id), None),
            },
        ),
        "bookings": Resolvers(
            records={"Booking": BOOKINGS},
            fields={
                "Query.bookings": lambda _o, _i: BOOKINGS,
                "Hotel.bookings": lambda hotel, _i: [b for b in BOOKINGS if b["hotel"]["id"] == hotel["id"]],
            },
        ),
        "guests": Resolvers(records={"Guest": GUESTS}, fields={"Query.guests": lambda _o, _i: GUESTS}),
        "reviews": Resolvers(
            fields={
                "Query.topCities": lambda _o, _i: [
                    {"name": "London", "country": "UK"},
                    {"name": "Oslo", "country": None},
                ],
                "Hotel.stars": lambda hotel, _i: STARS.get(hotel["code"]),
                "Hotel.summary": _summary,
                "Guest.reviews": lambda guest, _i: GUEST_REVIEWS.get(guest["email"]),
            }
        ),
    }
