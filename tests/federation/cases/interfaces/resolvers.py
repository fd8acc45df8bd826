"""Data for the ``interfaces`` case: an entity interface with @interfaceObject in another subgraph.

Also unions whose members live in different subgraphs, and an enum and an input type known to one subgraph.
"""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

MEDIA: list[dict[str, Any]] = [
    {"__typename": "Book", "id": "b1", "title": "Dune", "author": "Herbert", "genre": "FICTION"},
    {"__typename": "Movie", "id": "m1", "title": "Alien", "director": "Scott", "genre": "DRAMA"},
    {"__typename": "Book", "id": "b2", "title": "Cosmos", "author": "Sagan", "genre": "SCIENCE"},
    {"__typename": "Movie", "id": "m2", "title": "Contact", "director": "Zemeckis", "genre": "SCIENCE"},
]

RATINGS: list[dict[str, Any]] = [
    {"id": "b1", "stars": 5, "reviewers": ["ann", "bob"]},
    {"id": "m1", "stars": 4, "reviewers": ["cid"]},
    {"id": "b2", "stars": 3, "reviewers": []},
    {"id": "m2", "stars": 4, "reviewers": ["ann"]},
]

PODCASTS: list[dict[str, Any]] = [
    {"__typename": "Podcast", "id": "p7", "number": 7, "host": "Dune talk", "duration": {"minutes": 42}},
    {"__typename": "Podcast", "id": "p8", "number": 8, "host": "Space hour", "duration": {"minutes": 60}},
]


def _media(_obj: Any, _info: Any, filter: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    items = MEDIA
    if filter and filter.get("genre"):
        items = [m for m in items if m["genre"] == filter["genre"]]
    if filter and filter.get("titleContains"):
        items = [m for m in items if filter["titleContains"].lower() in m["title"].lower()]
    return items


def build() -> dict[str, Resolvers]:
    return {
        "media": Resolvers(
            records={"Media": MEDIA},
            fields={
                "Query.media": _media,
                "Query.mediaNode": lambda _o, _i, id: next((m for m in MEDIA if m["id"] == id), None),
                "Query.searchMedia": lambda _o, _i, term: [
                    m for m in MEDIA if term.lower() in m["title"].lower()
                ],
            },
        ),
        "ratings": Resolvers(
            records={"Media": RATINGS},
            fields={
                "Query.topRated": lambda _o, _i: sorted(RATINGS, key=lambda r: -r["stars"])[:3],
            },
        ),
        "podcasts": Resolvers(
            fields={
                "Query.searchPodcasts": lambda _o, _i, term: [
                    p for p in PODCASTS if term.lower() in p["host"].lower()
                ],
                "Query.channel": lambda _o, _i: {"latest": PODCASTS[1]},
                "Query.podcastNodes": lambda _o, _i: PODCASTS,
            },
        ),
    }
