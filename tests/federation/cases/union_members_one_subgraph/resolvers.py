"""Data for the ``union_members_one_subgraph`` case: a union whose members are each known to one subgraph.

Why: ``FeedItem`` is ``Post | Photo | Event`` in feed, ``Event | Meetup`` in events and ``Post | Badge`` in
people. ``Photo``, ``Meetup`` and ``Badge`` are value types that exist in one subgraph only; feed and people
know ``Event`` only by its key, places knows it by another key (``slug``) and social adds fields to it as the
``@interfaceObject`` ``Listing``, so member fields come from other subgraphs, sometimes two hops away. The
members carry nested value types, a second union (``Attachment``, ``AgendaItem``) and an interface
(``Forecast``).
"""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

USERS: list[dict[str, Any]] = [
    {
        "__typename": "User",
        "id": "u1",
        "name": "Ada",
        "profile": {"bio": "Mathematician", "links": ["ada.dev"]},
    },
    {
        "__typename": "User",
        "id": "u2",
        "name": "Grace",
        "profile": {"bio": "Admiral", "links": ["navy.mil", "cobol.org"]},
    },
    {"__typename": "User", "id": "u3", "name": "Linus", "profile": {"bio": "Kernel hacker", "links": []}},
]

# feed
PHOTOS: dict[str, dict[str, Any]] = {
    "ph1": {
        "__typename": "Photo",
        "url": "/img/harbour.jpg",
        "size": {"width": 640, "height": 480},
        "takenBy": {"__typename": "User", "id": "u2"},
    },
    "ph2": {
        "__typename": "Photo",
        "url": "/img/logo.png",
        "size": {"width": 64, "height": 64},
        "takenBy": None,
    },
}
POSTS: list[dict[str, Any]] = [
    {"__typename": "Post", "id": "p1", "body": "Hello world", "author": "u1", "attachment": PHOTOS["ph1"]},
    {
        "__typename": "Post",
        "id": "p2",
        "body": "Read this",
        "author": "u2",
        "attachment": {"__typename": "Link", "href": "https://example.org", "preview": PHOTOS["ph2"]},
    },
    {"__typename": "Post", "id": "p3", "body": "Plain text", "author": "u3", "attachment": None},
]

# events
EVENTS: list[dict[str, Any]] = [
    {
        "__typename": "Event",
        "id": "e1",
        "slug": "summit-24",
        "name": "GraphQL Summit",
        "venue": {"label": "Hall A", "place": {"__typename": "Place", "id": "pl1"}},
        "host": "u1",
        "agenda": [
            {"__typename": "Talk", "title": "Federation at scale", "speaker": "u2"},
            {"__typename": "Break", "minutes": 15},
            {"__typename": "Talk", "title": "Unions", "speaker": "u3"},
        ],
    },
    {
        "__typename": "Event",
        "id": "e2",
        "slug": "hack-day",
        "name": "Hack Day",
        "venue": {"label": "Garage", "place": {"__typename": "Place", "id": "pl2"}},
        "host": "u3",
        "agenda": [],
    },
]
MEETUP = {"__typename": "Meetup", "topic": "Rust", "organizer": "u2", "attendees": ["u1", "u3"]}
MENTIONS: dict[str, list[str]] = {"p1": ["e2"], "p2": ["mt1", "e1"], "p3": []}

# places
PLACES: list[dict[str, Any]] = [
    {"__typename": "Place", "id": "pl1", "city": "Berlin", "geo": {"lat": 52.52, "lng": 13.405}},
    {"__typename": "Place", "id": "pl2", "city": "Lisbon", "geo": {"lat": 38.72, "lng": -9.14}},
]
PLACE_EVENTS: list[dict[str, Any]] = [
    {
        "__typename": "Event",
        "slug": "summit-24",
        "forecast": {"__typename": "Sunny", "summary": "Clear", "uv": 5},
    },
    {
        "__typename": "Event",
        "slug": "hack-day",
        "forecast": {"__typename": "Rainy", "summary": "Showers", "mm": 2.5},
    },
]

# people
RECENT: dict[str, list[dict[str, Any]]] = {
    "u1": [
        {"__typename": "Post", "id": "p1"},
        {"__typename": "Badge", "label": "Speaker", "awardedFor": {"__typename": "Event", "id": "e1"}},
    ],
    "u2": [{"__typename": "Post", "id": "p2"}],
    "u3": [
        {"__typename": "Badge", "label": "Newcomer", "awardedFor": None},
        {"__typename": "Post", "id": "p3"},
    ],
}


# social (Listing as an @interfaceObject)
LISTINGS: list[dict[str, Any]] = [
    {"__typename": "Listing", "id": "e1", "saves": 42, "savedBy": ["u2", "u3"]},
    {"__typename": "Listing", "id": "e2", "saves": 7, "savedBy": []},
]


def _user_ref(user_id: str) -> dict[str, Any]:
    return {"__typename": "User", "id": user_id}


def _event_stub(event_id: str) -> dict[str, Any]:
    return {"__typename": "Event", "id": event_id}


def _post(post_id: str) -> dict[str, Any]:
    return next(p for p in POSTS if p["id"] == post_id)


def _event(event_id: str) -> dict[str, Any]:
    return next(e for e in EVENTS if e["id"] == event_id)


def _feed() -> Resolvers:
    return Resolvers(
        records={"Post": POSTS},
        fields={
            "Query.feed": lambda _o, _i: [
                _post("p1"),
                PHOTOS["ph1"],
                _event_stub("e1"),
                _post("p3"),
                PHOTOS["ph2"],
                _event_stub("e2"),
            ],
            "Post.author": lambda post, _i: _user_ref(post["author"]),
        },
    )


def _events() -> Resolvers:
    def mention(ident: str) -> dict[str, Any]:
        return MEETUP if ident == "mt1" else _event(ident)

    return Resolvers(
        records={"Event": EVENTS, "Post": [{"id": p["id"]} for p in POSTS]},
        fields={
            "Query.upcoming": lambda _o, _i: [_event("e1"), MEETUP, _event("e2")],
            "Query.event": lambda _o, _i, id: next((e for e in EVENTS if e["id"] == id), None),
            "Event.host": lambda event, _i: _user_ref(event["host"]),
            "Talk.speaker": lambda talk, _i: _user_ref(talk["speaker"]),
            "Meetup.organizer": lambda meetup, _i: _user_ref(meetup["organizer"]),
            "Meetup.attendees": lambda meetup, _i: [_user_ref(u) for u in meetup["attendees"]],
            "Post.mentions": lambda post, _i: [mention(m) for m in MENTIONS[post["id"]]],
        },
    )


def _people() -> Resolvers:
    return Resolvers(
        records={"User": USERS},
        fields={"User.recent": lambda user, _i: RECENT[user["id"]]},
    )


def _social() -> Resolvers:
    return Resolvers(
        records={"Listing": LISTINGS},
        fields={"Listing.savedBy": lambda listing, _i: [_user_ref(u) for u in listing["savedBy"]]},
    )


def _places() -> Resolvers:
    return Resolvers(records={"Place": PLACES, "Event": PLACE_EVENTS})


def build() -> dict[str, Resolvers]:
    return {
        "feed": _feed(),
        "events": _events(),
        "people": _people(),
        "places": _places(),
        "social": _social(),
    }
