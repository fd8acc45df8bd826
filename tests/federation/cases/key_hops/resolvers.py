"""Data for the ``key_hops`` case: entities whose subgraphs share no common key, compound keys with Ints
and an enum, and an object-valued custom scalar key.

Why: to reach mailer (keyed by email) from accounts (keyed by id) the gateway must go through crm, which has
both keys; compound keys must be sent with their exact JSON types (Ints stay Ints, enums stay names), and a
scalar key must be forwarded as the same JSON value.
"""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

USERS: list[dict[str, Any]] = [
    {"id": "1", "name": "Ada"},
    {"id": "2", "name": "Alan"},
    {"id": "3", "name": "Grace"},
]
CRM: list[dict[str, Any]] = [
    {"id": "1", "email": "ada@example.com", "segment": "gold"},
    {"id": "2", "email": "alan@example.com", "segment": "silver"},
    {"id": "3", "email": "grace@example.com", "segment": "gold"},
]
MAILER: list[dict[str, Any]] = [
    {
        "email": "ada@example.com",
        "unsubscribed": False,
        "lastMail": {"subject": "Tickets", "seat": {"row": 3, "number": 14, "section": "BALCONY"}},
    },
    {"email": "alan@example.com", "unsubscribed": True, "lastMail": None},
    {"email": "grace@example.com", "unsubscribed": False, "lastMail": {"subject": "Welcome", "seat": None}},
]
SEATS: list[dict[str, Any]] = [
    {"row": 1, "number": 7, "section": "STALLS", "holder": {"id": "2"}},
    {"row": 3, "number": 14, "section": "BALCONY", "holder": {"id": "1"}},
    {"row": 1, "number": 7, "section": "BALCONY", "holder": None},
]
PRICES: list[dict[str, Any]] = [
    {"row": 1, "number": 7, "section": "STALLS", "price": 80},
    {"row": 3, "number": 14, "section": "BALCONY", "price": 45},
    {"row": 1, "number": 7, "section": "BALCONY", "price": 60},
]
ITEMS: list[dict[str, Any]] = [
    {"sku": {"vendor": "acme", "code": 17}, "title": "Anvil"},
    {"sku": {"vendor": "acme", "code": 18, "tags": ["heavy", None]}, "title": "Safe"},
]
STOCK: list[dict[str, Any]] = [
    {"sku": {"vendor": "acme", "code": 17}, "stock": 4},
    {"sku": {"vendor": "acme", "code": 18, "tags": ["heavy", None]}, "stock": 0},
]


def build() -> dict[str, Resolvers]:
    by_id = {u["id"]: u for u in USERS}

    def holder(seat: dict[str, Any], _i: Any) -> dict[str, Any] | None:
        return by_id[seat["holder"]["id"]] if seat["holder"] else None

    return {
        "accounts": Resolvers(
            records={"User": USERS, "Seat": SEATS, "Item": ITEMS},
            fields={
                "Query.users": lambda _o, _i: USERS,
                "Query.seats": lambda _o, _i: SEATS,
                "Query.items": lambda _o, _i: ITEMS,
                "Seat.holder": holder,
            },
        ),
        "crm": Resolvers(records={"User": CRM}),
        "mailer": Resolvers(
            records={"User": MAILER},
            fields={"Query.bounced": lambda _o, _i: [MAILER[1], MAILER[2]]},
        ),
        "box_office": Resolvers(records={"Seat": PRICES, "Item": STOCK}),
    }
