"""Data for the ``interface_object_chain`` case: references to an entity interface that come from an
@interfaceObject subgraph, then go on to a subgraph that only knows one implementation.

Why: for ``subject { ... on Book { shelf } }`` the gateway has to learn the concrete type from media (reviews
cannot tell), and only then send ``Book`` representations to library; fields of the interface object must be
fetched with ``Media`` representations.
"""

from __future__ import annotations

from typing import Any

from tests.support.subgraph_schema import Resolvers

MEDIA: list[dict[str, Any]] = [
    {"__typename": "Book", "id": "m1", "title": "Dune", "pages": 412},
    {"__typename": "Song", "id": "m2", "title": "Heroes", "seconds": 371},
    {"__typename": "Book", "id": "m3", "title": "Emma", "pages": 474},
]
REVIEWS: list[dict[str, Any]] = [
    {"id": "r1", "stars": 5, "subject": {"__typename": "Media", "id": "m1"}},
    {"id": "r2", "stars": 3, "subject": {"__typename": "Media", "id": "m2"}},
    {"id": "r3", "stars": 4, "subject": {"__typename": "Media", "id": "m1"}},
    {"id": "r4", "stars": 2, "subject": {"__typename": "Media", "id": "m3"}},
]
LIBRARY: list[dict[str, Any]] = [
    {"id": "m1", "shelf": "SF-12", "loans": 31},
    {"id": "m3", "shelf": "CL-02", "loans": 4},
]


def _reviews_of(media: dict[str, Any], _i: Any) -> list[dict[str, Any]]:
    return [r for r in REVIEWS if r["subject"]["id"] == media["id"]]


def build() -> dict[str, Resolvers]:
    return {
        "media": Resolvers(records={"Media": MEDIA}, fields={"Query.allMedia": lambda _o, _i: MEDIA}),
        "reviews": Resolvers(
            fields={
                "Query.latestReviews": lambda _o, _i: list(reversed(REVIEWS)),
                "Media.reviewCount": lambda media, _i: len(_reviews_of(media, _i)),
                "Media.reviews": _reviews_of,
            },
            references={"Media": lambda rep, _i: {"__typename": "Media", "id": rep["id"]}},
        ),
        "library": Resolvers(records={"Book": LIBRARY}),
    }
